"""Stops the SQL of a count that a newer edit replaced, so stale scans do not compete for the CPU.

A cancelled worker cannot stop a statement the database is running; this module tracks the
statements that tagged worker threads are executing on a source's engine and interrupts them
(``sqlite3.Connection.interrupt``, ``psycopg.Connection.cancel``) when asked.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


class QueryInterrupter:
    """The statements tagged threads run on one engine, to interrupt them by tag."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._running: dict[int, tuple[object, Any]] = {}  # thread id -> (tag, DBAPI connection)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "handle_error", self._failed)

    @contextmanager
    def tagged(self, tag: object) -> Iterator[None]:
        """Mark the statements this thread runs inside the block with ``tag``."""
        self._local.tag = tag
        try:
            yield
        finally:
            self._local.tag = None

    def interrupt(self, tag: object) -> int:
        """Interrupt every statement running under ``tag`` now; how many were interrupted."""
        with self._lock:
            targets = [conn for held, conn in self._running.values() if held == tag]
            for dbapi_connection in targets:  # under the lock: the statement is still running
                _interrupt(dbapi_connection)
        return len(targets)

    def _before(self, conn: Connection, *_: Any) -> None:
        tag = getattr(self._local, "tag", None)
        if tag is None:
            return
        dbapi_connection = conn.connection.dbapi_connection
        with self._lock:
            self._running[threading.get_ident()] = (tag, dbapi_connection)

    def _after(self, *_: Any) -> None:
        if getattr(self._local, "tag", None) is not None:
            with self._lock:
                self._running.pop(threading.get_ident(), None)

    def _failed(self, *_: Any) -> None:
        self._after()


def _interrupt(dbapi_connection: Any) -> None:
    """Ask the driver to stop the connection's running statement (SQLite or PostgreSQL)."""
    for name in ("interrupt", "cancel_safe", "cancel"):
        stop = getattr(dbapi_connection, name, None)
        if callable(stop):
            with suppress(Exception):  # the statement ended meanwhile, or the driver cannot cancel
                stop()
            return


_interrupters: weakref.WeakKeyDictionary[Engine, QueryInterrupter] = weakref.WeakKeyDictionary()
_interrupters_lock = threading.Lock()


def interrupter_for(engine: Engine) -> QueryInterrupter:
    """The engine's interrupter, created (and its listeners added) once."""
    with _interrupters_lock:
        found = _interrupters.get(engine)
        if found is None:
            found = _interrupters[engine] = QueryInterrupter(engine)
        return found
