"""Write the demo Customer 360 (customer_360, merged_customers, orders) to SQLite or any URL."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.schema import CreateTable

from actui.demo.generator import iter_python_rows, iter_sqlite_rows
from actui.demo.orders import CUSTOMER_COLUMNS, iter_orders
from actui.demo.schema import (
    CUSTOMER_360_COLUMNS,
    MERGED_CUSTOMERS_COLUMNS,
    MERGED_FROM_360,
    customer_360,
    demo_metadata,
    index_statements,
    merged_customers,
    orders,
)
from actui.errors import ActuiError

#: rows per executemany / COPY batch
_BATCH_ROWS = 20_000

_merged_part = itemgetter(*MERGED_FROM_360)


class DemoError(ActuiError):
    """The demo database could not be written."""


class DemoStats(BaseModel):
    """What a demo load produced: how many customers, how long it took, and where they went."""

    rows: int
    seconds: float
    path: Path | None = None
    url: str | None = None


def iter_demo_rows(rows: int, seed: int = 42) -> Iterator[tuple[Any, ...]]:
    """The demo ``customer_360`` rows, in column order, as Python values (dates, datetimes, bools).

    The same ``rows`` and ``seed`` give the same rows on every machine; the first ``k`` rows of a
    longer run equal a shorter run's rows.
    """
    return iter_python_rows(rows, seed)


def merged_row(customer_row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The ``merged_customers`` row (the PII sent to ActiveCampaign) of one ``customer_360`` row."""
    return tuple(_merged_part(customer_row))


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, _BATCH_ROWS)):
        yield batch


