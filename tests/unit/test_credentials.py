"""Named credentials round-trip through a real keyring backend; failures say how to fix them."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from actui.credentials import (
    CredentialError,
    add_credential,
    add_local_credential,
    get_credential,
    list_credentials,
    remove_credential,
)
from actui.credentials.keyring_store import keyring_service

KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"


def test_credential_round_trip_and_listing() -> None:
    add_credential("acme", "https://acme.api-us1.com/", KEY)
    add_credential("beta", "https://beta.api-us1.com/api/3", "other-key")
    credential = get_credential("acme")
    assert credential.url == "https://acme.api-us1.com/api/3"
    assert credential.api_key.get_secret_value() == KEY
    assert list_credentials() == ["acme", "beta"]
    remove_credential("acme")
    assert list_credentials() == ["beta"]
    with pytest.raises(CredentialError, match=r"No credential named 'acme'.*'beta'"):
        get_credential("acme")


def test_the_key_is_in_the_keyring_file_not_in_the_state_database(
    file_keyring: PlaintextKeyring, actui_home: Path
) -> None:
    add_credential("acme", "https://acme.api-us1.com", KEY)
    reopened = PlaintextKeyring()
    reopened.file_path = file_keyring.file_path
    assert KEY in (reopened.get_password(keyring_service(), "acme") or "")
    for path in actui_home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_repr_and_str_mask_the_key() -> None:
    credential = add_credential("acme", "https://acme.api-us1.com", KEY)
    assert KEY not in repr(credential)
    assert KEY not in str(credential)
    assert KEY not in credential.model_dump_json()


def test_replacing_a_credential_keeps_one_name() -> None:
    add_credential("acme", "https://acme.api-us1.com", "old-key")
    add_credential("acme", "https://acme.api-us1.com", "new-key")
    assert list_credentials() == ["acme"]
    assert get_credential("acme").api_key.get_secret_value() == "new-key"


def test_environment_credential_needs_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("ACTUI_AC_URL", "https://ci.api-us1.com")
    monkeypatch.setenv("ACTUI_AC_KEY", KEY)
    assert get_credential("env").api_key.get_secret_value() == KEY
    assert list_credentials() == ["env"]
    monkeypatch.setenv("ACTUI_AC_NAME", "prod")
    assert get_credential("prod").url == "https://ci.api-us1.com/api/3"


def test_an_unnamed_environment_credential_says_how_to_name_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTUI_AC_URL", "https://ci.api-us1.com")
    monkeypatch.setenv("ACTUI_AC_KEY", KEY)
    with pytest.raises(CredentialError, match="ACTUI_AC_NAME=demo") as caught:
        get_credential("demo")
    assert KEY not in str(caught.value)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialError, match="ACTUI_AC_NAME=demo"):
        get_credential("demo")


def test_a_local_emulator_key_goes_to_an_owner_only_file_without_a_keyring(
    actui_home: Path,
) -> None:
    keyring.set_keyring(fail.Keyring())
    add_local_credential("demo", "http://127.0.0.1:4567", KEY)
    assert get_credential("demo").url == "http://127.0.0.1:4567/api/3"
    assert list_credentials() == ["demo"]
    kept = actui_home / "demo" / "credential.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    with pytest.raises(CredentialError):  # a real account's key never goes to a file
        add_local_credential("prod", "https://prod.api-us1.com", KEY)
    remove_credential("demo")
    assert not kept.exists() and list_credentials() == []


def test_missing_keyring_says_how_to_fix_it() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialError) as caught:
        add_credential("acme", "https://acme.api-us1.com", KEY)
    message = str(caught.value)
    assert "gnome-keyring" in message
    assert "ACTUI_AC_URL" in message and "ACTUI_AC_KEY" in message
    assert KEY not in message
    with pytest.raises(CredentialError, match="Secret Service"):
        get_credential("acme")


def test_locked_keyring_says_unlock() -> None:
    class LockedKeyring(fail.Keyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.KeyringLocked("locked")

    keyring.set_keyring(LockedKeyring())
    with pytest.raises(CredentialError, match=r"keyring is locked.*Unlock"):
        get_credential("acme")


@pytest.mark.parametrize(
    ("name", "url", "key", "says"),
    [
        ("bad name", "https://a.api-us1.com", KEY, "not a valid credential name"),
        ("acme", "http://a.api-us1.com", KEY, "must use https"),
        ("acme", "https://a.api-us1.com", "  ", "empty"),
        ("acme", "https://a.api-us1.com", "two words", "spaces"),
    ],
)
def test_bad_input_is_refused(name: str, url: str, key: str, says: str) -> None:
    with pytest.raises(Exception, match=says):
        add_credential(name, url, key)
    assert list_credentials() == []


def test_removing_an_unknown_credential_names_the_existing_ones() -> None:
    add_credential("acme", "https://acme.api-us1.com", KEY)
    with pytest.raises(CredentialError, match=r"No credential named 'nope'.*'acme'"):
        remove_credential("nope")


@pytest.mark.secret_service
def test_round_trip_through_the_secret_service(secret_service_keyring: object) -> None:
    name = "actui-test-secret-service"
    try:
        add_credential(name, "https://acme.api-us1.com", KEY)
        assert get_credential(name).api_key.get_secret_value() == KEY
    finally:
        remove_credential(name)
    with pytest.raises(CredentialError):
        get_credential(name)


def test_a_plain_file_keyring_nobody_chose_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    with pytest.raises(CredentialError, match="plain file") as caught:
        add_credential("ops", "https://acme.api-us1.com", "k-0123456789abcdef")
    assert "k-0123456789abcdef" not in str(caught.value)
    assert list_credentials() == []
