"""What a dry run reports: its plan staged and costed in requests, imports and time."""

from __future__ import annotations

import math

from sqlalchemy import Engine

from actui.sync.accounts import Accounts
from actui.sync.journal import BULK_MAX_BYTES, BULK_MAX_CONTACTS, BULK_MIN_CONTACTS, TargetRow
from actui.sync.models import (
    Counts,
    SendLimits,
    SendRequest,
    TargetEstimate,
)
from actui.sync.planner import (
    pending_sizes,
)
from actui.sync.staging import prepare, stage


async def plan_dry_run(
    engine: Engine, run_id: str, request: SendRequest, db_url: str, accounts: Accounts
) -> tuple[list[TargetRow], set[int]]:
    """A dry run's plan: targets (no list created), snapshots, the staged audience and its diff.

    Returns the targets and the ids of those whose list was read. A real send plans while it
    sends instead (:func:`plan_and_send`).
    """
    prepared = await prepare(engine, run_id, request, db_url, accounts, dry=True)
    try:
        stage(engine, run_id, request, prepared)
        return prepared.targets, prepared.read
    finally:
        prepared.audience.close()


def estimate_target(
    engine: Engine, target: TargetRow, counts: Counts, read: bool
) -> TargetEstimate:
    with engine.connect() as conn:
        sizes = pending_sizes(conn, target.id)
    bulk = single_requests = 0
    for action, (contacts, size) in sizes.items():
        if action != "resubscribe" and contacts >= BULK_MIN_CONTACTS:
            bulk += max(math.ceil(contacts / BULK_MAX_CONTACTS), math.ceil(size / BULK_MAX_BYTES))
        else:
            single_requests += 2 * contacts
    return TargetEstimate(
        destination=target.destination,
        list_name=target.list_name,
        list_id=target.list_id,
        groups=[g for g in target.groups.split(", ") if g],
        counts=counts,
        requests=2 * bulk + single_requests,  # each import is polled about once
        bulk_imports=bulk,
        read_list=read,
    )


def estimated_seconds(requests: int, bulk: int, limits: SendLimits) -> float:
    return max(requests / limits.rate, bulk * 60.0 / limits.bulk_per_minute)