def write_demo_sqlite(
    path: Path,
    rows: int = 100_000,
    seed: int = 42,
    *,
    overwrite: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> DemoStats:
    """Write a new SQLite demo database at ``path`` (mode 0600) and return what was written.

    ``on_progress`` is called with the number of rows written so far, every 10,000 rows.

    The file is built next to ``path`` and renamed into place at the end, so a failed or
    interrupted run never leaves a half-written database behind.
    """
    _check_row_count(rows)
    path = Path(path).expanduser()
    if path.exists() and not overwrite:
        raise DemoError(
            f"{path} already exists: choose another path or pass --force to replace it."
        )
    if not path.parent.is_dir():
        raise DemoError(f"The folder {path.parent} does not exist: create it first.")
    started = time.perf_counter()
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        _fill_sqlite(partial, rows, seed, on_progress)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except OSError as error:
        raise DemoError(f"Could not write {path}: {error.strerror or error}.") from error
    finally:
        partial.unlink(missing_ok=True)
    return DemoStats(rows=rows, seconds=round(time.perf_counter() - started, 3), path=path)


def _fill_sqlite(
    path: Path, rows: int, seed: int, on_progress: Callable[[int], None] | None
) -> None:
    dialect = sa.create_engine("sqlite://").dialect
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=MEMORY",
            "cache_size=-200000",
            "threads=2",
        ):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("BEGIN")
        for table in (customer_360, merged_customers, orders):
            connection.execute(str(CreateTable(table).compile(dialect=dialect)))
        insert_360 = _insert_sql(customer_360.name, CUSTOMER_360_COLUMNS)
        generated = iter_sqlite_rows(rows, seed)
        if on_progress is not None:
            generated = _counted(generated, on_progress)
        connection.executemany(insert_360, generated)
        connection.execute(_copy_merged_sql())
        customers = connection.execute(_order_sources_sql())
        insert_orders = _insert_sql(orders.name, tuple(orders.columns.keys()))
        connection.executemany(insert_orders, iter_orders(customers, seed, date.isoformat))
        for statement in index_statements():
            connection.execute(statement)
        connection.execute("COMMIT")
        connection.execute("PRAGMA analysis_limit=2000")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _counted(
    rows: Iterable[tuple[Any, ...]], on_progress: Callable[[int], None]
) -> Iterator[tuple[Any, ...]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % 10_000 == 0:
            on_progress(done)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    # table and column names come from the fixed demo schema, never from input
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608


def _copy_merged_sql() -> str:
    columns = ", ".join(MERGED_CUSTOMERS_COLUMNS)
    # fixed demo schema names only
    return (
        f"INSERT INTO {merged_customers.name} ({columns}) "  # noqa: S608
        f"SELECT {columns} FROM {customer_360.name} ORDER BY customer_id"
    )


def _order_sources_sql() -> str:
    # fixed demo schema names only
    return f"SELECT {', '.join(CUSTOMER_COLUMNS)} FROM {customer_360.name} ORDER BY customer_id"  # noqa: S608


def load_demo(url: str, rows: int, seed: int = 42, *, overwrite: bool = False) -> DemoStats:
    """Write the demo tables to the database at a SQLAlchemy ``url`` and return what was written.

    A ``sqlite:///`` URL naming a file that does not exist yet gets :func:`write_demo_sqlite`;
    PostgreSQL over psycopg is loaded with ``COPY``; anything else with batched inserts. Existing
    demo tables are an error unless ``overwrite`` is set (then they are dropped first).
    """
    _check_row_count(rows)
    try:
        parsed = sa.make_url(url)
    except ArgumentError as error:
        raise DemoError("The database URL is not a valid SQLAlchemy URL.") from error
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        if not path.exists():
            stats = write_demo_sqlite(path, rows, seed)
            return DemoStats(rows=rows, seconds=stats.seconds, path=path, url=shown)
    started = time.perf_counter()
    try:
        engine = sa.create_engine(parsed)
    except (ArgumentError, ImportError) as error:
        raise DemoError(f"Cannot open {shown}: {error}.") from error
    try:
        with engine.begin() as connection:
            _create_tables(connection, overwrite, shown)
            if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
                _copy_rows(connection, rows, seed)
            else:
                _insert_rows(connection, rows, seed)
            _insert_orders(connection, seed)
            for statement in index_statements():
                connection.exec_driver_sql(statement)
            if engine.dialect.name in ("postgresql", "sqlite"):
                connection.exec_driver_sql("ANALYZE")
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise DemoError(f"Could not load the demo data into {shown}: {detail}.") from error
    finally:
        engine.dispose()
    return DemoStats(rows=rows, seconds=round(time.perf_counter() - started, 3), url=shown)


def _check_row_count(rows: int) -> None:
    if rows < 1:
        raise DemoError(f"The demo needs at least one row (got {rows}).")


def _create_tables(connection: sa.Connection, overwrite: bool, shown: str) -> None:
    existing = set(sa.inspect(connection).get_table_names())
    clashing = sorted(existing & set(demo_metadata.tables))
    if clashing and not overwrite:
        raise DemoError(
            f"{shown} already has the table {clashing[0]}: use another database or pass --force."
        )
    demo_metadata.drop_all(connection, checkfirst=True)
    demo_metadata.create_all(connection)


def _copy_rows(connection: sa.Connection, rows: int, seed: int) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    copy_360 = f"COPY {customer_360.name} ({', '.join(CUSTOMER_360_COLUMNS)}) FROM STDIN"
    copy_merged = f"COPY {merged_customers.name} ({', '.join(MERGED_CUSTOMERS_COLUMNS)}) FROM STDIN"
    with driver.cursor() as cursor:
        for batch in _batches(iter_python_rows(rows, seed)):
            with cursor.copy(copy_360) as copy:
                for row in batch:
                    copy.write_row(row)
            with cursor.copy(copy_merged) as copy:
                for row in batch:
                    copy.write_row(_merged_part(row))


def _insert_orders(connection: sa.Connection, seed: int) -> None:
    sources = connection.execute(
        sa.select(*(customer_360.c[name] for name in CUSTOMER_COLUMNS)).order_by(
            customer_360.c.customer_id
        )
    ).all()
    names = tuple(orders.columns.keys())
    for batch in _batches(iter_orders(sources, seed, _same_day)):
        connection.execute(orders.insert(), [dict(zip(names, row, strict=True)) for row in batch])


def _same_day(day: date) -> date:
    return day


def _insert_rows(connection: sa.Connection, rows: int, seed: int) -> None:
    for batch in _batches(iter_python_rows(rows, seed)):
        connection.execute(
            customer_360.insert(),
            [dict(zip(CUSTOMER_360_COLUMNS, row, strict=True)) for row in batch],
        )
        connection.execute(
            merged_customers.insert(),
            [dict(zip(MERGED_CUSTOMERS_COLUMNS, _merged_part(row), strict=True)) for row in batch],
        )
