"""The sandbox under hostile input and documented edges: 400s that store nothing, every documented
``GET /contacts`` filter answered truthfully or refused, ActiveCampaign's nulls, realistic imports.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actui.sandbox import Sandbox
from actui.sandbox.sandbox import REALISTIC_BATCH_DELAY, parse_batch_delay
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_sandbox_api import bulk, make_list, wait_for_batch


@pytest.fixture
def api(sandbox_server: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.api_url, headers=sandbox_server.headers) as client:
        yield client


def _raw_post(api: httpx.Client, path: str, body: str) -> httpx.Response:
    return api.post(path, content=body.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/contact/sync", '{"contact": {"email": "a@example.com", "firstName": "\\ud800"}}'),
        ("/contacts", '{"contact": {"email": "a@example.com", "lastName": "x\\udfff"}}'),
        (
            "/lists",
            '{"list": {"name": "\\ud800", "stringid": "s", "sender_url": "u", '
            '"sender_reminder": "r"}}',
        ),
        (
            "/import/bulk_import",
            '{"contacts": [{"email": "b@example.com", "first_name": "\\ud83d"}]}',
        ),
        ("/groups", '{"group": {"title": "G\\udc00"}}'),
    ],
)
def test_a_lone_surrogate_answers_400_and_stores_nothing(
    api: httpx.Client, sandbox_server: RunningSandbox, tmp_path: Path, path: str, body: str
) -> None:
    before = sandbox_server.sandbox.dump()
    response = _raw_post(api, path, body)
    assert response.status_code == 400
    assert "not valid Unicode" in response.json()["message"]
    after = sandbox_server.sandbox.dump()
    for kind in ("contacts", "lists", "groups", "batches"):
        assert after[kind] == before[kind]
    # every page still answers, and the state survives a save and a load
    assert api.get("/contacts").status_code == 200
    assert api.get("/lists").status_code == 200
    sandbox_server.sandbox.save(tmp_path / "state.json")
    assert Sandbox.load(tmp_path / "state.json", batch_delay=0).dump()["contacts"] == []


def test_a_paired_surrogate_escape_is_ordinary_text(api: httpx.Client) -> None:
    response = _raw_post(
        api,
        "/contact/sync",
        '{"contact": {"email": "e@example.com", "firstName": "\\ud83d\\ude00"}}',
    )
    assert response.status_code == 201
    assert response.json()["contact"]["firstName"] == "\U0001f600"


@pytest.mark.parametrize("depth", [65, 3000, 100_000])
@pytest.mark.parametrize("path", ["/contact/sync", "/import/bulk_import", "/lists"])
def test_json_nested_deeper_than_64_answers_400(
    api: httpx.Client, sandbox_server: RunningSandbox, path: str, depth: int
) -> None:
    body = '{"contact": {"email": "d@example.com", "x": ' + "[" * depth + "]" * depth + "}}"
    response = _raw_post(api, path, body)
    assert response.status_code == 400
    assert "deeper than 64" in response.json()["message"]
    assert sandbox_server.sandbox.dump()["contacts"] == []


def test_json_64_deep_is_accepted(api: httpx.Client) -> None:
    nested = "[" * 62 + "]" * 62  # inside {"contact": {...}}: 64 levels in all
    body = '{"contact": {"email": "ok@example.com", "x": ' + nested + "}}"
    assert _raw_post(api, "/contact/sync", body).status_code == 201


def _emails(api: httpx.Client, **params: Any) -> list[str]:
    response = api.get("/contacts", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert int(body["meta"]["total"]) == len(body["contacts"])
    return [contact["email"] for contact in body["contacts"]]


@pytest.fixture
def people(api: httpx.Client) -> list[str]:
    ids = []
    for email, first, last, phone in [
        ("ana@shop.example", "Ana", "Müller", "+41 44 000"),
        ("bob@mail.example", "Bob", "Smith", "+1 555 0101"),
        ("carla@shop.example", "Carla", "Bobbins", "+1 555 0202"),
    ]:
        answer = api.post(
            "/contact/sync",
            json={
                "contact": {"email": email, "firstName": first, "lastName": last, "phone": phone}
            },
        )
        ids.append(answer.json()["contact"]["id"])
    return ids


def test_contacts_filters_search_email_like_ids_phone(api: httpx.Client, people: list[str]) -> None:
    assert _emails(api, search="bob") == ["bob@mail.example", "carla@shop.example"]
    assert _emails(api, search="MÜLLER") == ["ana@shop.example"]
    assert _emails(api, search="555 0202") == ["carla@shop.example"]
    assert _emails(api, email_like="SHOP.example") == ["ana@shop.example", "carla@shop.example"]
    assert _emails(api, **{"ids[]": [people[0], people[2]]}) == [
        "ana@shop.example",
        "carla@shop.example",
    ]
    assert _emails(api, ids=f"{people[1]},{people[2]}") == [
        "bob@mail.example",
        "carla@shop.example",
    ]
    assert _emails(api, phone="+1 555") == ["bob@mail.example", "carla@shop.example"]
    assert _emails(api, id_less=people[1]) == ["ana@shop.example"]
    assert _emails(api, exclude=people[0], email_like="shop") == ["carla@shop.example"]
    assert api.get("/contacts", params={"ids": "1,x"}).status_code == 400


def test_contacts_filters_by_created_and_updated_dates(
    api: httpx.Client, people: list[str]
) -> None:
    today = time.strftime("%Y-%m-%d")
    everyone = ["ana@shop.example", "bob@mail.example", "carla@shop.example"]
    assert _emails(api, **{"filters[created_after]": "2000-01-01"}) == everyone
    assert _emails(api, **{"filters[created_before]": "2000-01-01"}) == []
    assert _emails(api, **{"filters[updated_after]": "2999-01-01"}) == []
    assert _emails(api, **{"filters[updated_before]": "2999-01-01"}) == everyone
    assert _emails(api, **{"filters[created_before]": today}) == []
    bad = api.get("/contacts", params={"filters[created_after]": "last week"})
    assert bad.status_code == 400 and "date" in bad.json()["message"]


@pytest.mark.parametrize("name", ["tagid", "segmentid", "formid", "seriesid", "orders[email]"])
def test_contacts_filters_the_sandbox_cannot_answer_are_refused(
    api: httpx.Client, people: list[str], name: str
) -> None:
    response = api.get("/contacts", params={name: "1"})
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"The '{name}' parameter is not supported by the sandbox."
    )


def test_lists_and_groups_made_by_hand_answer_with_nulls(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    sandbox_server.sandbox.run(lambda state: state.create_list_by_hand("Newsletter", "news"))
    sandbox_server.sandbox.run(lambda state: state.create_group("Sales"))
    made = make_list(api, "Made by API")
    lists = {item["name"]: item for item in api.get("/lists").json()["lists"]}
    by_hand = lists["Newsletter"]
    assert [by_hand[k] for k in ("sender_url", "sender_reminder", "fulladdress", "user")] == [
        None
    ] * 4
    assert lists["Made by API"]["id"] == made and lists["Made by API"]["user"] == "1"
    groups = {item["title"]: item for item in api.get("/groups").json()["groups"]}
    assert groups["Sales"]["descript"] is None and groups["Sales"]["sdate"] is None
    assert groups["Admin"]["sdate"] is not None


def test_the_default_batch_delay_is_realistic(api: httpx.Client) -> None:
    sandbox = Sandbox.create(limits="off")
    assert sandbox.batch_delay == REALISTIC_BATCH_DELAY == (1.0, 3.0)
    batches = [
        sandbox.submit_import([{"email": f"p{i}@example.com", "subscribe": [], "unsubscribe": []}])
        for i in range(20)
    ]
    waits = [batch.ready_at - batch.submitted_at for batch in batches]
    assert all(1.0 <= wait <= 3.0 for wait in waits)
    assert max(waits) - min(waits) > 0.1  # drawn per import, not one fixed figure
    assert {b["status"] for b in sandbox.dump()["batches"]} == {"processing"}


def test_batch_delay_settings() -> None:
    assert parse_batch_delay("0") == 0.0
    assert parse_batch_delay("1-3") == (1.0, 3.0)
    assert parse_batch_delay([0.5, 2]) == (0.5, 2.0)
    for bad in ("3-1", "-1", "fast", "inf", "nan"):
        with pytest.raises(ValueError):
            parse_batch_delay(bad)


def test_a_bulk_import_is_polled_until_the_realistic_delay_passes(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    sandbox_server.sandbox.set_batch_delay(REALISTIC_BATCH_DELAY)
    list_id = make_list(api)
    started = time.monotonic()
    batch = bulk(api, [{"email": "late@example.com", "subscribe": [{"listid": list_id}]}])
    info = api.get("/import/info", params={"batchId": batch.json()["batchId"]}).json()
    assert info["status"] == "processing"
    done = wait_for_batch(api, batch.json()["batchId"], timeout=5)
    assert done["status"] == "completed" and time.monotonic() - started >= 1.0


def test_actui_sends_to_a_list_and_group_made_by_hand(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from actui.cli import cli
    from actui.credentials import make_destination, save_destination
    from tests.functional.test_send_support import people, subscribed, write_customers

    sandbox.sandbox.run(lambda state: state.create_list_by_hand("Members", "members"))
    sandbox.sandbox.run(lambda state: state.create_group("Sales"))
    save_destination(
        make_destination(name="sandbox", credential="env", list="Members", group="Sales")
    )
    db = write_customers(tmp_path / "c360.db", people(12))

    sent = CliRunner().invoke(cli, ["send", "Members", "--db", db, "--json"])

    assert sent.exit_code == 0, sent.output
    dump = sandbox.sandbox.dump()
    assert [item["name"] for item in dump["lists"]] == ["Members"]  # found, not made again
    assert len(subscribed(dump)) == 12


def test_actui_polls_imports_through_the_realistic_delay(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from actui.cli import cli
    from tests.functional.test_send_support import people, subscribed, write_customers

    sandbox.sandbox.set_batch_delay(REALISTIC_BATCH_DELAY)
    db = write_customers(tmp_path / "c360.db", people(600))  # three bulk imports
    started = time.monotonic()

    sent = CliRunner().invoke(cli, ["send", "Members", "--db", db, "--json"])

    assert sent.exit_code == 0, sent.output
    assert time.monotonic() - started >= 1.0
    dump = sandbox.sandbox.dump()
    assert len(dump["batches"]) == 3
    assert {batch["status"] for batch in dump["batches"]} == {"completed"}
    assert len(subscribed(dump)) == 600
