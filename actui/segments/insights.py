"""Audience insights pushed down to SQL: sizes, bad emails, condition sizes, breakdowns, samples.

Every function runs a few aggregate queries inside ``source.read_only()``; no member row reaches
Python except the handful of sample rows. Each is safe to call from a worker thread, and each
takes ``is_cancelled`` (checked between queries) so a stale count can be dropped early.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    ColumnElement,
    CompoundSelect,
    Connection,
    FromClause,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    case,
    extract,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement as _Column

from actui.emails import REASON_MISSING
from actui.errors import ActuiError
from actui.segments.compiler import (
    members_query,
    segment_condition,
    segment_table_name,
)
from actui.segments.describe import describe
from actui.segments.email_facts import (
    FACTS_SCHEMA,
    FACTS_TABLE,
    EmailFacts,
    fresh_email_facts,
)
from actui.segments.email_sql import email_reason_sql, normalized_email_sql
from actui.segments.errors import SegmentError
from actui.segments.model import RuleSegment, Segment
from actui.segments.operators import kind_name
from actui.segments.resolver import DictResolver, SegmentResolver, suggestion
from actui.segments.validate import validate_segment

if TYPE_CHECKING:
    from actui.source import Source

CancelCheck = Callable[[], bool] | None

#: how many buckets a number breakdown aims for
NUMBER_BUCKETS = 8


class Cancelled(ActuiError):
    """The caller asked to stop (a newer count replaced this one)."""

    def __init__(self) -> None:
        super().__init__("The count was cancelled because the segment changed.")


@dataclass(frozen=True, slots=True)
class AudienceSize:
    """How many customers and distinct valid emails a segment selects, out of the whole table.

    The figures are the terms of :mod:`actui.accounting`: ``customers`` (member rows) =
    ``contacts`` (distinct sendable emails) + ``duplicate_email`` + ``missing_email`` +
    ``invalid_email``; ``invalid_reasons`` splits the last two by reason.
    """

    customers: int
    contacts: int
    missing_email: int
    invalid_email: int
    invalid_reasons: dict[str, int]
    total: int
    share: float

    @property
    def duplicate_email(self) -> int:
        """Rows whose sendable email another member row already has."""
        return self.customers - self.contacts - self.missing_email - self.invalid_email

    def as_dict(self) -> dict[str, Any]:
        return {
            "customers": self.customers,
            "contacts": self.contacts,
            "duplicate_email": self.duplicate_email,
            "missing_email": self.missing_email,
            "invalid_email": self.invalid_email,
            "invalid_reasons": dict(self.invalid_reasons),
            "total": self.total,
            "share": self.share,
        }


@dataclass(frozen=True, slots=True)
class ConditionSize:
    """The customers one top-level condition selects on its own."""

    path: str
    label: str
    customers: int


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One value (or bucket, or year) of a breakdown and its member count."""

    label: str
    customers: int
    value: Any = None


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Members split by one attribute: the top values (or buckets/years), then everything else."""

    attribute: str
    kind: str
    members: int
    rows: list[BreakdownRow] = field(default_factory=list)
    other: int = 0


@dataclass(frozen=True, slots=True)
class SampleRows:
    """A few member rows, always the same ones for an unchanged segment (ordered by key)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def _check(is_cancelled: CancelCheck) -> None:
    if is_cancelled is not None and is_cancelled():
        raise Cancelled()


def _base(
    segment: Segment, source: Source, resolver: SegmentResolver
) -> tuple[FromClause, str, ColumnElement[bool]]:
    """The table a segment's attributes live in and the condition that picks its members."""
    name = segment_table_name(segment, source)
    return source.table(name), name, segment_condition(segment, source, resolver)


