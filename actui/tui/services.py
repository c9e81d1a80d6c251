"""The app's services: the Customer 360 source, settings and factories, built outside the app."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from actui.config import load_config, save_config
from actui.errors import ActuiError
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
    demo: bool = False
    as_of: date | None = None
    stable_output: bool = False
    count_delay: float = 0.3
    keymap: dict[str, str] = field(default_factory=dict)
    demo_destination: str | None = None
    #: work to finish before the first connection (the demo writes its database), given a
    #: callback that reports progress as a short phrase; run once, in a worker
    prepare: Callable[[Callable[[str], None]], object] | None = None
    on_progress: Callable[[str], None] = field(default=lambda _phrase: None, repr=False)
    closers: list[Callable[[], None]] = field(default_factory=list)
    #: the source's segment table, known once the catalog is read
    segment_table: str | None = None
    _connect_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _failure: tuple[str, ActuiError] | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        """True once a Customer 360 is chosen (connected, or connecting in the background)."""
        return self.source is not None or self.db_url is not None

    def require_source(self) -> Source:
        """The source, connecting to :attr:`db_url` on first use (blocking: call from a worker).

        The app opens its first screen before connecting, so the connection (and importing
        the database layer) never delays the first paint.
        """
        if self.source is not None:
            return self.source
        with self._connect_lock:
            if self.source is None:
                if self.db_url is None:
                    raise ActuiError(
                        "No Customer 360 is connected: open one with 'actui --db URL'."
                    )
                if self._failure is not None and self._failure[0] == self.db_url:
                    raise self._failure[1]
                try:
                    if self.prepare is not None:
                        self.prepare(self.on_progress)
                        self.prepare = None
                    self.source = open_source(self.db_url)
                except ActuiError as error:
                    self._failure = (self.db_url, error)  # the other waiting workers get it too
                    raise
                remember_db_url(self.db_url)
        return self.source

    def forget_source(self) -> None:
        """Drop a Customer 360 that could not be opened, so the first-run screen asks again."""
        with self._connect_lock:
            if self.source is None:
                self.db_url = None

    def segment_resolver(self) -> SegmentResolver:
        """Finds saved segments by name (for ``in segment`` conditions and sends)."""
        from actui.segments.store import SavedSegmentResolver

        return SavedSegmentResolver()

    def catalog(self) -> list[Attribute]:
        """Every column of every table, the segment table first (blocking: call from a worker)."""
        from actui.segments.operators import kind_name

        source = self.require_source()
        tables = list(source.tables())
        first = source.segment_table
        self.segment_table = first
        if first not in tables:
            tables.append(first)  # a schema.table outside the listed schema
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
        source = open_source(db_url)
        with self._connect_lock:
            old = self.source
            self.source, self.db_url = source, db_url
            self.segment_table = None
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


def open_source(db_url: str) -> Source:
    """Connect to the Customer 360 at ``db_url`` with its saved settings (ActuiError if not)."""
    from actui.source import open_source as open_configured

    return open_configured(db_url)


def close_source(source: Source) -> None:
    """Dispose a source's connections."""
    source.dispose()


def display_url(db_url: str) -> str:
    """A short, password-free form of ``db_url`` for titles: a SQLite file shows its name only.

    Parsed by hand so the title does not import the database layer before the first paint.
    """
    from pathlib import PurePath

    scheme, separator, rest = db_url.partition("://")
    if not separator:
        return db_url.split("@")[-1]
    rest = rest.split("?", 1)[0]
    if scheme.split("+", 1)[0] == "sqlite":
        return PurePath(rest.lstrip("/") or ":memory:").name
    netloc, slash, path = rest.partition("/")
    if "@" in netloc:
        user_info, host = netloc.rsplit("@", 1)
        user, has_password, _ = user_info.partition(":")
        netloc = f"{user}:***@{host}" if has_password else f"{user}@{host}"
    return f"{scheme}://{netloc}{slash}{path}"


def remember_db_url(db_url: str) -> None:
    """Make ``db_url`` the one ``actui`` opens next time without ``--db``.

    The password is left out: the config file holds no secrets. The driver finds it again in its
    own places (e.g. PostgreSQL's ~/.pgpass or PGPASSWORD), or the first-run screen asks for it.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        remembered = make_url(db_url)._replace(password=None).render_as_string(hide_password=False)
    except ArgumentError:
        return
    config = load_config()
    if config.last_db_url != remembered:
        config.last_db_url = remembered
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
    """Services for ``actui [--db URL]``: the given URL, else the last used, else none.

    Nothing is connected here: the app connects in a worker once its first screen is painted
    (and shows the first-run screen with the reason when the database cannot be opened).
    """
    config = load_config()
    url = db_url or config.last_db_url
    return Services(db_url=url, source=None, demo=demo, keymap=load_keymap())
