"""Opening a Customer 360 URL: parse it, build a pooled engine, turn failures into one sentence."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from actui.emails import register_sqlite_email_functions
from actui.source.catalog import SourceError
from actui.source.duckdb_reflection import patch_duckdb_reflection
from actui.source.mysql_reflection import reflect_mysql_booleans
from actui.source.timeouts import DuckDBWatchdog
from actui.textcase import register_sqlite_lower

#: helper threads SQLite may use for one large sort (it uses none unless told to)
SQLITE_SORT_THREADS = min(4, max(1, (os.cpu_count() or 1) - 1))
#: seconds to wait for a database server to answer before giving up
CONNECT_TIMEOUT_SECONDS = 10

#: (backend, driver) pairs whose driver takes ``connect_timeout`` in seconds
_DRIVERS_WITH_CONNECT_TIMEOUT = {
    ("postgresql", "psycopg"),
    ("postgresql", "psycopg2"),
    ("mysql", "pymysql"),
    ("mysql", "mysqldb"),
    ("mariadb", "pymysql"),
    ("mariadb", "mysqldb"),
}

_URL_EXAMPLE = "sqlite:///customers.db or postgresql+psycopg://user@host/dbname"


def parse_source_url(url: str) -> sa.URL:
    """The parsed URL; a SourceError (never echoing the URL, which may hold a password) if not."""
    if not url or not url.strip():
        raise SourceError(f"No database URL given: pass one such as {_URL_EXAMPLE}.")
    try:
        parsed = sa.make_url(url.strip())
    except (ArgumentError, ValueError):
        raise SourceError(f"The database URL is not valid: write it like {_URL_EXAMPLE}.") from None
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed)
    return parsed


def _check_sqlite_file(url: sa.URL) -> None:
    """Refuse a SQLite path that does not exist: opening it would create an empty database."""
    database = url.database
    if not database or database == ":memory:":
        return
    if database.startswith("file:") and _is_true(url.query.get("uri")):
        uri_path = _sqlite_uri_path(database, url.query.get("mode"))
        if uri_path is None:
            return
        database = uri_path
    path = Path(database).expanduser()
    if not path.exists():
        raise SourceError(
            f"The SQLite file {path} does not exist: check the path "
            "(or write a sample one with 'actui demo-data --out PATH')."
        )
    if not path.is_file():
        raise SourceError(f"{path} is not a file: give the path of a SQLite database file.")


def _is_true(value: str | tuple[str, ...] | None) -> bool:
    text = value[-1] if isinstance(value, tuple) else value
    return (text or "").lower() in ("1", "true", "yes", "on")


def _sqlite_uri_path(database: str, mode: str | tuple[str, ...] | None) -> str | None:
    """The file a SQLite ``file:`` URI names, or None for an in-memory database."""
    mode_text = mode[-1] if isinstance(mode, tuple) else mode
    target = unquote(database[len("file:") :])
    if target.startswith("//"):  # file://host/path: only an empty host or localhost is local
        host, _, rest = target[2:].partition("/")
        if host not in ("", "localhost"):
            raise SourceError(
                "A SQLite file: URI must name a local file (file:/path or file:///path)."
            )
        target = "/" + rest
    if mode_text == "memory" or target in ("", ":memory:"):
        return None
    return target


def create_source_engine(url: sa.URL) -> sa.Engine:
    """A pooled engine that worker threads can share, with a connect timeout for servers."""
    backend = url.get_backend_name()
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {"pool_pre_ping": backend != "sqlite"}
    if backend == "sqlite":
        connect_args["check_same_thread"] = False
    elif backend in ("postgresql", "mysql", "mariadb") and (
        (backend, url.get_driver_name()) in _DRIVERS_WITH_CONNECT_TIMEOUT
    ):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    elif backend == "duckdb" and url.database not in (None, "", ":memory:"):
        # DuckDB has no read-only transactions: the file is opened read-only instead
        connect_args["read_only"] = True
    shown = url.render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(url, connect_args=connect_args, **options)
    except NoSuchModuleError:
        raise SourceError(
            f"actui cannot read {url.drivername!r} databases: use a SQLAlchemy URL such as "
            f"{_URL_EXAMPLE}."
        ) from None
    except ImportError as error:
        raise SourceError(
            f"The database driver for {shown} is not installed ({error.name or error}): "
            "install it, e.g. pip install 'actui[postgres]' (or actui[mysql], actui[duckdb], "
            "actui[snowflake], actui[bigquery], actui[redshift], actui[databricks])."
        ) from None
    except (ArgumentError, TypeError, ValueError) as error:
        raise SourceError(f"Cannot use the database URL {shown}: {error}.") from None
    if backend == "sqlite":
        # insights judge emails with the send's own rule, in SQL (see actui.segments.email_sql)
        event.listen(engine, "connect", _on_sqlite_connect)
    if backend == "duckdb":
        patch_duckdb_reflection(engine)
        DuckDBWatchdog(_statement_budget_ms).install(engine)
    if backend in ("mysql", "mariadb"):
        reflect_mysql_booleans()
    return engine


def _statement_budget_ms() -> float:
    """The statement timeout in force (read when each statement starts, so tests may lower it)."""
    from actui.source import source as source_module

    return float(source_module.STATEMENT_TIMEOUT_MS)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    register_sqlite_email_functions(dbapi_connection)
    register_sqlite_lower(dbapi_connection)  # case-insensitive conditions (actui.segments.case)
    # large ORDER BY and DISTINCT sorts (a campaign's stream, picklists) may use a second core
    dbapi_connection.execute(f"PRAGMA threads = {SQLITE_SORT_THREADS}")


def connect_error(url: sa.URL, error: BaseException) -> SourceError:
    """One sentence saying why connecting to ``url`` failed and what to check."""
    shown = url.render_as_string(hide_password=True)
    original: Any = getattr(error, "orig", None) or error
    message = str(original).strip()
    lowered = message.lower()
    first_line = message.splitlines()[0].rstrip(".") if message else type(original).__name__
    if url.get_backend_name() == "sqlite":
        if "not a database" in lowered or "malformed" in lowered:
            return SourceError(f"{url.database} is not a SQLite database: check the path.")
        return SourceError(f"Cannot open the SQLite database {url.database}: {first_line}.")
    if "password authentication failed" in lowered or "authentication failed" in lowered:
        return SourceError(
            f"The server at {shown} refused the login for user {url.username!r}: "
            "check the user name and password."
        )
    if "does not exist" in lowered and "database" in lowered:
        return SourceError(
            f"The database {url.database!r} does not exist on the server at {shown}: "
            "check the database name."
        )
    if any(
        hint in lowered
        for hint in ("connection refused", "could not connect", "timeout", "timed out", "resolve")
    ):
        return SourceError(
            f"Cannot reach the database server at {shown}: check the host and port and that "
            "the server is running."
        )
    return SourceError(f"Cannot connect to {shown}: {first_line}.")
