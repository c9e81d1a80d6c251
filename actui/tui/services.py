"""The app's services: the Customer 360 source, settings and factories, built outside the app."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from actui.config import SourceSettings, load_config, save_config
from actui.home import home_dir

if TYPE_CHECKING:
    from actui.segments.resolver import SegmentResolver
    from actui.source import Source

KEYMAP_FILE = "keymap.json"

#: a picklist with at most this many values (and complete) becomes a drop-down of values
PICKLIST_LIMIT = 50

#: the pseudo-table the attribute picker lists saved segments under
SEGMENTS_GROUP = "Saved segments"


@dataclass(frozen=True)
class Attribute:
    """One column a condition can test: its table, name and kind (string, number, date ...)."""

    table: str
    column: str
    kind: str


@dataclass(frozen=True)
class PicklistValues:
    """A column's most frequent values with counts; ``complete`` when no value was left out."""

    values: list[tuple[str, int]]
    complete: bool


@dataclass
class Services:
    """Everything a screen needs from outside the UI; tests build one over a temporary database.

    ``as_of`` fixes "today" for relative dates and ``stable_output`` hides timings and ports, so
    snapshot runs draw the same screen every time. ``count_delay`` is the debounce (seconds) before
    the audience size refreshes after an edit.
    """

    db_url: str | None
    source: Source | None
    settings: SourceSettings = field(default_factory=SourceSettings)
    demo: bool = False
    as_of: date | None = None
    stable_output: bool = False
    count_delay: float = 0.3
    keymap: dict[str, str] = field(default_factory=dict)
    demo_destination: str | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def configured(self) -> bool:
        """True once a Customer 360 is connected."""
        return self.source is not None

    def require_source(self) -> Source:
        """The connected source (callers check :attr:`configured` first)."""
        if self.source is None:
            from actui.errors import ActuiError

            raise ActuiError("No Customer 360 is connected: open one with 'actui --db URL'.")
        return self.source

    def segment_resolver(self) -> SegmentResolver:
        """Finds saved segments by name (for ``in segment`` conditions and sends)."""
        from actui.segments.store import SavedSegmentResolver

        return SavedSegmentResolver()

    def catalog(self) -> list[Attribute]:
        """Every column of every table, the segment table first (blocking: call from a worker)."""
        from actui.segments.operators import kind_name

        source = self.require_source()
        tables = list(source.tables())
        first = self.settings.segment_table
        tables.sort(key=lambda name: (name != first, name))
        return [
            Attribute(table, info.name, kind_name(info.kind))
            for table in tables
            for info in source.columns(table)
        ]

    def picklist(self, table: str, column: str) -> PicklistValues:
        """The column's top values with counts (cached by the source; blocking)."""
        result = self.require_source().picklist(table, column, limit=PICKLIST_LIMIT)
        values = [
            (str(entry.value), entry.count) for entry in result.entries if entry.value is not None
        ]
        return PicklistValues(values, complete=not result.capped and not result.sampled)

    def saved_segment_names(self) -> list[str]:
        """Names of the saved segments, sorted (blocking)."""
        from actui.segments.store import list_segments

        return sorted(saved.name for saved in list_segments())

    def connect(self, db_url: str) -> None:
        """Open the Customer 360 at ``db_url`` (blocking: call from a worker) and remember it."""
        source = open_source(db_url, self.settings)
        old = self.source
        self.source, self.db_url = source, db_url
        remember_db_url(db_url)
        if old is not None:
            close_source(old)

    def close(self) -> None:
        """Release the source and anything started for this session (the demo sandbox)."""
        if self.source is not None:
            close_source(self.source)
        for closer in reversed(self.closers):
            closer()
        self.closers.clear()


def open_source(db_url: str, settings: SourceSettings) -> Source:
    """Connect to the Customer 360 at ``db_url`` (raises an ActuiError with the reason)."""
    from actui.source import Source

    return Source.connect(db_url, settings)


def close_source(source: Source) -> None:
    """Dispose a source's connections."""
    source.dispose()


def display_url(db_url: str) -> str:
    """A short, password-free form of ``db_url`` for titles: a SQLite file shows its name only."""
    from pathlib import PurePath

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_url)
    except ArgumentError:
        return db_url.split("@")[-1]
    if url.get_backend_name() == "sqlite":
        return PurePath(url.database or ":memory:").name
    return url.render_as_string(hide_password=True)


def remember_db_url(db_url: str) -> None:
    """Make ``db_url`` the one ``actui`` opens next time without ``--db``."""
    config = load_config()
    if config.last_db_url != db_url:
        config.last_db_url = db_url
        save_config(config)


def load_keymap() -> dict[str, str]:
    """User key rebinding (binding id -> keys) from ACTUI_HOME/keymap.json, if present."""
    path = home_dir() / KEYMAP_FILE
    if not path.exists():
        return {}
    data: Any = json.loads(path.read_text(encoding="utf-8") or "{}")
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items()}


def build_services(db_url: str | None = None, *, demo: bool = False) -> Services:
    """Services for ``actui [--db URL]``: the given URL, else the last used, else none."""
    config = load_config()
    url = db_url or config.last_db_url
    source = open_source(url, config.source) if url else None
    if url and source is not None:
        remember_db_url(url)
    return Services(
        db_url=url, source=source, settings=config.source, demo=demo, keymap=load_keymap()
    )
