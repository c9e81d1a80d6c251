"""A connected Customer 360: tables, columns, row counts, picklists, the email column; read-only."""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from actui.config import SourceSettings
from actui.source.catalog import (
    ColumnInfo,
    Picklist,
    RowCount,
    SourceError,
    column_info,
)
from actui.source.connect import connect_error, create_source_engine, parse_source_url
from actui.source.emails import (
    CONTENT_MIN_SHARE,
    CONTENT_SAMPLE_SIZE,
    email_column_by_name,
    email_share,
    text_columns,
)
from actui.source.picklists import SAMPLE_THRESHOLD_ROWS, sample_of, top_values
from actui.source.timeouts import SqliteDeadline, start_read

#: PostgreSQL tables whose planner statistics say more rows than this get an estimated count
ESTIMATE_ABOVE_ROWS = 5_000_000
#: the longest a single read may run before it is cancelled (PostgreSQL: by the server)
STATEMENT_TIMEOUT_MS = 120_000
#: the same for a PostgreSQL read streamed to its last row as one statement (a campaign's rows,
#: about 4 s a million): it lasts as long as the reader takes, so it gets far more than a query
STREAMED_READ_TIMEOUT_MS = 30 * 60 * 1000

_PicklistKey = tuple[str, str, int]


class Source:
    """A Customer 360 database opened by URL, read through a pooled, thread-safe engine.

    Reflected tables, picklists and email columns are cached for the life of the object; the
    TUI calls every method from worker threads.
    """

    url: str
    display_url: str
    engine: sa.Engine
    dialect: str
    settings: SourceSettings

    def __init__(self, url: str, engine: sa.Engine, display_url: str, settings: SourceSettings):
        self.url = url
        self.engine = engine
        self.display_url = display_url
        self.dialect = engine.dialect.name
        self.settings = settings
        self._lock = threading.Lock()
        self._table_names: list[str] | None = None
        self._tables: dict[str, sa.Table] = {}
        self._metadata = sa.MetaData()
        self._picklists: dict[_PicklistKey, Picklist] = {}
        self._picklist_locks: dict[_PicklistKey, threading.Lock] = {}
        self._email_columns: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Source({self.display_url!r})"

    @classmethod
    def connect(cls, url: str, settings: SourceSettings | None = None) -> Source:
        """Open the Customer 360 at a SQLAlchemy ``url`` and check that it answers.

        Raises :class:`SourceError` (one sentence, no password) when the URL is malformed, the
        SQLite file is missing, or the server cannot be reached or refuses the login.
        """
        parsed = parse_source_url(url)
        display_url = parsed.render_as_string(hide_password=True)
        engine = create_source_engine(parsed)
        try:
            with engine.connect() as connection:
                if engine.dialect.name == "sqlite":  # also proves the file is a SQLite database
                    connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                else:
                    connection.exec_driver_sql("SELECT 1").scalar()
        except (SQLAlchemyError, OSError) as error:
            engine.dispose()
            raise connect_error(parsed, error) from None
        return cls(url, engine, display_url, settings or SourceSettings())

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def refresh(self) -> None:
        """Forget everything cached, to see tables and values changed since."""
        with self._lock:
            self._table_names = None
            self._tables.clear()
            self._metadata = sa.MetaData()
            self._picklists.clear()
            self._email_columns.clear()

    # -- catalog -------------------------------------------------------------------------------

    def tables(self) -> list[str]:
        """The tables and views, sorted by name."""
        with self._lock:
            if self._table_names is None:
                self._table_names = self._reflect_names()
            return list(self._table_names)

    def _reflect_names(self) -> list[str]:
        try:
            inspector = sa.inspect(self.engine)
            names = set(inspector.get_table_names()) | set(inspector.get_view_names())
        except SQLAlchemyError as error:
            raise self._read_error("list the tables", error) from None
        return sorted(names)

    def table(self, name: str) -> sa.Table:
        """The reflected table ``name`` (reflected once, then cached)."""
        with self._lock:
            cached = self._tables.get(name)
        if cached is not None:
            return cached
        names = self.tables()
        if name not in names:
            raise SourceError(_missing("table", name, names, f"in {self.display_url}"))
        try:
            with self._lock:
                cached = self._tables.get(name)
                if cached is None:
                    cached = sa.Table(name, self._metadata, autoload_with=self.engine)
                    self._tables[name] = cached
        except SQLAlchemyError as error:
            raise self._read_error(f"read the columns of table {name}", error) from None
        return cached

    def columns(self, table: str) -> list[ColumnInfo]:
        """The columns of ``table`` in table order, with their kinds."""
        dialect = self.engine.dialect
        return [column_info(column, dialect) for column in self.table(table).columns]

    def column(self, table: str, name: str) -> ColumnInfo:
        """One column of ``table``; the error names the nearest existing columns."""
        columns = self.table(table).columns
        if name not in columns:
            names = [column.name for column in columns]
            raise SourceError(_missing("column", name, names, f"in table {table}"))
        return column_info(columns[name], self.engine.dialect)

    # -- reads ---------------------------------------------------------------------------------

    @contextmanager
    def read_only(self) -> Iterator[sa.Connection]:
        """A connection that cannot write (and, on PostgreSQL, cannot run forever).

        SQLite: ``PRAGMA query_only`` for the time of the block and a per-statement deadline
        (:mod:`actui.source.timeouts`). PostgreSQL: a read-only transaction with a statement
        timeout. The transaction is rolled back at the end.
        """
        deadline = SqliteDeadline(STATEMENT_TIMEOUT_MS / 1000)
        with self.engine.connect() as connection:
            if self.dialect == "sqlite":
                connection.exec_driver_sql("PRAGMA query_only=ON")
                deadline.install(connection.connection.driver_connection)
                sa.event.listen(connection, "before_cursor_execute", deadline.restart)
            elif self.dialect == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                connection.exec_driver_sql(
                    f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}"
                )
            else:  # MySQL, MariaDB and the warehouses (see read_only_statements)
                start_read(connection, STATEMENT_TIMEOUT_MS)
            try:
                yield connection
            finally:
                connection.rollback()
                if self.dialect == "sqlite":
                    sa.event.remove(connection, "before_cursor_execute", deadline.restart)
                    SqliteDeadline.remove(connection.connection.driver_connection)
                    connection.exec_driver_sql("PRAGMA query_only=OFF")

    def row_count(self, table: str) -> RowCount:
        """How many rows ``table`` has: exact, except huge PostgreSQL tables (estimated)."""
        reflected = self.table(table)
        try:
            with self.read_only() as connection:
                if self.dialect == "postgresql":
                    estimate = _pg_estimated_rows(connection, reflected)
                    if estimate > ESTIMATE_ABOVE_ROWS:
                        return RowCount(rows=estimate, estimated=True)
                rows = connection.execute(
                    sa.select(sa.func.count()).select_from(reflected)
                ).scalar_one()
        except SQLAlchemyError as error:
            raise self._read_error(f"count the rows of table {table}", error) from None
        return RowCount(rows=int(rows), estimated=False)

    def picklist(self, table: str, column: str, limit: int = 50) -> Picklist:
        """The ``limit`` most frequent values of a column, cached for the life of the Source.

        Tables above :data:`~actui.source.picklists.SAMPLE_THRESHOLD_ROWS` rows are sampled; the
        picklist then says so and its counts are sample counts.
        """
        if limit < 1:
            raise SourceError(f"A picklist needs a limit of at least 1 (got {limit}).")
        key = (table, column, limit)
        with self._lock:
            cached = self._picklists.get(key)
            if cached is not None:
                return cached
            key_lock = self._picklist_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                cached = self._picklists.get(key)
            if cached is None:
                cached = self._build_picklist(table, column, limit)
                with self._lock:
                    self._picklists[key] = cached
        return cached

    def _build_picklist(self, table: str, column: str, limit: int) -> Picklist:
        self.column(table, column)
        reflected = self.table(table)
        count = self.row_count(table)
        sampled = count.rows > SAMPLE_THRESHOLD_ROWS
        try:
            with self.read_only() as connection:
                source = (
                    sample_of(connection, reflected, column, count.rows) if sampled else reflected
                )
                found = top_values(connection, source, column, limit)
        except SQLAlchemyError as error:
            raise self._read_error(f"list the values of {table}.{column}", error) from None
        note = None
        if sampled:
            about = "about " if count.estimated else ""
            note = (
                f"Counts are from a sample of {found.rows_seen:,} of {about}{count.rows:,} rows, "
                "not the whole table."
            )
        return Picklist(
            table=table,
            column=column,
            entries=found.entries,
            sampled=sampled,
            sample_rows=found.rows_seen if sampled else None,
            capped=found.capped,
            note=note,
        )

    def email_column(self, table: str | None = None) -> str:
        """The column of ``table`` (default: the segment table) that holds email addresses.

        The configured ``email_column`` wins; otherwise a usual name (``email``,
        ``email_address``...); otherwise the text column whose sampled values look like emails.
        """
        table = table or self.settings.segment_table
        with self._lock:
            cached = self._email_columns.get(table)
        if cached is not None:
            return cached
        configured = self.settings.email_column
        if configured:
            found = self.column(table, configured).name
        else:
            columns = self.columns(table)
            found = email_column_by_name(columns) or self._email_column_by_content(
                table, text_columns(columns)
            )
        with self._lock:
            self._email_columns[table] = found
        return found

    def _email_column_by_content(self, table: str, candidates: list[str]) -> str:
        reflected = self.table(table)
        best_name, best_share = None, 0.0
        try:
            with self.read_only() as connection:
                for name in candidates:
                    column = reflected.c[name]
                    values = connection.execute(
                        sa.select(column).where(column.is_not(None)).limit(CONTENT_SAMPLE_SIZE)
                    ).scalars()
                    share = email_share(values)
                    if share > best_share:
                        best_name, best_share = name, share
        except SQLAlchemyError as error:
            raise self._read_error(f"look for the email column of table {table}", error) from None
        if best_name is None or best_share < CONTENT_MIN_SHARE:
            raise SourceError(
                f"Table {table} has no column that looks like email addresses: set the email "
                "column in the settings (source.email_column) or pick another table."
            )
        return best_name

    def check_settings(self) -> None:
        """Make sure the configured tables, key and email column exist (SourceError otherwise)."""
        settings = self.settings
        for table in (settings.segment_table, settings.attribute_table):
            self.column(table, settings.customer_key)
        self.email_column(settings.segment_table)

    def _read_error(self, action: str, error: SQLAlchemyError) -> SourceError:
        return SourceError(f"Could not {action} in {self.display_url}: {_reason(error)}.")


