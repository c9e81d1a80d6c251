"""The one way every command and screen opens a Customer 360: with its saved settings applied."""

from __future__ import annotations

from collections.abc import Mapping

from actui.source.source import Source
from actui.source.store import SavedDetections, database_key, load_settings


def open_source(url: str) -> Source:
    """Connect to the Customer 360 at ``url`` with the settings saved for it.

    Overrides saved with ``actui source set`` are applied and checked (a table or column that
    no longer exists is a :class:`~actui.source.SourceError` now, not a crash mid-count);
    whatever they leave unset is detected on first use and remembered for this database.
    """
    from actui.source.connect import parse_source_url

    database = database_key(parse_source_url(url))
    source = Source.connect(url, load_settings(database), SavedDetections(database))
    try:
        source.check_settings()
    except BaseException:
        source.dispose()
        raise
    return source


def save_source_settings(url: str, changes: Mapping[str, str | None]) -> list[str]:
    """Check ``changes`` against the database at ``url``, then save them with the others.

    A value of ``None`` leaves that setting as saved; an empty string drops it (detect again).
    Raises :class:`~actui.source.SourceError` (nothing saved) when a setting names a missing
    table or column, or an attribute table that cannot be joined on the key. Returns warnings
    (a key that is not unique).
    """
    from actui.config import SourceSettings
    from actui.source.catalog import SourceError
    from actui.source.connect import parse_source_url
    from actui.source.store import MemoryDetections, save_settings

    database = database_key(parse_source_url(url))
    merged_values = load_settings(database).model_dump(exclude_none=True)
    for name, value in changes.items():
        if value is None:
            continue
        if value.strip():
            merged_values[name] = value.strip()
        else:
            merged_values.pop(name, None)
    merged = SourceSettings.model_validate(merged_values)
    source = Source.connect(url, merged, MemoryDetections())
    try:
        source.check_settings()
        key = source.customer_key(source.segment_table)
        table = source.attribute_table
        columns = [column.name for column in source.table(table).columns]
        if key is not None and key not in columns:
            raise SourceError(
                f"The attribute table {table!r} has no column {key!r} to join customers on "
                f"(its columns are {', '.join(columns)}); pick another table or key."
            )
        warnings = source.warnings()
    finally:
        source.dispose()
    save_settings(database, merged)
    return warnings


def reset_source_settings(url: str) -> None:
    """Drop the settings saved for the database at ``url``: everything is detected again."""
    from actui.source.connect import parse_source_url
    from actui.source.store import reset_settings

    reset_settings(database_key(parse_source_url(url)))


__all__ = ["open_source", "reset_source_settings", "save_source_settings"]
