"""Saved segments in the state database: unique names, JSON bodies, created and updated times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    delete,
    select,
    update,
)

from actui.segments.errors import SegmentError
from actui.segments.model import (
    Group,
    Node,
    RuleSegment,
    Segment,
    SegmentReference,
    parse_segment_json,
    segment_to_json,
)
from actui.segments.resolver import unknown_segment_error
from actui.state import ensure_tables, metadata, state_engine

saved_segments = Table(
    "saved_segments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class SavedSegment:
    """A segment as saved, with its times (UTC)."""

    name: str
    segment: Segment
    created_at: datetime
    updated_at: datetime


def _engine(engine: Engine | None) -> Engine:
    engine = engine or state_engine()
    ensure_tables(engine)
    return engine


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def _names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(saved_segments.c.name)).scalars())


def references(segment: Segment) -> list[str]:
    """The names of the saved segments ``segment`` refers to, at any depth of its tree."""
    found: list[str] = []

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if isinstance(node, SegmentReference):
                found.append(node.segment)
            elif isinstance(node, Group):
                walk(node.conditions)

    if isinstance(segment, RuleSegment):
        walk(segment.conditions)
    return list(dict.fromkeys(found))


def _check_no_loop(segment: Segment, engine: Engine) -> None:
    """Refuse to save a segment whose references lead back to it."""
    pending = [(name, [segment.name, name]) for name in references(segment)]
    seen: set[str] = set()
    while pending:
        name, trail = pending.pop()
        if name == segment.name:
            raise SegmentError(
                f"Saving {segment.name!r} would make segments refer to each other in a loop "
                f"({' -> '.join(trail)}); remove one of the references."
            )
        if name in seen:
            continue
        seen.add(name)
        found = _load(name, engine)
        if found is not None:
            pending.extend((child, [*trail, child]) for child in references(found.segment))


def _load(name: str, engine: Engine) -> SavedSegment | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(saved_segments).where(saved_segments.c.name == name)
        ).one_or_none()
    if row is None:
        return None
    segment = parse_segment_json(row.body, f"The saved segment {name!r}")
    return SavedSegment(row.name, segment, _utc(row.created_at), _utc(row.updated_at))


def save_segment(
    segment: Segment, *, replace: bool = True, engine: Engine | None = None
) -> SavedSegment:
    """Save ``segment`` under its name (replacing a saved one unless ``replace`` is False)."""
    engine = _engine(engine)
    _check_no_loop(segment, engine)
    body = segment_to_json(segment)
    now = _now()
    with engine.begin() as connection:
        existing = connection.execute(
            select(saved_segments.c.id).where(saved_segments.c.name == segment.name)
        ).scalar_one_or_none()
        if existing is not None and not replace:
            raise SegmentError(
                f"A segment named {segment.name!r} is already saved; pick another name "
                "or replace it."
            )
        if existing is None:
            connection.execute(
                saved_segments.insert().values(
                    name=segment.name, body=body, created_at=now, updated_at=now
                )
            )
        else:
            connection.execute(
                update(saved_segments)
                .where(saved_segments.c.id == existing)
                .values(body=body, updated_at=now)
            )
    saved = _load(segment.name, engine)
    assert saved is not None
    return saved


def get_segment(name: str, *, engine: Engine | None = None) -> SavedSegment:
    """The saved segment called ``name``; the error names the closest saved names."""
    engine = _engine(engine)
    saved = _load(name, engine)
    if saved is None:
        raise unknown_segment_error(name, _names(engine))
    return saved


def list_segments(*, engine: Engine | None = None) -> list[SavedSegment]:
    """Every saved segment, by name."""
    engine = _engine(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(saved_segments).order_by(saved_segments.c.name)).all()
    return [
        SavedSegment(
            row.name,
            parse_segment_json(row.body, f"The saved segment {row.name!r}"),
            _utc(row.created_at),
            _utc(row.updated_at),
        )
        for row in rows
    ]


def delete_segment(name: str, *, engine: Engine | None = None) -> None:
    """Delete the saved segment called ``name``."""
    engine = _engine(engine)
    with engine.begin() as connection:
        deleted = connection.execute(delete(saved_segments).where(saved_segments.c.name == name))
    if deleted.rowcount == 0:
        raise unknown_segment_error(name, _names(engine))


def rename_segment(name: str, new_name: str, *, engine: Engine | None = None) -> SavedSegment:
    """Give a saved segment a new name (its body's name follows)."""
    engine = _engine(engine)
    saved = get_segment(name, engine=engine)
    if new_name != name and _load(new_name, engine) is not None:
        raise SegmentError(f"A segment named {new_name!r} is already saved; pick another name.")
    renamed = saved.segment.model_copy(update={"name": new_name})
    with engine.begin() as connection:
        connection.execute(
            update(saved_segments)
            .where(saved_segments.c.name == name)
            .values(name=new_name, body=segment_to_json(renamed), updated_at=_now())
        )
    result = _load(new_name, engine)
    assert result is not None
    return result


def duplicate_segment(name: str, new_name: str, *, engine: Engine | None = None) -> SavedSegment:
    """Save a copy of a saved segment under ``new_name``."""
    engine = _engine(engine)
    saved = get_segment(name, engine=engine)
    copy = saved.segment.model_copy(update={"name": new_name})
    return save_segment(copy, replace=False, engine=engine)


class SavedSegmentResolver:
    """Resolves segment references against the saved segments of the state database."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine

    def get(self, name: str) -> Segment:
        return get_segment(name, engine=self._engine).segment


#: the same resolver under its shorter name
StoreResolver = SavedSegmentResolver
