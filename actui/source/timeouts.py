"""Statement timeouts where the database needs help: SQLite, MySQL and MariaDB.

SQLite has none of its own: a progress handler with a deadline. Each statement gets
:data:`budget` seconds of *execution* time. Time the caller spends between fetches (a send
consuming a stream slowly) does not count: when the handler has not been called for longer than
:data:`IDLE_GAP` seconds, the statement was paused, and its deadline moves by that gap.

MySQL and MariaDB have settings, with different names and units (:func:`start_mysql_read`).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection

#: how many SQLite virtual-machine steps pass between two checks of the deadline
CHECK_EVERY_STEPS = 20_000
#: a gap between two checks longer than this means the caller was not fetching
IDLE_GAP = 0.25


class SqliteDeadline:
    """Interrupts a statement on a sqlite3 connection once it has run ``budget`` seconds."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self._deadline = time.monotonic() + budget
        self._last_check = time.monotonic()

    def restart(self, *_: Any) -> None:
        """Start the clock for a new statement (a SQLAlchemy ``before_cursor_execute`` hook)."""
        now = time.monotonic()
        self._deadline = now + self.budget
        self._last_check = now

    def __call__(self) -> int:
        now = time.monotonic()
        gap = now - self._last_check
        if gap > IDLE_GAP:
            self._deadline += gap
        self._last_check = now
        return 1 if now > self._deadline else 0

    def install(self, dbapi_connection: Any) -> None:
        dbapi_connection.set_progress_handler(self, CHECK_EVERY_STEPS)

    @staticmethod
    def remove(dbapi_connection: Any) -> None:
        dbapi_connection.set_progress_handler(None, CHECK_EVERY_STEPS)


def start_mysql_read(connection: Connection, timeout_ms: int) -> None:
    """Make ``connection``'s next transaction read-only, each statement limited to ``timeout_ms``.

    MySQL limits a ``SELECT`` with ``max_execution_time`` (milliseconds), MariaDB any statement
    with ``max_statement_time`` (seconds). Both are set for the session: a Source's connections
    only read.
    """
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    _set_mysql_timeout(connection, timeout_ms)


def allow_mysql_streamed_read(connection: Connection, timeout_ms: int) -> None:
    """Let one streamed ``SELECT`` on MySQL or MariaDB last ``timeout_ms`` and wait for its reader.

    A streamed read is one statement until its last row is read, and the server waits
    ``net_write_timeout`` seconds for a reader that has stopped reading (a send waiting for its
    senders) before it drops the connection: both get the read's own, longer limit.
    """
    _set_mysql_timeout(connection, timeout_ms)
    connection.exec_driver_sql(f"SET SESSION net_write_timeout = {max(60, timeout_ms // 1000)}")


def _set_mysql_timeout(connection: Connection, timeout_ms: int) -> None:
    if getattr(connection.dialect, "is_mariadb", False):
        connection.exec_driver_sql(f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}")
    else:
        connection.exec_driver_sql(f"SET SESSION max_execution_time = {int(timeout_ms)}")
