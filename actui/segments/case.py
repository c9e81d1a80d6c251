"""Case-insensitive text equality that still uses a plain index on the column.

``lower(column) = lower(value)`` is correct but hides the column from its index. For ASCII values
the same test is ``column IN (every upper/lower spelling of the value)``: "gold" becomes 16
spellings, "CA" 4, each an index probe. Longer or non-ASCII values fall back to ``lower()`` on
both sides (non-ASCII case folding then follows the database: SQLite folds ASCII letters only).
On MySQL and MariaDB the column is first given a binary collation (:func:`exact_text`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Dialect, cast, func, literal
from sqlalchemy.dialects import mysql
from sqlalchemy.sql.elements import ColumnElement as _Column

#: more spellings than this (over all values) and the lower() form is used instead
MAX_SPELLINGS = 512


def spellings(value: str) -> list[str] | None:
    """Every upper/lower-case spelling of an ASCII ``value``, or None when it is not ASCII."""
    if not value.isascii():
        return None
    options = [(char.lower(), char.upper()) if char.isalpha() else (char,) for char in value]
    return sorted({"".join(parts) for parts in itertools.product(*options)})


def case_insensitive_in(column: _Column[Any], values: Iterable[str]) -> ColumnElement[bool]:
    """``column`` equals one of ``values`` ignoring (ASCII) case."""
    wanted = list(dict.fromkeys(values))
    expanded: list[str] = []
    for value in wanted:
        options = spellings(value)
        if options is None or len(expanded) + len(options) > MAX_SPELLINGS:
            return func.lower(column).in_([func.lower(literal(item)) for item in wanted])
        expanded.extend(options)
    if len(expanded) == 1:
        return column == expanded[0]
    return column.in_(expanded)


def exact_text(column: _Column[Any], dialect: Dialect) -> _Column[Any]:
    """``column`` compared character by character: as is, except on MySQL and MariaDB.

    Their usual collations ignore case, accents and trailing spaces (``'az' = 'AZ '``): the text
    is compared there in UTF-8 under a binary collation that keeps trailing spaces, as the other
    databases compare it.
    """
    if dialect.name not in ("mysql", "mariadb"):
        return column
    collation = "utf8mb4_nopad_bin" if getattr(dialect, "is_mariadb", False) else "utf8mb4_0900_bin"
    return cast(column, mysql.CHAR(charset="utf8mb4")).collate(collation)
