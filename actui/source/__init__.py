"""Customer 360 over SQLAlchemy: connect by URL, catalog, row counts, picklists, email column."""

from actui.source.catalog import (
    ColumnInfo,
    ColumnKind,
    Picklist,
    PicklistEntry,
    RowCount,
    SourceError,
)
from actui.source.detect import KeyChoice
from actui.source.door import open_source
from actui.source.source import Setting, Source

__all__ = [
    "ColumnInfo",
    "ColumnKind",
    "KeyChoice",
    "Picklist",
    "PicklistEntry",
    "RowCount",
    "Setting",
    "Source",
    "SourceError",
    "open_source",
]
