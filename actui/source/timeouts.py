"""Statement timeouts where the database needs help: SQLite, and the settings of the others.

SQLite has none of its own: a progress handler with a deadline. Each statement gets
:data:`budget` seconds of *execution* time. Time the caller spends between fetches (a send
consuming a stream slowly) does not count: when the handler has not been called for longer than
:data:`IDLE_GAP` seconds, the statement was paused, and its deadline moves by that gap.

The other databases have settings, with different names and units (:func:`read_only_statements`),
except DuckDB, whose statements a timer interrupts (:class:`DuckDBWatchdog`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, event
from sqlalchemy.engine import ExceptionContext

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
    Databricks' ``STATEMENT_TIMEOUT`` (seconds) are session settings. DuckDB (see
    :class:`DuckDBWatchdog`) and BigQuery have no statement timeout to set in SQL: nothing.
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


class DuckDBWatchdog:
    """Interrupts a DuckDB statement whose execution outlasts the statement timeout.

    DuckDB has no timeout setting. A timer starts with each statement and interrupts the
    connection when it fires; the statement's return (its rows computed: for a campaign, the
    sort) stops it, so the time a reader spends between fetches never counts.
    """

    def __init__(self, budget_ms: Callable[[], float]) -> None:
        self.budget_ms = budget_ms

    def install(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._start)
        event.listen(engine, "after_cursor_execute", self._stop)
        event.listen(engine, "handle_error", self._stop_on_error)

    def _start(self, connection: Connection, *_: Any) -> None:
        driver = connection.connection.driver_connection
        timer = threading.Timer(self.budget_ms() / 1000, driver.interrupt)  # type: ignore[union-attr]
        timer.daemon = True
        connection.info[_TIMER] = timer
        timer.start()

    @staticmethod
    def _stop(connection: Connection, *_: Any) -> None:
        timer = connection.info.pop(_TIMER, None)
        if timer is not None:
            timer.cancel()

    def _stop_on_error(self, context: ExceptionContext) -> None:
        if context.connection is not None:
            self._stop(context.connection)


_TIMER = "actui_duckdb_timer"
