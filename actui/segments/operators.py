"""The operator names a condition may use, per column kind, and what each one means."""

from __future__ import annotations

from typing import Final

EMPTY_OPERATORS: Final = ("is empty", "is not empty")
STRING_OPERATORS: Final = (
    "is",
    "is not",
    "is one of",
    "is not one of",
    "contains",
    "does not contain",
    "starts with",
    "ends with",
)
NUMBER_OPERATORS: Final = (
    "is",
    "is not",
    "less than",
    "at most",
    "greater than",
    "at least",
    "between",
)
DATE_OPERATORS: Final = (
    "is on",
    "before",
    "after",
    "between",
    "in the last",
    "older than",
    "in the next",
)
BOOLEAN_OPERATORS: Final = ("is true", "is false")
SEGMENT_OPERATORS: Final = ("in segment", "not in segment")

RELATIVE_OPERATORS: Final = frozenset({"in the last", "older than", "in the next"})
RELATIVE_UNITS: Final = ("days", "weeks", "months", "years")

#: negative operators and the positive operator they are the exact complement of
NEGATIONS: Final = {
    "is not": "is",
    "is not one of": "is one of",
    "does not contain": "contains",
    "is not empty": "is empty",
    "not in segment": "in segment",
}

_BY_KIND: Final = {
    "string": STRING_OPERATORS,
    "number": NUMBER_OPERATORS,
    "date": DATE_OPERATORS,
    "datetime": DATE_OPERATORS,
    "boolean": BOOLEAN_OPERATORS,
}


def kind_name(kind: object) -> str:
    """The plain name (``"string"``, ``"number"`` ...) of a column kind enum member or string."""
    value = getattr(kind, "value", kind)
    return str(value)


def operators_for(kind: object) -> list[str]:
    """The operators valid for a column of ``kind`` (a ``ColumnKind``), in drop-down order."""
    return [*_BY_KIND.get(kind_name(kind), ()), *EMPTY_OPERATORS]
