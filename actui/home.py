"""Where actui keeps its config, state database and logs: ``ACTUI_HOME`` or the user data dir."""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path
from typing import IO, Any

import platformdirs

HOME_ENV = "ACTUI_HOME"


def home_dir() -> Path:
    """Return actui's home folder, creating it (mode 0700) when missing."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        path = Path(configured).expanduser()
    else:
        path = Path(platformdirs.user_data_dir("actui"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


HOME_ID_FILE = "home-id"
_HOME_ID = re.compile(r"^[0-9a-f]{32}$")


def home_id() -> str:
    """A stable id of this home (32 hex digits), made at first use and kept in the home.

    It scopes what lives outside the home, such as keyring entries, so two homes never read
    each other's. Creation is atomic: concurrent first uses agree on one id.
    """
    path = home_dir() / HOME_ID_FILE
    for _ in range(2):
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError):
            text = "unreadable"
        if _HOME_ID.match(text):
            return text
        if text:  # damaged: replace it (entries under the old id are migrated like unscoped)
            path.unlink(missing_ok=True)
        _create_home_id(path)
    raise OSError(f"Cannot keep an id in {path}: check that the folder is writable.")


def _create_home_id(path: Path) -> None:
    draft = path.with_name(f".{HOME_ID_FILE}.{os.getpid()}.{uuid.uuid4().hex}")
    try:
        with open_private(draft) as handle:
            handle.write(uuid.uuid4().hex + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs wins
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def state_db_path() -> Path:
    """The SQLite state database: saved segments, campaigns, destinations, runs, snapshots."""
    return home_dir() / "state.db"


def config_path() -> Path:
    """The JSON config file (no secrets: credentials are referred to by name)."""
    return home_dir() / "config.json"


def logs_dir() -> Path:
    """Run logs and verbose rejected-email files."""
    path = home_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def touch_private(path: Path) -> Path:
    """Create ``path`` (and parents) readable by its owner only (0600), keeping any content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def open_private(
    path: Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> IO[Any]:
    """Open a file only its owner can read (0600): for anything holding customer data."""
    touch_private(path)
    return open(path, mode, encoding=encoding, newline=newline)
