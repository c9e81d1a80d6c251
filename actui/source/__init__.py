"""Customer 360 over SQLAlchemy: connect by URL, catalog, row counts, picklists, email column."""

from actui.source.catalog import (
    ColumnInfo,
    ColumnKind,
    Picklist,
    PicklistEntry,
    RowCount,
    SourceError,
)
from actui.source.source import Source

__all__ = [
    "ColumnInfo",
    "ColumnKind",
    "Picklist",
    "PicklistEntry",
    "RowCount",
    "Source",
    "SourceError",
]
