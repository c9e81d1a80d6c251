"""Case-insensitive text tests: equality that still uses a plain index, and Unicode-aware lower().

``lower(column) = lower(value)`` is correct but hides the column from its index. For ASCII values
the same test is ``column IN (every upper/lower spelling of the value)``: "gold" becomes 16
spellings, "CA" 4, each an index probe. Longer or non-ASCII values fall back to :func:`folded`
on both sides, as do ``contains``, ``starts with`` and ``ends with``.

:func:`folded` is ``lower()`` on PostgreSQL and every other database, and on SQLite (whose
``lower()`` folds ASCII letters only) the function of :mod:`actui.textcase`, which lowers text
the way PostgreSQL does: ``is "ZÜRICH"`` and ``contains "MÜL"`` find the same rows on both.
On MySQL and MariaDB the column is first given a binary collation (:func:`exact_text`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Dialect, String, and_, cast, func, literal, or_
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement as _Column
from sqlalchemy.sql.functions import FunctionElement

from actui.textcase import SQLITE_LOWER_FUNCTION

#: the only characters whose lower case is ASCII: capital I with a dot (U+0130), the Kelvin sign
FOLDS_TO_ASCII = ("\u0130", "\u212a")

#: more spellings than this (over all values) and the lower() form is used instead
MAX_SPELLINGS = 512


class folded(FunctionElement[str]):
    """``lower(text)``, Unicode-aware on SQLite too (see the module docstring)."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_LOWER_FUNCTION}({compiler.process(element.clauses, **kw)})"


def spellings(value: str) -> list[str] | None:
    """Every upper/lower-case spelling of an ASCII ``value``, or None when it is not ASCII."""
    if not value.isascii():
        return None
    options = [(char.lower(), char.upper()) if char.isalpha() else (char,) for char in value]
    return sorted({"".join(parts) for parts in itertools.product(*options)})


def case_insensitive_in(
    column: _Column[Any], values: Iterable[str], lowered_in_python: bool = False
) -> ColumnElement[bool]:
    """``column`` equals one of ``values`` ignoring case.

    ``lowered_in_python`` (SQLite): :func:`folded` costs a Python call a row there, so values
    are first narrowed by their length (lowering keeps it) with the built-in ``length()``.
    """
    wanted = list(dict.fromkeys(values))
    expanded: list[str] = []
    for value in wanted:
        options = spellings(value)
        if options is None or len(expanded) + len(options) > MAX_SPELLINGS:
            test = folded(column).in_([folded(literal(item)) for item in wanted])
            if not lowered_in_python:
                return test
            lengths = sorted({len(item) for item in wanted})
            return and_(func.length(column).in_(lengths), test)
        expanded.extend(options)
    if len(expanded) == 1:
        return column == expanded[0]
    return column.in_(expanded)


def case_insensitive_like(
    column: _Column[Any], pattern: str, escape: str | None, ascii_like_ignores_case: bool
) -> ColumnElement[bool]:
    """``column`` matches the LIKE ``pattern`` ignoring case, as ``lower()`` on both sides does.

    ``ascii_like_ignores_case`` (SQLite, whose LIKE ignores the case of ASCII letters): an ASCII
    pattern is then matched by the built-in LIKE alone, and only values holding a character that
    lower-cases to ASCII (:data:`FOLDS_TO_ASCII`) are lowered in Python; a count does not pay a
    Python call a row for ``contains "san"``. The answer is the same as lowering every value.
    ``escape`` None: the dialect's LIKE takes no ESCAPE clause (BigQuery: a backslash escapes).
    """

    def like(text: ColumnElement[Any], matched: ColumnElement[Any]) -> ColumnElement[bool]:
        return text.like(matched, escape=escape) if escape else text.like(matched)

    if not (ascii_like_ignores_case and pattern.isascii()):
        return like(folded(column), folded(literal(pattern)))
    rare = or_(*(func.instr(column, literal(char)) > 0 for char in FOLDS_TO_ASCII))
    return or_(
        like(column, literal(pattern)),
        and_(rare, like(folded(column), literal(pattern.lower()))),
    )


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
