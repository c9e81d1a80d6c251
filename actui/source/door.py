"""The one way every command and screen opens a Customer 360: with its saved settings applied."""

from __future__ import annotations

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


__all__ = ["open_source"]
