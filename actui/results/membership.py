"""Each send's group membership, frozen in the state database when the send starts.

A campaign's groups are decided by a hash of the customer key, over whatever the Customer 360
holds at the time; to compare who was treated with who was held out, results read the members a
run actually had, not today's. So a campaign send records, before its first request, every
member of the groups it sends and of the campaign's control groups: one row per member (group,
customer key, normalized email), classified exactly as the send classifies them (exclusions,
duplicate and invalid emails set aside). A run's membership is written once: a resumed run that
finds it complete leaves it alone, and one stopped half-way through recording writes it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)

from actui.campaigns.contacts import Contact
from actui.campaigns.plan import CampaignPlan, GroupKey
from actui.state import ensure_tables, metadata

#: one row per recorded run: when it was sent, and whether its membership is complete
result_runs_table = Table(
    "result_runs",
    metadata,
    Column("run_id", String, primary_key=True),
    Column("campaign_id", String, nullable=False),
    Column("campaign", String, nullable=False),
    Column("customer_key", String, nullable=False),  # the key column the members' keys are of
    Column("sent_at", Float, nullable=False),
    Column("recorded_at", Float, nullable=True),  # None while recording
)

#: one row per group of a recorded run (control groups included)
result_groups_table = Table(
    "result_groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String, nullable=False),
    Column("position", Integer, nullable=False),
    Column("sub_audience", String, nullable=True),
    Column("name", String, nullable=False),
    Column("control", Integer, nullable=False),
    Index("ix_result_groups_run", "run_id"),
)

#: one row per member of a recorded group; no rowid: the key is the row
result_members_table = Table(
    "result_members",
    metadata,
    Column("group_id", Integer, primary_key=True),
    Column("customer_key", String, primary_key=True),
    Column("email", String, nullable=False),
    sqlite_with_rowid=False,
)

#: members read from the Customer 360 at a time, and written to the state database per commit
CHUNK_ROWS = 5000
INSERT_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class RecordedGroup:
    """A group of a recorded run."""

    id: int
    position: int
    sub_audience: str | None
    name: str
    control: bool

    @property
    def label(self) -> str:
        return f"{self.sub_audience} / {self.name}" if self.sub_audience else self.name


@dataclass(frozen=True, slots=True)
class RecordedRun:
    """A run whose membership is frozen: when it was sent and what its members' keys are."""

    run_id: str
    campaign_id: str
    campaign: str
    customer_key: str
    sent_at: float
    groups: tuple[RecordedGroup, ...]


def record_membership(
    engine: Engine,
    run_id: str,
    plan: CampaignPlan,
    sent: Iterable[GroupKey],
    *,
    sent_at: float | None = None,
) -> bool:
    """Record the members of the ``sent`` groups and of every control group of ``plan``.

    ``sent_at`` (a POSIX time) is when the send happened: now, unless told. Returns False when
    the run's membership was already complete (nothing is read or written).
    """
    ensure_tables(engine)
    with engine.connect() as conn:
        done = conn.execute(
            select(result_runs_table.c.recorded_at).where(result_runs_table.c.run_id == run_id)
        ).scalar()
    if done is not None:
        return False
    wanted = set(sent)
    keys = [
        spec.key for specs in plan.groups for spec in specs if spec.control or spec.key in wanted
    ]
    controls = {spec.key for specs in plan.groups for spec in specs if spec.control}
    with engine.begin() as conn:
        _forget(conn, run_id)
        conn.execute(
            insert(result_runs_table).values(
                run_id=run_id,
                campaign_id=plan.campaign.id,
                campaign=plan.campaign.name,
                customer_key=plan.customer_key,
                sent_at=time.time() if sent_at is None else sent_at,
                recorded_at=None,
            )
        )
        group_ids: dict[GroupKey, int] = {}
        for position, key in enumerate(keys):
            inserted = conn.execute(
                insert(result_groups_table).values(
                    run_id=run_id,
                    position=position,
                    sub_audience=key.sub_audience,
                    name=key.group,
                    control=int(key in controls),
                )
            )
            group_ids[key] = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    # plain driver tuples through one compiled statement: a million members take seconds
    statement = str(
        insert(result_members_table).prefix_with("OR IGNORE").compile(dialect=engine.dialect)
    )
    for rows in _member_rows(plan, group_ids):
        with engine.begin() as conn:
            conn.exec_driver_sql(statement, rows)
    with engine.begin() as conn:
        conn.execute(
            update(result_runs_table)
            .where(result_runs_table.c.run_id == run_id)
            .values(recorded_at=time.time())
        )
    return True


def _member_rows(
    plan: CampaignPlan, group_ids: dict[GroupKey, int]
) -> Iterable[list[tuple[int, str | None, str]]]:
    """The members of the recorded groups as ``(group_id, customer_key, email)`` rows, in
    :data:`INSERT_ROWS` at a time."""
    from actui.campaigns.stream import stream_rows

    def member(_row: Any, email: str, customer_key: str) -> Contact:
        return Contact(email, customer_key=customer_key)

    builders = {key: (member if key in group_ids else None) for key in plan.group_keys}
    pending: list[tuple[int, str | None, str]] = []
    for chunk in stream_rows(
        plan, plan.send_statement(), CHUNK_ROWS, builders, _ignore, paced=True
    ):
        pending.extend(
            (group_ids[key], contact.customer_key, contact.email) for key, contact in chunk
        )
        if len(pending) >= INSERT_ROWS:
            yield pending
            pending = []
    if pending:
        yield pending


def _ignore(*_args: Any) -> None:
    """Rows that are not members (excluded, bad emails) are simply not recorded."""


def _forget(conn: Connection, run_id: str) -> None:
    """Drop a run's partial membership, and that of runs the journal no longer has."""
    from actui.sync.store import run_table

    gone = select(result_runs_table.c.run_id).where(
        (result_runs_table.c.run_id == run_id)
        | result_runs_table.c.run_id.not_in(select(run_table.c.id))
    )
    groups = select(result_groups_table.c.id).where(result_groups_table.c.run_id.in_(gone))
    conn.execute(delete(result_members_table).where(result_members_table.c.group_id.in_(groups)))
    conn.execute(delete(result_groups_table).where(result_groups_table.c.run_id.in_(gone)))
    conn.execute(delete(result_runs_table).where(result_runs_table.c.run_id.in_(gone)))


def recorded_run(conn: Connection, run_id: str) -> RecordedRun | None:
    """The run's frozen membership, when it was recorded completely."""
    row = conn.execute(
        select(result_runs_table).where(
            (result_runs_table.c.run_id == run_id) & result_runs_table.c.recorded_at.is_not(None)
        )
    ).first()
    if row is None:
        return None
    groups = conn.execute(
        select(result_groups_table)
        .where(result_groups_table.c.run_id == run_id)
        .order_by(result_groups_table.c.position)
    ).all()
    return RecordedRun(
        run_id=row.run_id,
        campaign_id=row.campaign_id,
        campaign=row.campaign,
        customer_key=row.customer_key,
        sent_at=float(row.sent_at),
        groups=tuple(
            RecordedGroup(g.id, g.position, g.sub_audience, g.name, bool(g.control)) for g in groups
        ),
    )


__all__ = [
    "RecordedGroup",
    "RecordedRun",
    "record_membership",
    "recorded_run",
    "result_groups_table",
    "result_members_table",
    "result_runs_table",
]
