"""Each row's email judged once, beside actui's state, so SQLite audience sizes skip the rule.

An audience size needs the number of *distinct sendable* emails of the members: every member's
email judged with the send's rule and the survivors de-duplicated. On SQLite both are per-row work
(a Python function call and a sort of every member's email) and cost most of a count's time. The
**email facts** of a table hold that work done once, for every row:

* ``rid``: the row's ``rowid`` in the Customer 360 table;
* ``reason``: why a send would reject the row's email (``NULL`` when it is sendable);
* ``dup``: for a sendable email that more than one row of the table shares, a number naming that
  email (the same for every row sharing it); ``NULL`` for an email only this row has.

Only the exceptions are kept (rows with a reason or a shared email: a few percent of a typical
table), so that, over the members of any segment ``LEFT JOIN`` their facts::

    emails = count(*) - count(reason) - count(dup) + count(DISTINCT dup)

which SQLite answers from the segment's own index and a small integer-keyed table that stays in
its page cache, without reading an email. The facts hold no email text, only row numbers,
reasons and numbers.

They live in ``ACTUI_HOME/cache`` (one file per database, 0600) with a stamp of the database file
(size and modification time of the file and of its write-ahead log), the table, the email column
and :data:`FACTS_VERSION`. Any change to the database moves the stamp, and stale facts are never
used: :func:`fresh_email_facts` answers ``None`` and the caller counts the slow way until
:func:`ensure_email_facts` (run in the background by the app) rebuilds them.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from actui.emails import STRIP_CHARS, register_sqlite_email_functions
from actui.home import home_dir

if TYPE_CHECKING:
    from actui.source import Source

#: bump when the rule in :mod:`actui.emails` or the layout below changes: old facts are rebuilt
FACTS_VERSION: Final = 1
#: the schema name the facts file is attached under, for the time of one query
FACTS_SCHEMA: Final = "actui_email_facts"
FACTS_TABLE: Final = "email_facts"
#: SQLite virtual-machine steps between two looks at ``should_stop`` during a build
STOP_CHECK_STEPS: Final = 100_000

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True, slots=True)
class EmailFacts:
    """Fresh facts for one table: the file to attach and how long building them took."""

    path: Path
    table: str
    rows: int
    seconds: float


def database_file(source: Source) -> Path | None:
    """The SQLite file behind ``source``, or None (another database, memory, a URI)."""
    if source.dialect != "sqlite":
        return None
    database = source.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser().resolve()
    return path if path.is_file() else None


def facts_path(database: Path, table: str) -> Path:
    """Where the facts of ``table`` in ``database`` are kept (named by a hash, not the path)."""
    digest = hashlib.sha256(f"{database}\0{table}".encode()).hexdigest()[:20]
    return home_dir() / "cache" / f"email-facts-{digest}.db"


def _stamp(database: Path, table: str, email_column: str) -> str:
    """What the facts were built from; any write to the database changes it."""
    parts = [str(FACTS_VERSION), str(database), table, email_column]
    for path in (database, database.with_name(database.name + "-wal")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            parts.append("-")
        else:
            parts.append(f"{stat.st_size}:{stat.st_mtime_ns}")
    return "\0".join(parts)


def fresh_email_facts(source: Source, table: str) -> EmailFacts | None:
    """The facts of ``table`` when they exist and match the database as it is now, else None."""
    database = database_file(source)
    if database is None:
        return None
    path = facts_path(database, table)
    if not path.exists():
        return None
    stamp = _stamp(database, table, source.email_column(table))
    try:
        with closing(_connect(path)) as connection:
            row = connection.execute("SELECT stamp, rows_, seconds FROM meta").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != stamp:
        return None
    return EmailFacts(path, table, int(row[1]), float(row[2]))


def ensure_email_facts(
    source: Source, table: str, *, should_stop: Callable[[], bool] | None = None
) -> EmailFacts | None:
    """Fresh facts for ``table``, building them first when missing or stale (blocking).

    Returns None for sources that cannot have facts (not a SQLite file, a view or a table
    without ``rowid``). Two callers for the same table build once. A build polls
    ``should_stop`` while SQLite works and, when it answers True, stops with
    ``sqlite3.OperationalError`` ("interrupted"), leaving no file behind.
    """
    database = database_file(source)
    if database is None or not _has_rowid(source, table):
        return None
    path = facts_path(database, table)
    with _lock_for(path):
        facts = fresh_email_facts(source, table)
        if facts is None:
            facts = _build(database, table, source.email_column(table), path, should_stop)
        return facts


def _lock_for(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def _has_rowid(source: Source, table: str) -> bool:
    """True for an ordinary table (a view or a ``WITHOUT ROWID`` table has no stable rowid)."""
    with source.read_only() as connection:
        kind = connection.exec_driver_sql(
            "SELECT type, sql FROM sqlite_master WHERE name = ?", (table,)
        ).first()
    if kind is None or kind[0] != "table":
        return False
    return "without rowid" not in " ".join(str(kind[1] or "").lower().split())


def _build(
    database: Path,
    table: str,
    email_column: str,
    path: Path,
    should_stop: Callable[[], bool] | None = None,
) -> EmailFacts:
    """Judge every row of ``table`` once and write the facts atomically to ``path``."""
    started = time.perf_counter()
    stamp = _stamp(database, table, email_column)  # before reading: a write meanwhile is seen
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, scratch_name = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    scratch = Path(scratch_name)
    try:
        connection = sqlite3.connect(scratch.as_uri(), uri=True)
        try:
            register_sqlite_email_functions(connection)
            if should_stop is not None:
                connection.set_progress_handler(lambda: int(should_stop()), STOP_CHECK_STEPS)
            _fill(connection, database, table, email_column, should_stop)
            rows = connection.execute("SELECT n FROM judged_rows").fetchone()[0]
            seconds = time.perf_counter() - started
            connection.execute("CREATE TABLE meta (stamp TEXT, rows_ INTEGER, seconds REAL)")
            connection.execute("INSERT INTO meta VALUES (?, ?, ?)", (stamp, rows, seconds))
            connection.commit()
        finally:
            connection.close()
        os.chmod(scratch, 0o600)
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    return EmailFacts(path, table, int(rows), seconds)


def _fill(
    connection: sqlite3.Connection,
    database: Path,
    table: str,
    email_column: str,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """The facts table, from the database attached read-only for the time of the build."""
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA temp_store = MEMORY")
    connection.execute("ATTACH DATABASE ? AS source", (f"{database.as_uri()}?mode=ro",))
    quoted_table, quoted_email = _quote(table), _quote(email_column)
    strip = "'" + STRIP_CHARS.replace("'", "''") + "'"
    # the names are quoted identifiers and no value is spliced in
    statements = [
        f"""CREATE TEMP TABLE judged AS
            SELECT rowid AS rid, actui_email_reason({quoted_email}) AS reason,
                   lower(trim({quoted_email}, {strip})) AS email_key
            FROM source.{quoted_table}""",  # noqa: S608
        "CREATE TEMP TABLE shared (email_key TEXT PRIMARY KEY, dup INTEGER) WITHOUT ROWID",
        """INSERT INTO shared
            SELECT email_key, row_number() OVER (ORDER BY email_key) FROM temp.judged
            WHERE reason IS NULL GROUP BY email_key HAVING count(*) > 1""",
        f"CREATE TABLE {FACTS_TABLE} (rid INTEGER PRIMARY KEY, reason TEXT, dup INTEGER)",
        f"""INSERT INTO {FACTS_TABLE}
            SELECT judged.rid, judged.reason,
                   CASE WHEN judged.reason IS NULL THEN shared.dup END
            FROM temp.judged LEFT JOIN temp.shared ON shared.email_key = judged.email_key
            WHERE judged.reason IS NOT NULL OR shared.dup IS NOT NULL
            ORDER BY judged.rid""",  # noqa: S608
        "CREATE TABLE judged_rows AS SELECT count(*) AS n FROM temp.judged",
        "DROP TABLE temp.judged",
        "DROP TABLE temp.shared",
    ]
    for statement in statements:  # one at a time: a stop is seen between them too
        if should_stop is not None and should_stop():
            raise sqlite3.OperationalError("interrupted")
        connection.execute(statement)
    connection.execute("DETACH DATABASE source")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


__all__ = [
    "FACTS_SCHEMA",
    "FACTS_TABLE",
    "EmailFacts",
    "database_file",
    "ensure_email_facts",
    "facts_path",
    "fresh_email_facts",
]
