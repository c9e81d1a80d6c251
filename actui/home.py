"""Where actui keeps its config, state database and logs: ``ACTUI_HOME`` or the user data dir."""

from __future__ import annotations

import os
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
