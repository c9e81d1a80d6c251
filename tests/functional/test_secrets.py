"""API keys never reach logs, files under ACTUI_HOME, the state database, reprs or error texts."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from actui.activecampaign import AccountThrottle, ActiveCampaignClient, ActiveCampaignError
from actui.campaigns.contacts import Contact
from actui.cli import cli
from actui.credentials import client_for, get_credential, make_destination
from actui.credentials import destinations as destinations_module
from actui.home import logs_dir

WRONG_KEY = "wrong-7f3c9a1e5b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f"


def _cli(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input)
    return f"{result.output}\n{result.exception!r}"


def _texts_of(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


async def _client_flows(server: Any) -> list[str]:
    """Run the client through successes and every failure; return what a user could see."""
    seen: list[str] = []
    credential = get_credential("sb")
    seen += [repr(credential), str(credential), credential.model_dump_json()]
    async with client_for(credential, retries=0, backoff=0.01) as client:
        seen += [repr(client), repr(client.throttle), str(vars(client))]
        members = await client.ensure_list("Secrets", "Admin")
        contact_id = await client.sync_contact(Contact(email="ann@example.com", first_name="Ann"))
        await client.set_list_status(contact_id, members.id, 1)
        batch = await client.bulk_import(
            [Contact(email=f"p{i}@example.com") for i in range(12)],
            subscribe_list=members.id,
            unsubscribe_list=None,
        )
        await client.import_info(batch)
        failing: list[tuple[dict[str, Any], Any]] = [
            ({"forbidden_no_body": True}, client.users_me()),
            ({"error_rate": 1.0}, client.groups()),
            ({"storm_429_seconds": 1}, client.fields()),
            ({"drop_rate": 1.0}, client.exclusions()),
            ({}, client.sync_contact(Contact(email="not-an-email"))),
        ]
        for faults, call in failing:
            server.sandbox.set_faults(**faults)
            with pytest.raises(ActiveCampaignError) as caught:
                await call
            seen += _texts_of(caught.value)
        server.sandbox.set_faults()
    async with ActiveCampaignClient(
        server.url, WRONG_KEY, throttle=AccountThrottle(rate=100.0)
    ) as bad:
        with pytest.raises(ActiveCampaignError) as caught:
            await bad.users_me()
        seen += _texts_of(caught.value)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with ActiveCampaignClient(f"http://127.0.0.1:{port}", server.api_key) as closed:
        with pytest.raises(ActiveCampaignError) as caught:
            await closed.users_me()
        seen += _texts_of(caught.value)
    return seen


def test_the_api_key_appears_nowhere(
    sandbox_server: Any, actui_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = sandbox_server.api_key
    caplog.set_level(logging.DEBUG)
    log_file = logs_dir() / "debug.log"
    handler = logging.FileHandler(log_file)
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        seen = [
            _cli(
                "credentials",
                "add",
                "sb",
                "--url",
                sandbox_server.url,
                "--key-stdin",
                input=key + "\n",
            ),
            _cli("credentials", "add", "bad", "--url", sandbox_server.url, input=WRONG_KEY + "\n"),
            _cli("credentials", "list", "--json"),
            _cli("credentials", "test", "sb"),
            _cli("credentials", "test", "bad"),
            _cli("destinations", "add", "vip", "--credential", "sb", "--list", "VIP"),
            _cli("destinations", "add", "wrong", "--credential", "bad", "--group", "Nope"),
            _cli("destinations", "list", "--json"),
            _cli("destinations", "test", "vip", "--json"),
            _cli("destinations", "test", "wrong"),
        ]
        seen += asyncio.run(_client_flows(sandbox_server))
        results = asyncio.run(
            destinations_module.test_destination(
                make_destination(name="x", credential="bad", list="L")
            )
        )
        seen += [r.model_dump_json() for r in results]
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()

    assert "Error: ActiveCampaign refused the API key" in seen[4], seen[4]
    assert caplog.records, "requests were logged"
    assert log_file.stat().st_size > 0
    files = [p for p in actui_home.rglob("*") if p.is_file()]
    assert any(p.name == "state.db" for p in files)
    for secret in (key, WRONG_KEY):
        for text in seen:
            assert secret not in text
        assert secret not in caplog.text
        for record in caplog.records:
            assert secret not in str(record.args)
        for path in files:
            assert secret.encode() not in path.read_bytes(), path
