"""Each recorded group's totals (members, converters, value sum and sum of squares), in SQL.

The members are in the state database, the outcomes in the Customer 360; the join runs in one
database, never in a Python loop over members:

- **SQLite Customer 360**: the state database is attached to the read-only connection, and one
  query joins the members with the outcome rows in place (nothing is copied).
- **PostgreSQL**: SQLite joins each group's keys into one text (``group_concat``), and
  PostgreSQL splits it back into rows (``unnest(string_to_array(...))``), inside the usual
  read-only transaction: a million keys cross as two parameters, never as Python objects.
- **Any other database**: the other way round: the Customer 360 sums each customer's outcomes
  inside the window (only customers with one), those sums go into a temporary table of the state
  database, and the join runs there.

In every case the outcome rows are first reduced to one row per customer inside the window, so
a member with several orders counts once as a converter and with the sum of their values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Subquery,
    Table,
    Text,
    bindparam,
    column,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from actui.results.membership import result_members_table
from actui.results.outcome import ResolvedOutcome, ResultsError, Window
from actui.results.stats import GroupTotals
from actui.source import Source

#: the name the state database is attached under on a SQLite Customer 360
STATE_SCHEMA = "actui_state"
#: what joins a group's keys into one text for PostgreSQL (U+001F, the unit separator)
SEPARATOR = "\x1f"
#: per-customer sums copied into the state database at a time (other databases)
COPY_ROWS = 10_000


def group_totals(
    source: Source,
    state: Engine,
    outcome: ResolvedOutcome,
    window: Window,
    group_ids: Sequence[int],
) -> dict[int, GroupTotals]:
    """The totals of each group id (groups without members are absent)."""
    per_customer = _per_customer(outcome, window, source.dialect)
    try:
        if source.dialect == "sqlite":
            return _in_sqlite(source, state, per_customer, group_ids)
        if source.dialect == "postgresql":
            return _in_postgresql(source, state, outcome, per_customer, group_ids)
        return _in_state(source, state, per_customer, group_ids)
    except SQLAlchemyError as error:
        original = getattr(error, "orig", None) or error
        reason = str(original).strip().splitlines()[0].rstrip(".")
        raise ResultsError(
            f"Could not read the outcomes ({outcome.described}) in {source.display_url}: {reason}."
        ) from None


def _per_customer(outcome: ResolvedOutcome, window: Window, dialect: str) -> Subquery:
    """One row per customer with an outcome in the window: key and summed value (NULL: none).

    On SQLite the key is grouped as ``+key``: grouped by the plain column, SQLite walks the
    whole table in the order of an index on the key (a random read per row: 1.1 s for a million
    orders) instead of scanning it and sorting the window's rows (0.09 s).
    """
    rows = outcome.rows
    key: ColumnElement[Any] = rows.c.customer_key
    grouped = key
    if dialect == "sqlite":  # selected plain, so the join can still index it by its affinity
        grouped = UnaryExpression(key, operator=custom_op("+"), type_=key.type)
    return (
        select(key.label("k"), func.sum(rows.c.value).label("v"))
        .where(window.condition(rows.c.date), rows.c.customer_key.is_not(None))
        .group_by(grouped)
        .subquery("per_customer")
    )


def _totals_query(members: Any, per_customer: Any, group_ids: Sequence[int]) -> Any:
    value = func.coalesce(per_customer.c.v, 0.0)
    return (
        select(
            members.c.group_id,
            func.count(),
            func.count(per_customer.c.k),
            func.coalesce(func.sum(value), 0.0),
            func.coalesce(func.sum(value * value), 0.0),
        )
        .select_from(members.outerjoin(per_customer, per_customer.c.k == members.c.customer_key))
        .where(members.c.group_id.in_(list(group_ids)))
        .group_by(members.c.group_id)
    )


def _as_totals(rows: Sequence[Sequence[Any]]) -> dict[int, GroupTotals]:
    return {
        int(row[0]): GroupTotals(int(row[1]), int(row[2]), float(row[3]), float(row[4]))
        for row in rows
    }


def _in_sqlite(
    source: Source, state: Engine, per_customer: Subquery, group_ids: Sequence[int]
) -> dict[int, GroupTotals]:
    database = state.url.database
    if not database:
        raise ResultsError("The state database has no file to attach; set ACTUI_HOME.")
    attached = Table(
        result_members_table.name,
        MetaData(schema=STATE_SCHEMA),
        Column("group_id", Integer),
        Column("customer_key", String),
    )
    with source.read_only() as connection:
        connection.exec_driver_sql(f"ATTACH DATABASE ? AS {STATE_SCHEMA}", (database,))
        try:
            rows = connection.execute(_totals_query(attached, per_customer, group_ids)).all()
        finally:
            connection.rollback()
            connection.exec_driver_sql(f"DETACH DATABASE {STATE_SCHEMA}")
    return _as_totals(rows)


def _in_postgresql(
    source: Source,
    state: Engine,
    outcome: ResolvedOutcome,
    per_customer: Subquery,
    group_ids: Sequence[int],
) -> dict[int, GroupTotals]:
    blobs = _member_blobs(state, group_ids)
    if blobs is None:  # a key holds the separator: the keys go as arrays instead
        members = _member_arrays(state, group_ids, integer_keys=outcome.integer_keys)
    else:
        members = _members_from_blobs(blobs, integer_keys=outcome.integer_keys)
    if not outcome.integer_keys:  # compare as text whatever the outcome key's type
        per_customer = select(
            func.cast(per_customer.c.k, String).label("k"), per_customer.c.v
        ).subquery("per_customer_text")
    with source.read_only() as connection:
        rows = connection.execute(_totals_query(members, per_customer, group_ids)).all()
    return _as_totals(rows)


def _member_blobs(state: Engine, group_ids: Sequence[int]) -> list[tuple[int, str]] | None:
    """Each group's keys as one text, joined by U+001F in SQLite (no Python loop over members).

    None when a key holds U+001F itself.
    """
    table = result_members_table
    wanted = table.c.group_id.in_(list(group_ids))
    with state.connect() as conn:
        clash = conn.execute(
            select(func.count()).where(wanted, func.instr(table.c.customer_key, SEPARATOR) > 0)
        ).scalar_one()
        if clash:
            return None
        rows = conn.execute(
            select(table.c.group_id, func.group_concat(table.c.customer_key, SEPARATOR))
            .where(wanted)
            .group_by(table.c.group_id)
        ).all()
    return [(int(group_id), str(keys)) for group_id, keys in rows]


def _members_from_blobs(blobs: list[tuple[int, str]], *, integer_keys: bool) -> Subquery:
    """``(group_id, customer_key)`` rows that PostgreSQL splits out of each group's text."""
    key_type: Any = BigInteger() if integer_keys else String()
    parts = [
        select(
            literal(group_id, Integer).label("group_id"),
            func.cast(
                func.unnest(
                    func.string_to_array(bindparam(f"members_{i}", keys, type_=Text), SEPARATOR)
                ),
                key_type,
            ).label("customer_key"),
        )
        for i, (group_id, keys) in enumerate(blobs)
    ]
    if not parts:
        parts = [select(literal(0, Integer).label("group_id"), null().label("customer_key"))]
    return union_all(*parts).subquery("members")


