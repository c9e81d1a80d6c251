"""The Customer 360 catalog as data: column kinds, column and row-count facts, picklists, errors."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel

from actui.errors import ActuiError


class SourceError(ActuiError):
    """The Customer 360 could not be opened or read as asked."""


class ColumnKind(StrEnum):
    """What kind of value a column holds, as far as building segments goes."""

    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


class ColumnInfo(BaseModel):
    """One column of a table: its name, kind, whether it may be NULL and its SQL type."""

    name: str
    kind: ColumnKind
    nullable: bool
    sql_type: str


class RowCount(BaseModel):
    """How many rows a table has; ``estimated`` when taken from database statistics."""

    rows: int
    estimated: bool


PicklistValue = str | int | float | bool | date | datetime | None


class PicklistEntry(BaseModel):
    """One distinct value of a column and how many rows hold it."""

    value: PicklistValue
    count: int


class Picklist(BaseModel):
    """A column's most frequent values, most frequent first.

    ``sampled`` says the counts come from a sample of ``sample_rows`` rows (see ``note``);
    ``capped`` says the column has more distinct values than the entries listed.
    """

    table: str
    column: str
    entries: list[PicklistEntry]
    sampled: bool
    sample_rows: int | None
    capped: bool
    note: str | None


def column_kind(sql_type: sa.types.TypeEngine[object]) -> ColumnKind:
    """The kind of a reflected SQLAlchemy type; anything unrecognised reads as a string."""
    if isinstance(sql_type, sa.DateTime):
        return ColumnKind.DATETIME
    if isinstance(sql_type, sa.Date):
        return ColumnKind.DATE
    if isinstance(sql_type, sa.Boolean):
        return ColumnKind.BOOLEAN
    if isinstance(sql_type, sa.Integer | sa.Numeric | sa.Float):
        return ColumnKind.NUMBER
    return ColumnKind.STRING


def sql_type_name(sql_type: sa.types.TypeEngine[object], dialect: sa.Dialect) -> str:
    """The type as the database spells it (``TEXT``, ``DOUBLE PRECISION``...)."""
    try:
        return str(sql_type.compile(dialect=dialect))
    except sa.exc.CompileError:
        return type(sql_type).__name__.upper()


def column_info(column: sa.Column[object], dialect: sa.Dialect) -> ColumnInfo:
    """The catalog entry of a reflected column."""
    return ColumnInfo(
        name=column.name,
        kind=column_kind(column.type),
        nullable=bool(column.nullable),
        sql_type=sql_type_name(column.type, dialect),
    )
