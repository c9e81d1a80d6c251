"""Detecting a Customer 360's shape: its segment table, attribute table and each table's key.

Rules, in order (each result says where it came from, so the user can see and override it):

- **Customer key of a table**: its declared single-column primary key; otherwise the first column
  named ``customer_id``, ``customerid``, ``customer_key``, ``amperity_id`` or ``id``, or ending in
  ``_id`` (case-insensitive), that holds no NULL and no repeated value (one ``COUNT DISTINCT``,
  done once and remembered); otherwise none, and each row counts as one customer.
- **Segment table**: ``customer_360`` (any case); otherwise the one table with an email column,
  or the largest of several; otherwise the largest table.
- **Attribute table**: ``merged_customers`` (any case) when it has the segment table's key;
  otherwise the segment table itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import BaseModel

#: key column names, best first, compared case-insensitively
KEY_NAMES = ("customer_id", "customerid", "customer_key", "amperity_id", "id")
#: the usual names of the segment and attribute tables, compared case-insensitively
SEGMENT_TABLE_NAME = "customer_360"
ATTRIBUTE_TABLE_NAME = "merged_customers"

#: where a setting's value came from
ORIGIN_SAVED = "saved by you"
ORIGIN_PRIMARY_KEY = "declared primary key"
ORIGIN_NAME_CHECK = "name + uniqueness check"
ORIGIN_USUAL_NAME = "usual name"
ORIGIN_EMAIL_TABLE = "the only table with an email column"
ORIGIN_LARGEST_EMAIL_TABLE = "the largest table with an email column"
ORIGIN_LARGEST = "the largest table"
ORIGIN_SEGMENT_TABLE = "same as the segment table"
ORIGIN_EMAIL_NAME = "column name"
ORIGIN_EMAIL_CONTENT = "values that look like emails"
ORIGIN_NONE = "no unique key column: each row is a customer, sends dedupe by email"


class KeyChoice(BaseModel):
    """A table's customer key: the column (None: rows are customers), how it was found, and
    whether each value appears once (``duplicates`` counts the keys held by more than one row)."""

    column: str | None
    origin: str
    unique: bool = True
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class KeyStats:
    """What one pass over a column tells about it as a key."""

    rows: int
    non_null: int
    distinct: int

    @property
    def is_key(self) -> bool:
        return self.rows > 0 and self.non_null == self.rows and self.distinct == self.rows

    @property
    def duplicated_keys(self) -> int:
        """Rows whose key another row already holds (each repeat of a value counts once)."""
        return self.non_null - self.distinct


def key_candidates(columns: Sequence[str]) -> list[str]:
    """Columns whose name says they may be the customer key, best first."""
    by_lower = {name.lower(): name for name in reversed(columns)}
    named = [by_lower[name] for name in KEY_NAMES if name in by_lower]
    suffixed = [name for name in columns if name.lower().endswith("_id") and name not in named]
    return named + suffixed


def declared_key(table: sa.Table) -> str | None:
    """The table's declared single-column primary key, if it has one."""
    primary = [column.name for column in table.primary_key]
    return primary[0] if len(primary) == 1 else None


def key_stats(connection: sa.Connection, table: sa.FromClause, column: str) -> KeyStats:
    """Rows, non-NULL values and distinct values of ``column``: one query."""
    target = table.c[column]
    row = connection.execute(
        sa.select(
            sa.func.count(), sa.func.count(target), sa.func.count(sa.func.distinct(target))
        ).select_from(table)
    ).one()
    return KeyStats(rows=int(row[0]), non_null=int(row[1]), distinct=int(row[2]))


def find_named(names: Sequence[str], wanted: str) -> str | None:
    """The name in ``names`` equal to ``wanted`` ignoring case (an exact match first)."""
    if wanted in names:
        return wanted
    return next((name for name in names if name.lower() == wanted.lower()), None)


__all__ = [
    "KEY_NAMES",
    "KeyChoice",
    "KeyStats",
    "declared_key",
    "find_named",
    "key_candidates",
    "key_stats",
]
