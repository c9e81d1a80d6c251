"""Named ActiveCampaign credentials: URL and API key in the OS keyring, names in the state database.

Each credential is one JSON secret ``{"url": ..., "key": ...}`` under service
``actui/<home id>`` (see :func:`actui.home.home_id`) and the credential's name, so two
``ACTUI_HOME`` folders that both name a credential ``ac`` keep two entries. An entry stored by an
earlier actui under the unscoped service ``actui`` is moved under the home's service the first
time a home that knows the name reads it. ``ACTUI_AC_URL`` + ``ACTUI_AC_KEY`` define a credential
(named by ``ACTUI_AC_NAME``, default ``env``) that never touches the keyring: for CI and headless
servers.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import keyring
import keyring.core
import keyring.errors
from pydantic import BaseModel, ConfigDict, SecretStr

from actui.activecampaign.account import is_loopback, normalize_account_url
from actui.credentials.local_file import (
    read_local_credential,
    remove_local_credential,
    write_local_credential,
)
from actui.credentials.store import (
    credential_name_list,
    forget_credential_name,
    remember_credential_name,
)
from actui.errors import ActuiError
from actui.home import home_id

#: the service of entries stored before they were scoped to a home (read once, then moved)
SERVICE = "actui"
ENV_URL = "ACTUI_AC_URL"
ENV_KEY = "ACTUI_AC_KEY"
ENV_NAME = "ACTUI_AC_NAME"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

T = TypeVar("T")


class CredentialError(ActuiError):
    """A credential is missing, malformed, or the keyring cannot be used."""


class Credential(BaseModel):
    """One ActiveCampaign account access: its API base URL and key (masked in every repr)."""

    model_config = ConfigDict(frozen=True)

    name: str
    url: str
    api_key: SecretStr


def keyring_service() -> str:
    """The keyring service of this home's credentials: ``actui/<home id>``."""
    try:
        return f"{SERVICE}/{home_id()}"
    except OSError as error:
        raise CredentialError(
            f"Cannot use the keyring: actui could not keep its home id ({error})."
        ) from None


def env_credential_name() -> str:
    """The name the environment credential answers to."""
    return os.environ.get(ENV_NAME) or "env"


def _env_credential() -> Credential | None:
    url, key = os.environ.get(ENV_URL), os.environ.get(ENV_KEY)
    if not url or not key:
        return None
    return Credential(name=env_credential_name(), url=normalize_account_url(url), api_key=key)


def _keyring(action: str, call: Callable[[], T]) -> T:
    """Run a keyring call, turning backend failures into a CredentialError that says what to do."""
    try:
        return call()
    except keyring.errors.KeyringLocked:
        problem = "the keyring is locked"
    except keyring.errors.NoKeyringError:
        problem = "no keyring (Secret Service) is available"
    except keyring.errors.KeyringError as error:
        problem = f"the keyring failed ({type(error).__name__})"
    raise CredentialError(
        f"Cannot {action}: {problem}. Unlock your keyring, or install and start a Secret Service "
        "such as gnome-keyring; or set ACTUI_AC_URL and ACTUI_AC_KEY for this process instead."
    )


def _refuse_plain_file_backend(name: str) -> None:
    """Refuse to write a key into a file-based keyring that nobody chose on purpose.

    ``keyrings.alt`` backends keep secrets in a file; keyring picks one by itself when no Secret
    Service runs. actui uses such a backend only when the user names it in
    ``PYTHON_KEYRING_BACKEND`` or in keyring's own config file.
    """
    backend = keyring.get_keyring()
    chosen = os.environ.get("PYTHON_KEYRING_BACKEND") or keyring.core.load_config() is not None
    if type(backend).__module__.startswith("keyrings.alt") and not chosen:
        raise CredentialError(
            f"Cannot store credential {name!r}: the only keyring available keeps secrets in a "
            "plain file. Install and unlock a Secret Service such as gnome-keyring, or set "
            "ACTUI_AC_URL and ACTUI_AC_KEY for this process instead."
        )


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise CredentialError(
            f"{name!r} is not a valid credential name: use up to 64 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit."
        )


