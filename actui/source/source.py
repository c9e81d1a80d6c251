"""A connected Customer 360: tables, columns, row counts, picklists, the email column; read-only."""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import BaseModel
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
from actui.source.detect import (
    ATTRIBUTE_TABLE_NAME,
    ORIGIN_EMAIL_CONTENT,
    ORIGIN_EMAIL_NAME,
    ORIGIN_EMAIL_TABLE,
    ORIGIN_LARGEST,
    ORIGIN_LARGEST_EMAIL_TABLE,
    ORIGIN_NAME_CHECK,
    ORIGIN_NONE,
    ORIGIN_PRIMARY_KEY,
    ORIGIN_SAVED,
    ORIGIN_SEGMENT_TABLE,
    ORIGIN_USUAL_NAME,
    SEGMENT_TABLE_NAME,
    KeyChoice,
    KeyStats,
    declared_key,
    find_named,
    key_candidates,
    key_stats,
)
from actui.source.emails import (
    CONTENT_MIN_SHARE,
    CONTENT_SAMPLE_SIZE,
    email_column_by_name,
    email_share,
    text_columns,
)
from actui.source.picklists import SAMPLE_THRESHOLD_ROWS, sample_of, top_values
from actui.source.store import MemoryDetections
from actui.source.timeouts import SqliteDeadline, start_read

#: PostgreSQL tables whose planner statistics say more rows than this get an estimated count
ESTIMATE_ABOVE_ROWS = 5_000_000
#: the longest a single read may run before it is cancelled (PostgreSQL: by the server)
STATEMENT_TIMEOUT_MS = 120_000
#: the same for a PostgreSQL read streamed to its last row as one statement (a campaign's rows,
#: about 4 s a million): it lasts as long as the reader takes, so it gets far more than a query
STREAMED_READ_TIMEOUT_MS = 30 * 60 * 1000

_PicklistKey = tuple[str, str, int]


class Detections(Protocol):
    """Where a Source remembers what it detected (the state database, or memory)."""

    def get(self, name: str) -> Any: ...

    def put(self, name: str, value: Any) -> None: ...

    def forget(self, name: str) -> None: ...


class Setting(BaseModel):
    """One source setting as in effect: its value and where it came from."""

    name: str
    value: str | None
    origin: str


