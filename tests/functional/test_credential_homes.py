"""Credentials belong to their ACTUI_HOME: two homes that both name a credential ``ac`` each reach
their own account, through the real Secret Service; entries stored unscoped are moved once.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from click.testing import CliRunner

from actui.cli import cli
from actui.credentials import get_credential, list_credentials
from actui.credentials.keyring_store import SERVICE, keyring_service
from actui.credentials.store import remember_credential_name
from actui.home import home_id
from actui.sandbox import Sandbox, SandboxServer
from actui.state import reset_engines
from tests.fixtures.sandbox import RunningSandbox


@pytest.fixture
def second_sandbox() -> Iterator[RunningSandbox]:
    sandbox = Sandbox.create(limits="off", batch_delay=0)
    server = SandboxServer(sandbox).start()
    try:
        yield RunningSandbox(server.url, sandbox.account.api_key, sandbox, server)
    finally:
        server.stop()


def _enter(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("ACTUI_HOME", str(home))
    reset_engines()


def _run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.secret_service
def test_two_homes_sharing_a_credential_name_each_reach_their_own_account(
    secret_service_keyring: object,
    sandbox_server: RunningSandbox,
    second_sandbox: RunningSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    homes = {"a": (tmp_path / "home-a", sandbox_server), "b": (tmp_path / "home-b", second_sandbox)}
    try:
        for home, account in homes.values():
            _enter(monkeypatch, home)
            added = _run(
                "credentials", "add", "ac", "--url", account.url, "--key-stdin",
                input=account.api_key + "\n",
            )  # fmt: skip
            assert added.exit_code == 0, added.output
        for home, account in homes.values():
            _enter(monkeypatch, home)
            credential = get_credential("ac")
            assert credential.url == account.api_url
            assert credential.api_key.get_secret_value() == account.api_key
            tested = _run("credentials", "test", "ac", "--json")
            assert tested.exit_code == 0, tested.output
            assert json.loads(tested.stdout)["url"] == account.api_url
        before = sandbox_server.sandbox.dump()["requests"]["by_status"]
        assert before == {"200": 1}  # home a's test reached account a only
        assert second_sandbox.sandbox.dump()["requests"]["by_status"] == {"200": 1}
        ids = set()
        for home, _ in homes.values():
            _enter(monkeypatch, home)
            ids.add(home_id())
        assert len(ids) == 2
    finally:
        for home, _ in homes.values():
            _enter(monkeypatch, home)
            _run("credentials", "remove", "ac")
    for home, _ in homes.values():
        _enter(monkeypatch, home)
        assert keyring.get_password(keyring_service(), "ac") is None


@pytest.mark.secret_service
def test_an_unscoped_entry_moves_into_the_home_that_knows_it(
    secret_service_keyring: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = json.dumps({"url": "https://old.api-us1.com/api/3", "key": "old-key"})
    name = f"legacy-{tmp_path.name}"[:60]
    keyring.set_password(SERVICE, name, payload)
    try:
        _enter(monkeypatch, tmp_path / "stranger")
        assert name not in list_credentials()
        with pytest.raises(Exception, match="No credential named"):
            get_credential(name)  # a home that never knew the name does not claim it
        assert keyring.get_password(SERVICE, name) == payload

        _enter(monkeypatch, tmp_path / "owner")
        remember_credential_name(name)
        assert get_credential(name).url == "https://old.api-us1.com/api/3"
        assert keyring.get_password(SERVICE, name) is None
        assert keyring.get_password(keyring_service(), name) == payload
        assert get_credential(name).api_key.get_secret_value() == "old-key"
    finally:
        for service in (SERVICE, keyring_service()):
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(service, name)
