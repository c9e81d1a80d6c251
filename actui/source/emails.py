"""Finding the email column of a table: by the configured name, by a usual name, or by content."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from actui.source.catalog import ColumnInfo, ColumnKind

#: column names that hold an email address in most Customer 360s, best first
EMAIL_COLUMN_NAMES = (
    "email",
    "email_address",
    "emailaddress",
    "e_mail",
    "primary_email",
    "contact_email",
    "customer_email",
    "email_addr",
    "mail",
)

#: how many values of a column are read to judge whether it holds emails
CONTENT_SAMPLE_SIZE = 200
#: the share of sampled values that must look like emails
CONTENT_MIN_SHARE = 0.5

_EMAIL_SHAPE = re.compile(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")


def email_column_by_name(columns: Sequence[ColumnInfo]) -> str | None:
    """The string column whose name says it holds emails (case-insensitive), if any."""
    strings = {column.name.lower(): column.name for column in columns if _is_text(column)}
    for candidate in EMAIL_COLUMN_NAMES:
        if candidate in strings:
            return strings[candidate]
    for lowered, name in strings.items():
        normalized = lowered.replace(" ", "_").replace("-", "_")
        if normalized in EMAIL_COLUMN_NAMES or "email" in normalized:
            return name
    return None


def text_columns(columns: Sequence[ColumnInfo]) -> list[str]:
    """The columns worth sampling when looking for emails by content."""
    return [column.name for column in columns if _is_text(column)]


def email_share(values: Iterable[object]) -> float:
    """The share of non-empty values shaped like an email address (0.0 when there are none)."""
    texts = [value for value in values if isinstance(value, str) and value.strip()]
    if not texts:
        return 0.0
    return sum(1 for text in texts if _EMAIL_SHAPE.match(text)) / len(texts)


def _is_text(column: ColumnInfo) -> bool:
    return column.kind is ColumnKind.STRING
