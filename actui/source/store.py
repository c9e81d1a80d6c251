"""Source settings saved per database (keyed by its URL without the password), and detections.

The user's overrides (``actui source set``) and what detection found (a table's key checked with a
``COUNT DISTINCT``, the segment table chosen by size) live in one row per database of the state
database, so a detection runs once per database rather than once per command.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Engine, String, Table, Text, select

from actui.config import SourceSettings
from actui.state import ensure_tables, metadata, state_engine

source_settings = Table(
    "source_settings",
    metadata,
    Column("database", String(2000), primary_key=True),
    Column("overrides", Text, nullable=False, default="{}"),
    Column("detected", Text, nullable=False, default="{}"),
    Column("updated_at", DateTime, nullable=False),
)


#: backends whose database is a file named by a path that may be relative
FILE_DATABASES = ("sqlite", "duckdb")


def database_key(url: str | sa.URL) -> str:
    """The database's identity: its URL without the password, a file's path made absolute."""
    parsed = sa.make_url(url) if isinstance(url, str) else url
    parsed = parsed._replace(password=None)  # set() takes None as "leave it"
    database = parsed.database
    if (
        parsed.get_backend_name() in FILE_DATABASES
        and database
        and database != ":memory:"
        and not database.startswith("file:")
    ):
        parsed = parsed.set(database=str(Path(database).expanduser().resolve()))
    return parsed.render_as_string(hide_password=False)


def _engine(engine: Engine | None) -> Engine:
    engine = engine or state_engine()
    ensure_tables(engine)
    return engine


def _row(database: str, engine: Engine) -> tuple[dict[str, Any], dict[str, Any]]:
    with engine.connect() as connection:
        row = connection.execute(
            select(source_settings.c.overrides, source_settings.c.detected).where(
                source_settings.c.database == database
            )
        ).first()
    if row is None:
        return {}, {}
    return _loads(row.overrides), _loads(row.detected)


def _loads(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _write(
    database: str,
    engine: Engine,
    overrides: dict[str, Any] | None = None,
    detected: dict[str, Any] | None = None,
) -> None:
    """Upsert the row; a ``None`` part is kept as it is."""
    with engine.begin() as connection:
        row = connection.execute(
            select(source_settings.c.overrides, source_settings.c.detected).where(
                source_settings.c.database == database
            )
        ).first()
        now = datetime.now(UTC).replace(tzinfo=None)
        values = {
            "overrides": json.dumps(
                overrides if overrides is not None else _loads(row.overrides if row else "{}")
            ),
            "detected": json.dumps(
                detected if detected is not None else _loads(row.detected if row else "{}")
            ),
            "updated_at": now,
        }
        if row is None:
            connection.execute(source_settings.insert().values(database=database, **values))
        else:
            connection.execute(
                source_settings.update()
                .where(source_settings.c.database == database)
                .values(**values)
            )


def load_settings(database: str, engine: Engine | None = None) -> SourceSettings:
    """The overrides saved for ``database`` (all unset when none were saved)."""
    overrides, _ = _row(database, _engine(engine))
    return SourceSettings.model_validate(overrides)


def save_settings(database: str, settings: SourceSettings, engine: Engine | None = None) -> None:
    """Save the overrides for ``database`` and forget what detection found before."""
    data = settings.model_dump(exclude_none=True)
    _write(database, _engine(engine), overrides=data, detected={})


def reset_settings(database: str, engine: Engine | None = None) -> None:
    """Drop the overrides and detections saved for ``database``."""
    engine = _engine(engine)
    with engine.begin() as connection:
        connection.execute(source_settings.delete().where(source_settings.c.database == database))


class SavedDetections:
    """What detection found for one database, read once and written back as it grows.

    Thread-safe; the app's workers share one :class:`~actui.source.Source`.
    """

    def __init__(self, database: str, engine: Engine | None = None) -> None:
        self.database = database
        self._engine = engine
        self._lock = threading.Lock()
        self._values: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._values is None:
            _, self._values = _row(self.database, _engine(self._engine))
        return self._values

    def get(self, name: str) -> Any:
        with self._lock:
            return self._load().get(name)

    def put(self, name: str, value: Any) -> None:
        with self._lock:
            values = self._load()
            values[name] = value
            _write(self.database, _engine(self._engine), detected=dict(values))

    def forget(self, name: str) -> None:
        with self._lock:
            values = self._load()
            if values.pop(name, None) is not None:
                _write(self.database, _engine(self._engine), detected=dict(values))


class MemoryDetections:
    """Detections kept for the life of one Source only (tests, one-off scripts)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Any:
        with self._lock:
            return self._values.get(name)

    def put(self, name: str, value: Any) -> None:
        with self._lock:
            self._values[name] = value

    def forget(self, name: str) -> None:
        with self._lock:
            self._values.pop(name, None)


__all__ = [
    "MemoryDetections",
    "SavedDetections",
    "database_key",
    "load_settings",
    "reset_settings",
    "save_settings",
    "source_settings",
]
