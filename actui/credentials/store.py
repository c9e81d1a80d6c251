"""The state-database tables of this package: credential names (never keys) and destinations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, delete, insert, select, update

from actui.state import ensure_tables, metadata, state_engine

credential_names = Table(
    "credential_names",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

destinations = Table(
    "destinations",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def _engine() -> Engine:
    engine = state_engine()
    ensure_tables(engine)
    return engine


def remember_credential_name(name: str) -> None:
    """Record that a credential of this name exists (idempotent)."""
    with _engine().begin() as connection:
        exists = connection.execute(
            select(credential_names.c.name).where(credential_names.c.name == name)
        ).first()
        if exists is None:
            connection.execute(insert(credential_names).values(name=name, created_at=_now()))


def forget_credential_name(name: str) -> bool:
    """Drop a credential name; True when it was there."""
    with _engine().begin() as connection:
        result = connection.execute(delete(credential_names).where(credential_names.c.name == name))
        return bool(result.rowcount)


def credential_name_list() -> list[str]:
    """Every recorded credential name, sorted."""
    with _engine().connect() as connection:
        rows = connection.execute(select(credential_names.c.name).order_by(credential_names.c.name))
        return [row[0] for row in rows]


def write_destination(name: str, body: str) -> None:
    """Insert or replace a destination's JSON."""
    with _engine().begin() as connection:
        values = {"body": body, "updated_at": _now()}
        result = connection.execute(
            update(destinations).where(destinations.c.name == name).values(**values)
        )
        if not result.rowcount:
            connection.execute(insert(destinations).values(name=name, **values))


def read_destination(name: str) -> str | None:
    """A destination's JSON, or None."""
    with _engine().connect() as connection:
        row = connection.execute(
            select(destinations.c.body).where(destinations.c.name == name)
        ).first()
        return None if row is None else str(row[0])


def read_destinations() -> list[str]:
    """Every destination's JSON, by name."""
    with _engine().connect() as connection:
        rows = connection.execute(select(destinations.c.body).order_by(destinations.c.name))
        return [str(row[0]) for row in rows]


def remove_destination_row(name: str) -> bool:
    """Delete a destination; True when it was there."""
    with _engine().begin() as connection:
        result = connection.execute(delete(destinations).where(destinations.c.name == name))
        return bool(result.rowcount)


def _now() -> datetime:
    return datetime.now(UTC)