def audience_size_query(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> CompoundSelect[Any]:
    """The one query behind :func:`audience_size`: a summary row, then one row per bad reason.

    Each member's email is normalized and judged once, in a materialized CTE, with the send's own
    rule (:mod:`actui.segments.email_sql`). The first row (``reason`` NULL) holds the member rows,
    the distinct sendable emails, the customers and the table's total; each further row holds one
    reason a send would reject an email for and its member rows. Only the few rejected rows are
    grouped, so the big sort is the distinct count alone.
    """
    resolver = resolver or DictResolver()
    dialect = source.dialect
    members = members_query(segment, source, resolver).subquery("members")
    name = segment_table_name(segment, source)
    table = source.table(name)
    judged = select(
        members.c.customer_key,
        normalized_email_sql(members.c.email, dialect).label("email_key"),
        email_reason_sql(members.c.email, dialect).label("reason"),
    ).cte("judged")
    if dialect in ("sqlite", "postgresql"):
        judged = judged.prefix_with("MATERIALIZED")  # judge each email once, not per reference
    customers = func.count()  # member rows: what a send reads (one a customer for rule segments)
    sendable = case((judged.c.reason.is_(None), judged.c.email_key))
    summary = select(
        literal(None, String).label("reason"),
        func.count().label("rows"),
        func.count(func.distinct(sendable)).label("emails"),
        customers.label("customers"),
        select(func.count()).select_from(table).scalar_subquery().label("total"),
    ).select_from(judged)
    rejected = (
        select(
            judged.c.reason,
            func.count().label("rows"),
            literal(0).label("emails"),
            literal(0).label("customers"),
            literal(0).label("total"),
        )
        .where(judged.c.reason.is_not(None))
        .group_by(judged.c.reason)
    )
    return union_all(summary, rejected)


def audience_size(
    segment: Segment,
    source: Source,
    resolver: SegmentResolver | None = None,
    *,
    is_cancelled: CancelCheck = None,
    email_facts: bool = True,
) -> AudienceSize:
    """Customers, distinct sendable emails and invalid emails by reason, exactly as a send judges.

    ``emails`` is the number of distinct normalized emails a one-group campaign of the segment
    would send; ``invalid_emails`` counts members whose email a send rejects, by reason. On a
    SQLite file whose :mod:`email facts <actui.segments.email_facts>` are fresh, the figures are
    read from them (``email_facts=False`` judges every member's email instead): the same numbers.
    """
    facts = _usable_facts(segment, source) if email_facts else None
    if facts is not None:
        return _audience_size_from_facts(segment, source, resolver, facts, is_cancelled)
    query = audience_size_query(segment, source, resolver)
    _check(is_cancelled)
    with source.read_only() as connection:
        rows = connection.execute(query).all()
    summary = next(row for row in rows if row.reason is None)
    reasons = {str(row.reason): int(row.rows) for row in rows if row.reason is not None}
    return _audience(int(summary.customers), int(summary.emails), reasons, int(summary.total))


def _audience(customers: int, emails: int, reasons: dict[str, int], total: int) -> AudienceSize:
    """The figures as an :class:`AudienceSize`: reasons most frequent first, share of ``total``."""
    missing = reasons.get(REASON_MISSING, 0)
    return AudienceSize(
        customers=customers,
        contacts=emails,
        missing_email=missing,
        invalid_email=sum(reasons.values()) - missing,
        invalid_reasons=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        total=total,
        share=customers / total if total else 0.0,
    )


def _usable_facts(segment: Segment, source: Source) -> EmailFacts | None:
    """Fresh email facts of a rule segment's table when its key is unique (one row a customer)."""
    if source.dialect != "sqlite" or not isinstance(segment, RuleSegment):
        return None
    name = segment_table_name(segment, source)
    if not source.rows_are_customers(name):
        return None
    return fresh_email_facts(source, name)


def audience_size_from_facts_query(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> Select[Any]:
    """Members grouped by reason, with their shared-email numbers (see :mod:`.email_facts`).

    One row per reason (``NULL``: sendable) with its member rows, the rows whose email other rows
    of the table share, and how many distinct such emails; nothing reads an email. Rows without
    facts (most) have a sendable email no other row has.
    """
    table, _, condition = _base(segment, source, resolver or DictResolver())
    facts = _facts_table()
    quoted = source.engine.dialect.identifier_preparer.format_table(table)
    rowid: ColumnElement[Any] = literal_column(f"{quoted}.rowid")
    return (
        select(
            facts.c.reason,
            func.count().label("rows"),
            func.count(facts.c.dup).label("shared"),
            func.count(func.distinct(facts.c.dup)).label("distinct_shared"),
        )
        .select_from(table.outerjoin(facts, facts.c.rid == rowid))
        .where(condition)
        .group_by(facts.c.reason)
    )


def _facts_table() -> Table:
    return Table(
        FACTS_TABLE,
        MetaData(),
        Column("rid", Integer, primary_key=True),
        Column("reason", String),
        Column("dup", Integer),
        schema=FACTS_SCHEMA,
    )


def _audience_size_from_facts(
    segment: Segment,
    source: Source,
    resolver: SegmentResolver | None,
    facts: EmailFacts,
    is_cancelled: CancelCheck,
) -> AudienceSize:
    """:func:`audience_size` read from the email facts: the same figures, no email judged."""
    query = audience_size_from_facts_query(segment, source, resolver)
    table = source.table(facts.table)
    _check(is_cancelled)
    with source.read_only() as connection:
        connection.exec_driver_sql(f"ATTACH DATABASE ? AS {FACTS_SCHEMA}", (str(facts.path),))
        try:
            rows = connection.execute(query).all()
        finally:
            connection.exec_driver_sql(f"DETACH DATABASE {FACTS_SCHEMA}")
        total = int(connection.execute(select(func.count()).select_from(table)).scalar_one())
    customers = sum(int(row.rows) for row in rows)
    sendable = next((row for row in rows if row.reason is None), None)
    emails = (
        0
        if sendable is None
        else int(sendable.rows) - int(sendable.shared) + int(sendable.distinct_shared)
    )
    reasons = {str(row.reason): int(row.rows) for row in rows if row.reason is not None}
    return _audience(customers, emails, reasons, total)


def condition_sizes(
    segment: Segment,
    source: Source,
    resolver: SegmentResolver | None = None,
    *,
    is_cancelled: CancelCheck = None,
) -> list[ConditionSize]:
    """How many customers each top-level condition selects alone (same match, day and case)."""
    if not isinstance(segment, RuleSegment):
        return []
    resolver = resolver or DictResolver()
    validate_segment(segment, source, resolver)
    table = source.table(segment_table_name(segment, source))
    sizes: list[ConditionSize] = []
    with source.read_only() as connection:
        for index, node in enumerate(segment.conditions):
            _check(is_cancelled)
            alone = segment.model_copy(update={"conditions": [node]})
            condition = segment_condition(alone, source, resolver)
            count = connection.execute(
                select(func.count()).select_from(table).where(condition)
            ).scalar_one()
            sizes.append(ConditionSize(f"conditions[{index}]", describe(node), int(count)))
    return sizes


def breakdown(
    segment: Segment,
    source: Source,
    resolver: SegmentResolver | None = None,
    attribute: str = "",
    top: int = 10,
    *,
    is_cancelled: CancelCheck = None,
) -> Breakdown:
    """Members split by ``attribute``: top values + "other"; numbers in buckets; dates by year."""
    resolver = resolver or DictResolver()
    table, name, condition = _base(segment, source, resolver)
    if attribute not in table.c:
        raise SegmentError(
            f"The table {name!r} has no attribute {attribute!r}"
            f"{suggestion(attribute, list(table.c.keys()))}; pick one of its columns."
        )
    column: _Column[Any] = table.c[attribute]
    kind = kind_name(source.column(name, attribute).kind)
    with source.read_only() as connection:
        members = int(
            connection.execute(
                select(func.count()).select_from(table).where(condition)
            ).scalar_one()
        )
        _check(is_cancelled)
        if kind == "number":
            rows = _number_rows(connection, table, column, condition, is_cancelled)
        elif kind in ("date", "datetime"):
            rows = _year_rows(connection, table, column, condition)
        else:
            rows = _value_rows(connection, table, column, condition, top)
    other = members - sum(row.customers for row in rows)
    return Breakdown(attribute, kind, members, rows, other)


def _value_rows(
    connection: Connection,
    table: FromClause,
    column: _Column[Any],
    condition: ColumnElement[bool],
    top: int,
) -> list[BreakdownRow]:
    count = func.count().label("customers")
    query = (
        select(column.label("value"), count)
        .select_from(table)
        .where(condition)
        .group_by(column)
        .order_by(count.desc(), column.is_(None), column)
        .limit(top)
    )
    return [
        BreakdownRow(_label(value), int(customers), value)
        for value, customers in connection.execute(query)
    ]


def _year_rows(
    connection: Connection, table: FromClause, column: _Column[Any], condition: ColumnElement[bool]
) -> list[BreakdownRow]:
    year = extract("year", column).label("year")
    query = (
        select(year, func.count().label("customers"))
        .select_from(table)
        .where(condition)
        .group_by(year)
        .order_by(year)
    )
    return [
        BreakdownRow(_label(None if value is None else int(value)), int(customers), value)
        for value, customers in connection.execute(query)
    ]


def bucket_edges(
    low: float, high: float, integers: bool, buckets: int = NUMBER_BUCKETS
) -> list[float]:
    """Round bucket edges ``[e0, ..., en]`` covering ``low..high`` (e0 <= low, high < en)."""
    span = high - low
    if span <= 0:
        return [low, low + 1]
    raw = span / buckets
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if integers:
            step = max(1, math.ceil(step))
        start = math.floor(low / step) * step
        if (high - start) / step < buckets + 2:
            break
    edges = [start]
    while edges[-1] <= high:
        edges.append(round(start + len(edges) * step, 9))
    return edges


def _number_rows(
    connection: Connection,
    table: FromClause,
    column: _Column[Any],
    condition: ColumnElement[bool],
    is_cancelled: CancelCheck,
) -> list[BreakdownRow]:
    low, high = connection.execute(
        select(func.min(column), func.max(column)).select_from(table).where(condition)
    ).one()
    _check(is_cancelled)
    rows: list[BreakdownRow] = []
    if low is not None:
        integers = isinstance(low, int) and isinstance(high, int)
        edges = bucket_edges(float(low), float(high), integers)
        whens = [(column < literal(edge), index) for index, edge in enumerate(edges[1:-1])]
        bucket = case(*whens, else_=len(edges) - 2).label("bucket")
        query = (
            select(bucket, func.count().label("customers"))
            .select_from(table)
            .where(condition, column.is_not(None))
            .group_by(bucket)
            .order_by(bucket)
        )
        counts = {int(index): int(customers) for index, customers in connection.execute(query)}
        for index in range(len(edges) - 1):
            label = f"{_number(edges[index])} to {_number(edges[index + 1])}"
            rows.append(BreakdownRow(label, counts.get(index, 0), (edges[index], edges[index + 1])))
    empty = connection.execute(
        select(func.count()).select_from(table).where(condition, column.is_(None))
    ).scalar_one()
    if empty:
        rows.append(BreakdownRow(_label(None), int(empty), None))
    return rows


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _label(value: Any) -> str:
    return "(empty)" if value is None else str(value)


def sample_rows(
    segment: Segment,
    source: Source,
    resolver: SegmentResolver | None = None,
    n: int = 20,
    *,
    columns: Sequence[str] | None = None,
) -> SampleRows:
    """The first ``n`` members by customer key: the same rows on every refresh of the segment."""
    resolver = resolver or DictResolver()
    table, name, condition = _base(segment, source, resolver)
    key = source.customer_key(name)
    wanted = list(columns) if columns else list(table.c.keys())
    missing = [item for item in wanted if item not in table.c]
    if missing:
        raise SegmentError(f"The table {name!r} has no column {missing[0]!r}.")
    order = table.c[key] if key is not None and key in table.c else table.c[wanted[0]]
    query = select(*(table.c[item] for item in wanted)).where(condition).order_by(order).limit(n)
    with source.read_only() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    return SampleRows(wanted, rows)


__all__ = [
    "AudienceSize",
    "Breakdown",
    "BreakdownRow",
    "Cancelled",
    "ConditionSize",
    "SampleRows",
    "audience_size",
    "audience_size_query",
    "breakdown",
    "bucket_edges",
    "condition_sizes",
    "sample_rows",
]
