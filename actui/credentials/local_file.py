"""A credential for a local emulator kept in a 0600 file, for machines without a Secret Service.

Only loopback URLs are accepted: the key belongs to the sandbox on this machine (the demo's), never
to a real ActiveCampaign account, whose keys live in the OS keyring only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from actui.activecampaign.account import is_loopback, normalize_account_url
from actui.errors import ActuiError
from actui.home import home_dir


def local_credential_path() -> Path:
    """The file: ``ACTUI_HOME/demo/credential.json``."""
    return home_dir() / "demo" / "credential.json"


def write_local_credential(name: str, url: str, key: str) -> None:
    """Keep a loopback credential in the 0600 file (replacing any other one there)."""
    base = normalize_account_url(url)
    if not is_loopback(urlsplit(base).hostname or ""):
        raise ActuiError("Only a local emulator's key may be kept outside the keyring.")
    path = local_credential_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"name": name, "url": base, "key": key}, handle)
    os.replace(partial, path)


def read_local_credential(name: str) -> tuple[str, str] | None:
    """The (url, key) kept in the file under ``name``, or None."""
    path = local_credential_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("name") != name:
        return None
    url, key = data.get("url"), data.get("key")
    if not isinstance(url, str) or not isinstance(key, str):
        return None
    if not is_loopback(urlsplit(url).hostname or ""):
        return None
    return url, key


def remove_local_credential(name: str) -> bool:
    """Delete the file when it holds ``name``; True when it did."""
    if read_local_credential(name) is None:
        return False
    local_credential_path().unlink(missing_ok=True)
    return True