def _member_arrays(state: Engine, group_ids: Sequence[int], *, integer_keys: bool) -> Any:
    """The members as two arrays that ``unnest`` turns into rows (keys holding U+001F)."""
    with state.connect() as conn:
        rows = conn.execute(
            select(result_members_table.c.group_id, result_members_table.c.customer_key).where(
                result_members_table.c.group_id.in_(list(group_ids))
            )
        ).all()
    groups = [int(row[0]) for row in rows]
    keys: list[Any] = [int(row[1]) if integer_keys else row[1] for row in rows]
    key_type: Any = BigInteger() if integer_keys else String()
    return (
        func.unnest(
            bindparam("member_groups", groups, type_=ARRAY(Integer)),
            bindparam("member_keys", keys, type_=ARRAY(key_type)),
        )
        .table_valued(column("group_id", Integer), column("customer_key", key_type))
        .render_derived(name="members")
    )


def _in_state(
    source: Source, state: Engine, per_customer: Subquery, group_ids: Sequence[int]
) -> dict[int, GroupTotals]:
    sums = Table(
        "actui_outcome_sums",
        MetaData(),
        Column("k", String, primary_key=True),
        Column("v", Float),
        prefixes=["TEMPORARY"],
    )
    with state.connect() as target:
        sums.create(target)
        try:
            with source.read_only() as connection:
                result = connection.execution_options(stream_results=True).execute(
                    select(per_customer.c.k, per_customer.c.v)
                )
                for chunk in result.partitions(COPY_ROWS):
                    target.execute(sums.insert(), [{"k": str(k), "v": v} for k, v in chunk])
            rows = target.execute(_totals_query(result_members_table, sums, group_ids)).all()
        finally:
            target.rollback()
            target.execute(text("DROP TABLE IF EXISTS temp.actui_outcome_sums"))
            target.commit()
    return _as_totals(rows)


def totals_by_sql_in_state(
    source: Source,
    state: Engine,
    outcome: ResolvedOutcome,
    window: Window,
    group_ids: Sequence[int],
) -> Mapping[int, GroupTotals]:
    """The same totals the other way round (the outcome sums copied into the state database):
    what any database other than SQLite and PostgreSQL gets."""
    return _in_state(source, state, _per_customer(outcome, window, source.dialect), group_ids)


__all__ = ["STATE_SCHEMA", "group_totals", "totals_by_sql_in_state"]
