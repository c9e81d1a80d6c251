"""A campaign's outcome resolved against the Customer 360: which rows, which columns, which dates.

The campaign's ``outcome`` names a table and its columns, or a SQL query; whatever it leaves out
is detected: the table is one (other than the segment and attribute tables) with the customer
key and a date column, the date is its date or timestamp column, the value its amount column.
The result is a selectable of ``(customer_key, date, value)`` rows and the bounds of the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, FromClause, Integer, and_, column, literal, null, select, text
from sqlalchemy.exc import SQLAlchemyError

from actui.campaigns.model import Outcome
from actui.errors import ActuiError
from actui.segments.email_sql import normalized_email_sql
from actui.source import Source, SourceError
from actui.source.catalog import ColumnKind, column_kind
from actui.source.emails import email_column_by_name

#: names that say a table holds outcomes, best first
_OUTCOME_TABLES = ("orders", "purchases", "transactions", "conversions", "sales", "events")
_VALUE_NAME = re.compile(r"amount|value|revenue|total|price|spend", re.IGNORECASE)
_DATE_NAME = re.compile(r"date|_at$|time|day", re.IGNORECASE)


class ResultsError(ActuiError):
    """Results cannot be computed as asked; the message says what to change."""


@dataclass(frozen=True, slots=True)
class ResolvedOutcome:
    """The outcome rows as a selectable with ``customer_key``, ``date`` and ``value`` columns."""

    rows: FromClause
    described: str
    table: str | None
    customer_key: str
    date: str
    value: str | None
    date_kind: Literal["date", "datetime"]
    integer_keys: bool


@dataclass(frozen=True, slots=True)
class Window:
    """Where outcome dates count: from the send, for ``days`` days."""

    days: int
    start: datetime
    end: datetime
    date_kind: Literal["date", "datetime"]

    def condition(self, when: ColumnElement[Any]) -> ColumnElement[bool]:
        """Dates inside the window; date columns count the send day itself."""
        if self.date_kind == "date":
            return and_(when >= self.start.date(), when < self.end.date())
        naive_start = self.start.replace(tzinfo=None)
        naive_end = self.end.replace(tzinfo=None)
        return and_(when > naive_start, when <= naive_end)

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until the window closes (0 once it has)."""
        remaining = self.end - (now or datetime.now(UTC))
        seconds = remaining.total_seconds()
        return max(0, -int(-seconds // 86400))


def window_after(sent_at: float, days: int, date_kind: Literal["date", "datetime"]) -> Window:
    """The window of ``days`` days from a send (a POSIX time); date windows start that day."""
    sent = datetime.fromtimestamp(sent_at, UTC)
    start = datetime.combine(sent.date(), datetime.min.time(), UTC) if date_kind == "date" else sent
    return Window(days, start, start + timedelta(days=days), date_kind)


def resolve_outcome(source: Source, outcome: Outcome, customer_key: str) -> ResolvedOutcome:
    """Check the outcome against the Customer 360 and build its rows (ResultsError otherwise).

    An empty ``customer_key`` means the members were recorded by their normalized email (their
    table has no key): outcomes are then matched on the normalized email too.
    """
    by_email = not customer_key
    if outcome.sql is not None:
        return _from_sql(source, outcome.sql, by_email)
    table_name = outcome.table or _detect_table(source, outcome.customer_key or customer_key)
    try:
        table = source.table(table_name)
    except SourceError as error:
        raise ResultsError(f"{str(error).rstrip('.?')}; fix the campaign's outcome.") from None
    names = list(table.c.keys())
    key = outcome.customer_key or customer_key or _email_of(source, table_name)
    date_name = outcome.date or _detect_date(table_name, names, table)
    for role, name in (("customer key", key), ("date", date_name), ("value", outcome.value)):
        if name is not None and name not in table.c:
            raise ResultsError(
                f"The outcome table {table_name!r} has no {role} column {name!r}; its columns "
                f"are {', '.join(names)}."
            )
    value_name = outcome.value or _detect_value(names, table, key, date_name)
    kind = column_kind(table.c[date_name].type)
    if kind not in (ColumnKind.DATE, ColumnKind.DATETIME):
        raise ResultsError(
            f"The outcome date column {table_name}.{date_name} holds {kind.value}s, not dates; "
            "name a date or timestamp column in the campaign's outcome."
        )
    value: ColumnElement[Any] = table.c[value_name] if value_name else null()
    member: ColumnElement[Any] = (
        normalized_email_sql(table.c[key], source.dialect) if by_email else table.c[key]
    )
    rows = select(
        member.label("customer_key"),
        table.c[date_name].label("date"),
        value.label("value"),
    ).subquery("outcome")
    described = f"{table_name}.{date_name}" + (f", value {value_name}" if value_name else "")
    return ResolvedOutcome(
        rows=rows,
        described=described,
        table=table_name,
        customer_key=key,
        date=date_name,
        value=value_name,
        date_kind="datetime" if kind == ColumnKind.DATETIME else "date",
        integer_keys=not by_email and isinstance(table.c[key].type, Integer),
    )


def _email_of(source: Source, table_name: str) -> str:
    """The email column of an outcome table whose rows name customers by email."""
    try:
        return source.email_column(table_name)
    except SourceError as error:
        raise ResultsError(
            f"{str(error).rstrip('.')}: the campaign's members have no customer key, so its "
            "outcome rows must carry their email; name it as the outcome's 'customer_key'."
        ) from None


def _detect_table(source: Source, key: str) -> str:
    """The outcome table: one with ``key`` (or, when empty, an email column) and a date column."""
    per_customer = {source.segment_table, source.attribute_table}
    found: list[str] = []
    for name in source.tables():
        if name in per_customer:
            continue
        try:
            table = source.table(name)
        except SourceError:
            continue
        names_member = key in table.c if key else bool(email_column_by_name(source.columns(name)))
        if names_member and any(
            column_kind(c.type) in (ColumnKind.DATE, ColumnKind.DATETIME) for c in table.c
        ):
            found.append(name)
    if not found:
        what = f"a {key!r} column" if key else "an email column"
        raise ResultsError(
            f"No table of the Customer 360 has {what} and a date column to read "
            'outcomes from; name one in the campaign: "outcome": {"table": ..., "date": ...}.'
        )
    ranked = sorted(
        found,
        key=lambda n: (_OUTCOME_TABLES.index(n.lower()) if n.lower() in _OUTCOME_TABLES else 99, n),
    )
    return ranked[0]


def _detect_date(table_name: str, names: list[str], table: Any) -> str:
    dates = [
        n for n in names if column_kind(table.c[n].type) in (ColumnKind.DATE, ColumnKind.DATETIME)
    ]
    if not dates:
        raise ResultsError(
            f"The outcome table {table_name!r} has no date column; its columns are "
            f"{', '.join(names)}. Name one as the outcome's 'date'."
        )
    named = [n for n in dates if _DATE_NAME.search(n)]
    return (named or dates)[0]


def _detect_value(names: list[str], table: Any, key: str, date_name: str) -> str | None:
    numbers = [
        n
        for n in names
        if n not in (key, date_name)
        and column_kind(table.c[n].type) == ColumnKind.NUMBER
        and _VALUE_NAME.search(n)
    ]
    return numbers[0] if numbers else None


def _from_sql(source: Source, sql: str, by_email: bool = False) -> ResolvedOutcome:
    from actui.segments.errors import SegmentError
    from actui.segments.sql_mode import check_read_only_sql, query_columns

    try:
        statement = check_read_only_sql(sql)
        names = query_columns(source, sql)
    except SegmentError as error:
        raise ResultsError(f"The outcome query: {error.summary}") from None
    missing = [n for n in ("customer_key", "date") if n not in names]
    if missing:
        raise ResultsError(
            f"The outcome query returns {', '.join(names)}; it must return customer_key, date "
            "and value (rename its columns with AS)."
        )
    value = column("value") if "value" in names else literal(None)
    inner = text(statement).columns(*(column(n) for n in names)).subquery("outcome_sql")
    member: ColumnElement[Any] = (
        normalized_email_sql(inner.c.customer_key, source.dialect)
        if by_email
        else inner.c.customer_key
    )
    rows = select(
        member.label("customer_key"),
        inner.c.date.label("date"),
        (inner.c.value if "value" in names else value).label("value"),
    ).subquery("outcome")
    kind, integer_keys = _probe(source, rows)
    return ResolvedOutcome(
        rows=rows,
        described="the outcome query",
        table=None,
        customer_key="customer_key",
        date="date",
        value="value" if "value" in names else None,
        date_kind=kind,
        integer_keys=integer_keys,
    )


def _probe(source: Source, rows: FromClause) -> tuple[Literal["date", "datetime"], bool]:
    """Whether the query's dates carry a time, and its keys are integers, from one row."""
    try:
        with source.read_only() as connection:
            first = connection.execute(
                select(rows.c.customer_key, rows.c.date).where(rows.c.date.is_not(None)).limit(1)
            ).first()
    except SQLAlchemyError as error:
        original = getattr(error, "orig", None) or error
        reason = str(original).strip().splitlines()[0].rstrip(".")
        raise ResultsError(f"The outcome query failed in the database: {reason}.") from None
    if first is None:
        return "date", False
    key, when = first
    integer_keys = isinstance(key, int) and not isinstance(key, bool)
    if isinstance(when, datetime):
        return "datetime", integer_keys
    if isinstance(when, date):
        return "date", integer_keys
    return ("datetime" if len(str(when).strip()) > 10 else "date"), integer_keys


__all__ = ["ResolvedOutcome", "ResultsError", "Window", "resolve_outcome", "window_after"]
