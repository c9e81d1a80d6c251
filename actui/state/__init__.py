"""actui's local state database (SQLite under ACTUI_HOME): one engine, one MetaData for every store.

Each domain package declares its own tables on :data:`metadata` in its ``store`` module and calls
:func:`state_engine` to reach them; tables are created on first use.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event

from actui.home import state_db_path, touch_private

metadata = MetaData()

_engines: dict[Path, Engine] = {}
_lock = threading.Lock()


def state_engine(path: Path | None = None) -> Engine:
    """The engine of the state database at ``path`` (default: ACTUI_HOME/state.db), created 0600."""
    path = (path or state_db_path()).resolve()
    with _lock:
        engine = _engines.get(path)
        if engine is None:
            # Only create the file here: opening and closing an existing database outside SQLite
            # would drop the POSIX locks this process's other connections hold on it.
            if not path.exists():
                touch_private(path)
            engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            metadata.create_all(engine)
            _engines[path] = engine
        return engine


def ensure_tables(engine: Engine) -> None:
    """Create any table declared after the engine was first opened (idempotent, thread-safe)."""
    with _lock:
        metadata.create_all(engine)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def reset_engines() -> None:
    """Dispose every cached engine (tests switch ACTUI_HOME between cases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
