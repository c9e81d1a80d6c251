"""Picklist queries: a column's most frequent values, over a sample when the table is big.

The sampling is the only dialect-specific part and lives in :func:`sample_of`: SQLite reads evenly
spaced blocks of rowids (each block is a cheap range seek), PostgreSQL uses ``TABLESAMPLE SYSTEM``,
any other database reads the first rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from actui.source.catalog import ColumnKind, PicklistEntry, PicklistValue, column_kind

#: tables with more rows than this get a sampled picklist
SAMPLE_THRESHOLD_ROWS = 200_000
#: about how many rows a sampled picklist reads
SAMPLE_ROWS = 100_000
#: how many evenly spaced rowid blocks make up a SQLite sample
_SQLITE_BLOCKS = 50


@dataclass(frozen=True)
class PicklistRows:
    """What the picklist query returned: the top entries, whether there were more, rows seen."""

    entries: list[PicklistEntry]
    capped: bool
    rows_seen: int


def sample_of(
    connection: sa.Connection, table: sa.Table, column_name: str, total_rows: int
) -> sa.FromClause:
    """A selectable over one column of about :data:`SAMPLE_ROWS` rows spread over ``table``."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        percent = min(100.0, 100.0 * SAMPLE_ROWS / max(total_rows, 1))
        return sa.tablesample(table, sa.func.system(percent), name="sampled")
    if dialect == "sqlite":
        blocks = _sqlite_rowid_blocks(connection, table, column_name)
        if blocks is not None:
            return blocks
    return sa.select(table.c[column_name]).limit(SAMPLE_ROWS).subquery("sampled")


def _sqlite_rowid_blocks(
    connection: sa.Connection, table: sa.Table, column_name: str
) -> sa.FromClause | None:
    """Evenly spaced rowid ranges of a SQLite table, or None when it has no rowid (a view).

    One ``UNION ALL`` branch per range, so each is a seek on the rowid b-tree (an ``OR`` of
    ranges makes SQLite scan the whole table).
    """
    rowid: sa.ColumnElement[int] = sa.literal_column("rowid", sa.Integer)
    try:  # a failed SELECT leaves a SQLite transaction usable
        low, high = connection.execute(
            sa.select(sa.func.min(rowid), sa.func.max(rowid)).select_from(table)
        ).one()
    except sa.exc.DBAPIError:
        return None
    if low is None or high is None:
        return None
    block = SAMPLE_ROWS // _SQLITE_BLOCKS
    step = (high - low + 1) / _SQLITE_BLOCKS
    column = table.c[column_name]
    branches = [
        sa.select(column).where(rowid.between(low + int(i * step), low + int(i * step) + block - 1))
        for i in range(_SQLITE_BLOCKS)
    ]
    return sa.union_all(*branches).subquery("sampled")


def top_values(
    connection: sa.Connection, source: sa.FromClause, column_name: str, limit: int
) -> PicklistRows:
    """The ``limit`` most frequent values of a column of ``source`` (ties by value, NULL last)."""
    column = source.c[column_name]
    frequency = sa.func.count().label("frequency")
    rows_seen = sa.func.sum(sa.func.count()).over().label("rows_seen")
    statement = (
        sa.select(column, frequency, rows_seen)
        .group_by(column)
        .order_by(frequency.desc(), *_tie_break(column, connection.dialect.name))
        .limit(limit + 1)
    )
    result = connection.execute(statement).all()
    entries = [PicklistEntry(value=_plain(row[0]), count=int(row[1])) for row in result[:limit]]
    seen = int(result[0][2]) if result else 0
    return PicklistRows(entries=entries, capped=len(result) > limit, rows_seen=seen)


def _tie_break(column: sa.ColumnElement[Any], dialect: str) -> list[sa.ColumnElement[Any]]:
    """Order equal counts by value, byte-wise, NULL last: the same order on every backend."""
    is_string = column_kind(column.type) is ColumnKind.STRING
    if dialect in ("mysql", "mariadb"):  # no NULLS LAST; collations ignore case
        ordered = sa.cast(column, mysql.BINARY()) if is_string else column
        return [column.is_(None).asc(), ordered.asc()]
    ordered = column
    if dialect == "postgresql" and is_string:
        ordered = column.collate("C")
    return [ordered.asc().nulls_last()]


def _plain(value: Any) -> PicklistValue:
    """Database values as picklist values: Decimal becomes int or float, unknown types text."""
    if value is None or isinstance(value, str | bool | int | float | date | datetime):
        return value
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    return str(value)
