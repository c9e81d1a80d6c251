"""Where the embedded demo keeps its Customer 360: ``ACTUI_HOME/demo/customer360.db``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from actui.demo.data import write_demo_sqlite
from actui.home import home_dir

#: customers in the demo database ``actui demo`` opens
DEMO_ROWS = 100_000

_create_lock = threading.Lock()


def demo_db_path() -> Path:
    """The demo database's path (the file may not exist yet)."""
    return home_dir() / "demo" / "customer360.db"


def ensure_demo_db(rows: int = DEMO_ROWS, on_progress: Callable[[int], None] | None = None) -> Path:
    """Return the demo database, writing it first when it does not exist yet.

    ``on_progress`` gets the rows written so far while it is written.
    """
    path = demo_db_path()
    with _create_lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_demo_sqlite(path, rows, on_progress=on_progress)
    return path