def _missing(kind: str, name: str, existing: list[str], where: str) -> str:
    """'There is no table X in Y: did you mean A or B?' (or the list of what exists)."""
    lowered = {candidate.lower(): candidate for candidate in existing}
    close = difflib.get_close_matches(name, existing, n=3, cutoff=0.6)
    if name.lower() in lowered and lowered[name.lower()] not in close:
        close.insert(0, lowered[name.lower()])
    if close:
        hint = "did you mean " + " or ".join(close) + "?"
    elif existing:
        shown = ", ".join(existing[:12]) + (", ..." if len(existing) > 12 else "")
        hint = f"the {kind}s are {shown}."
    else:
        hint = f"there are no {kind}s."
    return f"There is no {kind} {name!r} {where}: {hint}"


def _pg_estimated_rows(connection: sa.Connection, table: sa.Table) -> int:
    """PostgreSQL's planner estimate of a table's rows (-1 or 0 when never analysed)."""
    qualified = connection.dialect.identifier_preparer.format_table(table)
    estimate = connection.execute(
        sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": qualified},
    ).scalar()
    return int(estimate or 0)


def _reason(error: BaseException) -> str:
    """The first line of a driver's message, without SQLAlchemy's background links."""
    original: Any = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0].rstrip(".") if text else type(original).__name__
