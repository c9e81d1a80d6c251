"""Checks that a condition's value has the shape its operator and column kind need."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from actui.segments.operators import EMPTY_OPERATORS, RELATIVE_OPERATORS, RELATIVE_UNITS

_LIST_OPERATORS = frozenset({"is one of", "is not one of"})
_TEXT_PATTERN_OPERATORS = frozenset({"contains", "does not contain", "starts with", "ends with"})
_NO_VALUE_OPERATORS = frozenset({*EMPTY_OPERATORS, "is true", "is false"})
#: the range of a 64-bit integer: what SQLite and PostgreSQL's bigint hold and bind
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def parse_day(value: Any) -> date | None:
    """An ISO ``YYYY-MM-DD`` string as a date, or None when it is not one."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_number(value: Any) -> bool:
    """True for JSON numbers (booleans are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_problem(kind: str, operator: str, value: Any, sql_type: str = "") -> str | None:
    """What is wrong with ``value`` for ``operator`` on a ``kind`` column, or None when it fits.

    ``sql_type`` (e.g. ``"BIGINT"``) lets a number be checked against the column's range.
    """
    if operator in _NO_VALUE_OPERATORS:
        return None if value is None else f"'{operator}' takes no value; remove \"value\""
    if operator in RELATIVE_OPERATORS:
        return _relative_problem(operator, value)
    if kind == "string":
        return _string_problem(operator, value)
    if kind == "number":
        return _number_problem(operator, value) or _range_problem(value, sql_type)
    if kind in ("date", "datetime"):
        return _date_problem(operator, value)
    return None


def _string_problem(operator: str, value: Any) -> str | None:
    if operator in _LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            return f'\'{operator}\' needs a non-empty list of text values, e.g. ["WA", "OR"]'
        if not all(isinstance(item, str) for item in value):
            return f'\'{operator}\' needs text values only, e.g. ["98101", "98102"] (quote numbers)'
        return None
    if not isinstance(value, str):
        example = f'"{value}"' if is_number(value) else '"gold"'
        return f"'{operator}' needs a text value, e.g. {example}"
    if operator in _TEXT_PATTERN_OPERATORS and value == "":
        return f"'{operator}' needs some text to look for; use 'is empty' to find blank values"
    return None


def _number_problem(operator: str, value: Any) -> str | None:
    if operator == "between":
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(is_number(item) for item in value)
        ):
            return "'between' needs two numbers [low, high], e.g. [100, 500]"
        if value[0] > value[1]:
            return f"'between' needs the low number first: [{value[1]}, {value[0]}]"
        return None
    if not is_number(value):
        return f"'{operator}' needs a number, e.g. 500 (without quotes)"
    return None


def number_range_problem(number: Any, sql_type: str = "") -> str | None:
    """Why ``number`` cannot be compared with a ``sql_type`` column (NaN, infinity, too large)."""
    if not is_number(number):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return f"{number} is not a number a database can compare; use a finite number"
    integer_column = "INT" in sql_type.upper()
    if (isinstance(number, int) or integer_column) and not _INT64_MIN <= number <= _INT64_MAX:
        column = "an integer" if integer_column else "a number"
        return (
            f"{number:g} is out of range for {column} column; use a number between "
            "-9223372036854775808 and 9223372036854775807"
        )
    return None


def _range_problem(value: Any, sql_type: str) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        problem = number_range_problem(item, sql_type)
        if problem:
            return problem
    return None


def _date_problem(operator: str, value: Any) -> str | None:
    if operator == "between":
        days = [parse_day(item) for item in value] if isinstance(value, list) else []
        if len(days) != 2 or None in days:
            return (
                '\'between\' needs two dates ["YYYY-MM-DD", "YYYY-MM-DD"], '
                'e.g. ["2024-01-01", "2024-06-30"]'
            )
        first, last = days
        if first and last and first > last:
            return f'\'between\' needs the earlier date first: ["{last}", "{first}"]'
        return None
    if parse_day(value) is None:
        return f'\'{operator}\' needs a date "YYYY-MM-DD", e.g. "2024-03-31"'
    return None


def _relative_problem(operator: str, value: Any) -> str | None:
    example = (
        f'\'{operator}\' needs {{"amount": N, "unit": "days|weeks|months|years"}}, '
        'e.g. {"amount": 90, "unit": "days"}'
    )
    if not isinstance(value, dict) or set(value) != {"amount", "unit"}:
        return example
    amount, unit = value["amount"], value["unit"]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        return f"'{operator}' needs a whole, non-negative amount, e.g. 90"
    if unit not in RELATIVE_UNITS:
        return f"unit {unit!r} is not one of days, weeks, months, years"
    return None
