"""Statement timeouts where the database needs help: SQLite, and the settings of the others.

SQLite has none of its own: a progress handler with a deadline. Each statement gets
:data:`budget` seconds of *execution* time. Time the caller spends between fetches (a send
consuming a stream slowly) does not count: when the handler has not been called for longer than
:data:`IDLE_GAP` seconds, the statement was paused, and its deadline moves by that gap.

The other databases have settings, with different names and units (:func:`read_only_statements`).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Dialect

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


def read_only_statements(dialect: Dialect, timeout_ms: int) -> list[str]:
    """What makes a connection of ``dialect`` read only and limits each of its statements.

    Run before a read, outside PostgreSQL and SQLite (which :meth:`Source.read_only` handles
    itself). MySQL limits a ``SELECT`` with ``max_execution_time`` (milliseconds) and MariaDB
    any statement with ``max_statement_time`` (seconds); Snowflake's
    ``STATEMENT_TIMEOUT_IN_SECONDS``, Redshift's ``statement_timeout`` (milliseconds) and
    Databricks' ``STATEMENT_TIMEOUT`` (seconds) are session settings. DuckDB and BigQuery have
    no statement timeout to set in SQL: nothing.
    """
    seconds = max(1, timeout_ms // 1000)
    name = dialect.name
    if name in ("mysql", "mariadb"):
        return ["SET TRANSACTION READ ONLY", _mysql_timeout(dialect, timeout_ms)]
    if name == "snowflake":
        return [f"ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = {seconds}"]
    if name == "redshift":
        return [f"SET statement_timeout TO {int(timeout_ms)}"]
    if name == "databricks":
        return [f"SET STATEMENT_TIMEOUT = {seconds}"]
    return []


def start_read(connection: Connection, timeout_ms: int) -> None:
    """Run :func:`read_only_statements` on ``connection`` (the settings last for its session)."""
    for statement in read_only_statements(connection.dialect, timeout_ms):
        connection.exec_driver_sql(statement)


def allow_mysql_streamed_read(connection: Connection, timeout_ms: int) -> None:
    """Let one streamed ``SELECT`` on MySQL or MariaDB last ``timeout_ms`` and wait for its reader.

    A streamed read is one statement until its last row is read, and the server waits
    ``net_write_timeout`` seconds for a reader that has stopped reading (a send waiting for its
    senders) before it drops the connection: both get the read's own, longer limit.
    """
    connection.exec_driver_sql(_mysql_timeout(connection.dialect, timeout_ms))
    connection.exec_driver_sql(f"SET SESSION net_write_timeout = {max(60, timeout_ms // 1000)}")


def _mysql_timeout(dialect: Dialect, timeout_ms: int) -> str:
    if getattr(dialect, "is_mariadb", False):
        return f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}"
    return f"SET SESSION max_execution_time = {int(timeout_ms)}"
