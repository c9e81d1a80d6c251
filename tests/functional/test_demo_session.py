"""The demo session keeps its port, key and sandbox state under ACTUI_HOME/demo between runs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from actui.config import load_config
from actui.credentials import get_credential, get_destination
from actui.demo.session import running_sandbox_url, server_file_path, start_demo


def test_a_second_run_serves_the_same_url_key_and_lists(actui_home: Path) -> None:
    first = start_demo(rows=50)
    try:
        assert first.serving
        key = get_credential("demo").api_key.get_secret_value()
        assert get_destination("demo").credential == "demo"
        assert load_config().last_db_url == first.db_url  # the default --db of every command
        created = httpx.post(
            f"{first.sandbox_url}/api/3/lists",
            headers={"Api-Token": key},
            json={
                "list": {
                    "name": "Kept",
                    "stringid": "kept",
                    "sender_url": "https://example.com",
                    "sender_reminder": "You signed up.",
                }
            },
        )
        assert created.status_code in (200, 201), created.text
        assert json.loads(server_file_path().read_text())["url"] == first.sandbox_url
    finally:
        first.close()
    assert not server_file_path().exists()  # nobody serves the demo now

    second = start_demo(rows=50)
    try:
        assert second.sandbox_url == first.sandbox_url
        assert get_credential("demo").api_key.get_secret_value() == key
        lists = httpx.get(f"{second.sandbox_url}/api/3/lists", headers={"Api-Token": key})
        assert [item["name"] for item in lists.json()["lists"]] == ["Kept"]
    finally:
        second.close()


def test_a_server_file_left_by_a_dead_process_is_ignored(actui_home: Path) -> None:
    path = server_file_path()
    path.write_text(json.dumps({"pid": 2**22 + 12345, "url": "http://127.0.0.1:9"}))
    assert running_sandbox_url() is None