class Source:
    """A Customer 360 database opened by URL, read through a pooled, thread-safe engine.

    ``settings`` holds the user's overrides; everything they leave unset (segment table,
    attribute table, each table's customer key, email column) is detected on first use and
    remembered in ``detections``. Reflected tables, picklists and email columns are cached for the
    life of the object; the TUI calls every method from worker threads.
    """

    url: str
    display_url: str
    engine: sa.Engine
    dialect: str
    settings: SourceSettings

    def __init__(
        self,
        url: str,
        engine: sa.Engine,
        display_url: str,
        settings: SourceSettings,
        detections: Detections | None = None,
    ):
        self.url = url
        self.engine = engine
        self.display_url = display_url
        self.dialect = engine.dialect.name
        self.settings = settings
        self.detections: Detections = detections or MemoryDetections()
        self._keys: dict[str, KeyChoice] = {}
        self._segment_table: Setting | None = None
        self._lock = threading.Lock()
        self._table_names: list[str] | None = None
        self._tables: dict[str, sa.Table] = {}
        self._metadata = sa.MetaData()
        self._picklists: dict[_PicklistKey, Picklist] = {}
        self._picklist_locks: dict[_PicklistKey, threading.Lock] = {}
        self._email_columns: dict[str, Setting] = {}

    def __repr__(self) -> str:
        return f"Source({self.display_url!r})"

    @classmethod
    def connect(
        cls,
        url: str,
        settings: SourceSettings | None = None,
        detections: Detections | None = None,
    ) -> Source:
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
        return cls(url, engine, display_url, settings or SourceSettings(), detections)

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
            self._keys.clear()
            self._segment_table = None

    # -- catalog -------------------------------------------------------------------------------

    def tables(self) -> list[str]:
        """The tables and views, sorted by name."""
        with self._lock:
            if self._table_names is None:
                self._table_names = self._reflect_names()
            return list(self._table_names)

    def _reflect_names(self, schema: str | None = None) -> list[str]:
        schema = schema or self.settings.default_schema
        try:
            inspector = sa.inspect(self.engine)
            names = set(inspector.get_table_names(schema=schema)) | set(
                inspector.get_view_names(schema=schema)
            )
        except SQLAlchemyError as error:
            where = f" of schema {schema}" if schema else ""
            raise self._read_error(f"list the tables{where}", error) from None
        return sorted(names)

    def table(self, name: str) -> sa.Table:
        """The reflected table ``name`` (reflected once, then cached).

        ``name`` is a table or view of the default schema (see ``default_schema``), or
        ``schema.table`` for one in another schema.
        """
        with self._lock:
            cached = self._tables.get(name)
        if cached is not None:
            return cached
        schema, table_name = self._locate(name)
        try:
            with self._lock:
                cached = self._tables.get(name)
                if cached is None:
                    cached = sa.Table(
                        table_name, self._metadata, schema=schema, autoload_with=self.engine
                    )
                    self._tables[name] = cached
        except SQLAlchemyError as error:
            raise self._read_error(f"read the columns of table {name}", error) from None
        return cached

    def _locate(self, name: str) -> tuple[str | None, str]:
        """The schema and table of ``name``; a SourceError naming the nearest tables if none."""
        names = self.tables()
        if name in names:
            return self.settings.default_schema, name
        schema, dot, table_name = name.partition(".")
        if dot and schema and table_name:
            try:
                in_schema = self._reflect_names(schema)
            except SourceError:
                in_schema = []
            if table_name in in_schema:
                return schema, table_name
            if in_schema:
                raise SourceError(_missing("table", table_name, in_schema, f"in schema {schema}"))
        raise SourceError(_missing("table", name, names, f"in {self.display_url}"))

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

        The saved ``email_column`` wins where the table has it; otherwise a usual name
        (``email``, ``Email``, ``email_address``...); otherwise the text column whose sampled
        values look like emails.
        """
        return self._email_setting(table or self.segment_table).value or ""

    def _email_setting(self, table: str) -> Setting:
        with self._lock:
            cached = self._email_columns.get(table)
        if cached is not None:
            return cached
        configured = self.settings.email_column
        columns = self.columns(table)
        names = [column.name for column in columns]
        if configured and (configured in names or table == self.segment_table):
            found = Setting(
                name="email_column", value=self.column(table, configured).name, origin=ORIGIN_SAVED
            )
        elif by_name := email_column_by_name(columns):
            found = Setting(name="email_column", value=by_name, origin=ORIGIN_EMAIL_NAME)
        else:
            found = Setting(
                name="email_column",
                value=self._email_column_by_content(table, text_columns(columns)),
                origin=ORIGIN_EMAIL_CONTENT,
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
                "column with 'actui source set --email-column COLUMN' or pick another table."
            )
        return best_name

    # -- the shape of the Customer 360 ------------------------------------------------------------

    @property
    def segment_table(self) -> str:
        """The table segments filter by default: saved, else detected (see :mod:`.detect`)."""
        return self._segment_table_setting().value or ""

    def _segment_table_setting(self) -> Setting:
        saved = self.settings.segment_table
        if saved:
            return Setting(name="segment_table", value=saved, origin=ORIGIN_SAVED)
        with self._lock:
            cached = self._segment_table
        if cached is not None:
            return cached
        names = self.tables()
        remembered = self.detections.get("segment_table")
        if isinstance(remembered, dict) and remembered.get("value") in names:
            found = Setting.model_validate(remembered)
        else:
            found = self._detect_segment_table(names)
            self.detections.put("segment_table", found.model_dump())
        with self._lock:
            self._segment_table = found
        return found

    def _detect_segment_table(self, names: list[str]) -> Setting:
        if not names:
            raise SourceError(
                f"{self.display_url} has no tables: connect the database that holds your "
                "customers (or a schema with 'actui source set --default-schema')."
            )
        usual = find_named(names, SEGMENT_TABLE_NAME)
        if usual is not None:
            return Setting(name="segment_table", value=usual, origin=ORIGIN_USUAL_NAME)
        with_email = [name for name in names if email_column_by_name(self.columns(name))]
        if len(with_email) == 1:
            return Setting(name="segment_table", value=with_email[0], origin=ORIGIN_EMAIL_TABLE)
        pool = with_email or names
        largest = max(pool, key=lambda name: (self.row_count(name).rows, name))
        origin = ORIGIN_LARGEST_EMAIL_TABLE if with_email else ORIGIN_LARGEST
        return Setting(name="segment_table", value=largest, origin=origin)

    @property
    def attribute_table(self) -> str:
        """The table a send reads attributes from: saved, else detected (see :mod:`.detect`)."""
        return self._attribute_table_setting().value or ""

    def _attribute_table_setting(self) -> Setting:
        saved = self.settings.attribute_table
        if saved:
            return Setting(name="attribute_table", value=saved, origin=ORIGIN_SAVED)
        segment_table = self.segment_table
        usual = find_named(self.tables(), ATTRIBUTE_TABLE_NAME)
        key = self.customer_key(segment_table)
        if (
            usual is not None
            and usual != segment_table
            and key is not None
            and key in self.table(usual).columns
        ):
            return Setting(name="attribute_table", value=usual, origin=ORIGIN_USUAL_NAME)
        return Setting(name="attribute_table", value=segment_table, origin=ORIGIN_SEGMENT_TABLE)

    def key(self, table: str) -> KeyChoice:
        """``table``'s customer key, how it was found and whether it is unique.

        The saved ``customer_key`` wins for every table that has that column; otherwise the
        key is detected (see :mod:`.detect`), once, and remembered for this database.
        """
        with self._lock:
            cached = self._keys.get(table)
        if cached is not None:
            return cached
        reflected = self.table(table)
        columns = list(reflected.columns.keys())
        saved = self.settings.customer_key
        remembered = self.detections.get(f"key:{table}")
        choice: KeyChoice | None = None
        if saved and saved in columns:
            choice = self._saved_key(table, reflected, saved, remembered)
        elif isinstance(remembered, dict) and remembered.get("origin") != ORIGIN_SAVED:
            choice = KeyChoice.model_validate(remembered)
            if choice.column is not None and choice.column not in columns:
                choice = None  # the schema changed since: detect again
        if choice is None:
            choice = self._detect_key(table, reflected)
            self.detections.put(f"key:{table}", choice.model_dump())
        with self._lock:
            self._keys[table] = choice
        return choice

    def _saved_key(self, table: str, reflected: sa.Table, saved: str, remembered: Any) -> KeyChoice:
        if declared_key(reflected) == saved:
            return KeyChoice(column=saved, origin=ORIGIN_SAVED)
        if isinstance(remembered, dict) and remembered.get("column") == saved:
            return KeyChoice.model_validate(remembered)
        stats = self._key_stats(table, reflected, saved)
        choice = KeyChoice(
            column=saved,
            origin=ORIGIN_SAVED,
            unique=stats.duplicated_keys == 0,
            duplicates=stats.duplicated_keys,
        )
        self.detections.put(f"key:{table}", choice.model_dump())
        return choice

    def _detect_key(self, table: str, reflected: sa.Table) -> KeyChoice:
        declared = declared_key(reflected)
        if declared is not None:
            return KeyChoice(column=declared, origin=ORIGIN_PRIMARY_KEY)
        for candidate in key_candidates(list(reflected.columns.keys())):
            if self._key_stats(table, reflected, candidate).is_key:
                return KeyChoice(column=candidate, origin=ORIGIN_NAME_CHECK)
        return KeyChoice(column=None, origin=ORIGIN_NONE)

    def _key_stats(self, table: str, reflected: sa.Table, column: str) -> KeyStats:
        try:
            with self.read_only() as connection:
                return key_stats(connection, reflected, column)
        except SQLAlchemyError as error:
            raise self._read_error(f"check the key {column} of table {table}", error) from None

    def customer_key(self, table: str) -> str | None:
        """``table``'s customer key column, or None when each row counts as a customer."""
        return self.key(table).column

    def rows_are_customers(self, table: str) -> bool:
        """True when one row of ``table`` is one customer (a unique key, or no key at all)."""
        choice = self.key(table)
        return choice.column is None or choice.unique

    def describe_settings(self) -> list[Setting]:
        """Each setting in effect with where it came from, segment table first."""
        segment = self._segment_table_setting()
        table = segment.value or ""
        key = self.key(table)
        return [
            segment,
            self._attribute_table_setting(),
            Setting(name="customer_key", value=key.column, origin=key.origin),
            self._email_setting(table),
        ]

    def warnings(self) -> list[str]:
        """What the user should know about the settings in effect (a key that repeats)."""
        table = self.segment_table
        key = self.key(table)
        if key.column is not None and not key.unique:
            return [
                f"The customer key {key.column!r} of table {table!r} is not unique: "
                f"{key.duplicates:,} rows repeat a key another row holds; counts use distinct "
                "keys."
            ]
        return []

    def check_settings(self) -> None:
        """Check that every saved setting still names a table or column that exists.

        Raises :class:`SourceError` in one sentence listing what the table does have.
        """
        settings = self.settings
        for role, name in (
            ("segment table", settings.segment_table),
            ("attribute table", settings.attribute_table),
        ):
            if name:
                try:
                    self.table(name)
                except SourceError as error:
                    raise SourceError(
                        f"The saved {role} no longer fits: {str(error).rstrip('.')}. Change it "
                        "with 'actui source set' or drop it with 'actui source reset'."
                    ) from None
        table = self.segment_table
        columns = [column.name for column in self.table(table).columns]
        for role, column in (
            ("customer key", settings.customer_key),
            ("email column", settings.email_column),
        ):
            if column and column not in columns:
                raise SourceError(
                    f"The saved {role} {column!r} is not a column of table {table!r} (its "
                    f"columns are {', '.join(columns)}); change it with 'actui source set' or "
                    "drop it with 'actui source reset'."
                )

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