def add_credential(name: str, url: str, key: str) -> Credential:
    """Store (or replace) a named credential; the URL is normalized and must be https."""
    _check_name(name)
    base = normalize_account_url(url)
    secret = key.strip()
    if not secret or any(ch.isspace() for ch in secret):
        raise CredentialError(
            "The API key is empty or contains spaces; copy it from Settings > Developer."
        )
    payload = json.dumps({"url": base, "key": secret})
    _refuse_plain_file_backend(name)
    service = keyring_service()
    _keyring(f"store credential {name!r}", lambda: keyring.set_password(service, name, payload))
    remember_credential_name(name)
    return Credential(name=name, url=base, api_key=secret)


def add_local_credential(name: str, url: str, key: str) -> Credential:
    """Store a local emulator's credential in the keyring, or, without one, in a 0600 file.

    Only for loopback URLs (the demo's sandbox): a real account's key never goes to a file.
    """
    if not is_loopback(urlsplit(normalize_account_url(url)).hostname or ""):
        raise CredentialError(
            f"Credential {name!r} is not for a local emulator: add it with "
            "'actui credentials add NAME --url URL' instead."
        )
    try:
        return add_credential(name, url, key)
    except CredentialError:
        write_local_credential(name, url, key)
        remember_credential_name(name)
        return Credential(name=name, url=normalize_account_url(url), api_key=key)


def get_credential(name: str) -> Credential:
    """The credential called ``name`` (the environment one first); CredentialError if none."""
    env = _env_credential()
    if env is not None and name == env.name:
        return env
    hint = (
        ""
        if env is None
        else f" ACTUI_AC_URL and ACTUI_AC_KEY define the credential {env.name!r}; set "
        f"ACTUI_AC_NAME={name} to give it this name instead."
    )
    service = keyring_service()
    try:
        stored = _keyring(f"read credential {name!r}", lambda: keyring.get_password(service, name))
        if stored is None:
            stored = _migrate_unscoped(name, service)
    except CredentialError as error:
        local = read_local_credential(name)
        if local is None:
            raise CredentialError(f"{error}{hint}") from None
        return Credential(name=name, url=local[0], api_key=local[1])
    if stored is None:
        local = read_local_credential(name)
        if local is not None:
            return Credential(name=name, url=local[0], api_key=local[1])
        names = list_credentials()
        known = ", ".join(repr(n) for n in names) or "none yet"
        raise CredentialError(
            f"No credential named {name!r} (credentials: {known}); add it with "
            f"'actui credentials add {name} --url URL'.{hint}"
        )
    try:
        data = json.loads(stored)
        return Credential(name=name, url=str(data["url"]), api_key=str(data["key"]))
    except (ValueError, KeyError, TypeError):
        raise CredentialError(
            f"The keyring entry of credential {name!r} is damaged; add it again with "
            f"'actui credentials add {name} --url URL'."
        ) from None


def _migrate_unscoped(name: str, service: str) -> str | None:
    """Move an entry an earlier actui stored unscoped under this home's service; its secret.

    Only a home that recorded the name claims the entry, and it is deleted from the unscoped
    service once copied, so it is never read on behalf of two homes.
    """
    if name not in credential_name_list():
        return None
    action = f"move credential {name!r} into this home's keyring entries"
    stored = _keyring(action, lambda: keyring.get_password(SERVICE, name))
    if stored is None:
        return None
    _keyring(action, lambda: keyring.set_password(service, name, stored))
    _keyring(action, lambda: _delete(SERVICE, name))
    return stored


def _delete(service: str, name: str) -> bool:
    try:
        keyring.delete_password(service, name)
    except keyring.errors.PasswordDeleteError:
        return False
    return True


def list_credentials() -> list[str]:
    """Every credential name (stored ones, plus the environment one when it is set)."""
    names = credential_name_list()
    env = _env_credential()
    if env is not None and env.name not in names:
        names = sorted([*names, env.name])
    return names


def remove_credential(name: str) -> None:
    """Delete a stored credential from the keyring and the name list."""

    service = keyring_service()
    known_here = name in credential_name_list()

    def delete() -> bool:
        deleted = _delete(service, name)
        if not deleted and known_here:  # never read since the scoping: still unscoped
            deleted = _delete(SERVICE, name)
        return deleted

    local = remove_local_credential(name)
    try:
        deleted = _keyring(f"remove credential {name!r}", delete) or local
    except CredentialError:
        if not local:
            raise
        deleted = True
    forgotten = forget_credential_name(name)
    if not deleted and not forgotten:
        known = ", ".join(repr(n) for n in credential_name_list()) or "none"
        raise CredentialError(f"No credential named {name!r} to remove (credentials: {known}).")
