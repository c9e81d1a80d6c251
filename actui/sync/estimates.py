"""What a dry run reports: its plan staged and costed in requests, imports and time."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from actui.sync.accounts import REQUEST_HEADROOM, Accounts
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
from actui.sync.worker import MAX_IN_FLIGHT


@dataclass(frozen=True, slots=True)
class DryRunPlan:
    """A dry run's plan: its targets, the lists it read, and how long its two steps took here."""

    targets: list[TargetRow]
    read: set[int]
    preparing_seconds: float
    staging_seconds: float


async def plan_dry_run(
    engine: Engine, run_id: str, request: SendRequest, db_url: str, accounts: Accounts
) -> DryRunPlan:
    """A dry run's plan: targets (no list created), snapshots, the staged audience and its diff.

    A real send plans while it sends instead (:func:`plan_and_send`); the time each step took
    here is what the estimate expects the send to spend on the same work.
    """
    started = time.monotonic()
    prepared = await prepare(engine, run_id, request, db_url, accounts, dry=True)
    try:
        staged = time.monotonic()
        stage(engine, run_id, request, prepared)
        done = time.monotonic()
        return DryRunPlan(prepared.targets, prepared.read, staged - started, done - staged)
    finally:
        prepared.audience.close()


#: requests for each list before its contacts: its user group and the list looked up
LIST_LOOKUPS = 2
#: more requests for a list that does not exist yet: the list created, then shown to the group
LIST_CREATION = 2
#: contacts a page of a list read holds
READ_PAGE = 100
#: requests each account costs once: its exclusion list (read before sending)
ACCOUNT_REQUESTS = 1
#: requests a contact costs on the single path, by action (``contact/sync`` + ``contactLists``;
#: an update is the sync alone; an unsubscribe may first look the contact up)
SINGLE_REQUESTS = {"subscribe": 2, "resubscribe": 2, "update": 1, "unsubscribe": 2}


def read_requests(subscribed: int, unsubscribed: int) -> int:
    """Requests to read a list: for each status, the list itself then its pages of contacts."""
    return 2 + subscribed // READ_PAGE + 1 + unsubscribed // READ_PAGE + 1


def estimate_target(
    engine: Engine,
    target: TargetRow,
    counts: Counts,
    read: bool,
    *,
    max_removal: float,
    reconcile: bool = False,
) -> TargetEstimate:
    """One list's requests as the send will make them: list lookups (and its creation and first
    read when it does not exist yet, or a read again with ``reconcile``), then its contacts: each
    bulk import posted and polled, or each contact on the single path."""
    with engine.connect() as conn:
        sizes = pending_sizes(conn, target.id)
        members = (
            _snapshot_sizes(conn, target.account_url, target.list_id) if target.list_id else (0, 0)
        )
    bulk = single_requests = 0
    for action, (contacts, size) in sizes.items():
        if action != "resubscribe" and contacts >= BULK_MIN_CONTACTS:
            bulk += max(math.ceil(contacts / BULK_MAX_CONTACTS), math.ceil(size / BULK_MAX_BYTES))
        else:
            single_requests += SINGLE_REQUESTS.get(action, 2) * contacts
    list_requests = LIST_LOOKUPS
    if target.list_id is None:  # created by the send, then read (empty)
        list_requests += LIST_CREATION + read_requests(0, 0)
    elif reconcile:  # read again by the send (a dry run's own first read is already done)
        list_requests += read_requests(*members)
    return TargetEstimate(
        destination=target.destination,
        list_name=target.list_name,
        list_id=target.list_id,
        groups=[g for g in target.groups.split(", ") if g],
        counts=counts,
        requests=list_requests + bulk + math.ceil(POLLS_PER_IMPORT * bulk) + single_requests,
        bulk_imports=bulk,
        read_list=read,
        max_removal=max_removal,
    )


#: ActiveCampaign processes a bulk import in the background, and the send asks ``/import/info``
#: until it is done, after a delay it adapts (:class:`actui.sync.worker.PollTiming`). With imports
#: that take 1-3 s, as the sandbox's do by default, that settles at about this many polls an import
POLLS_PER_IMPORT = 1.6
#: how long ActiveCampaign takes to process one bulk import, on average (the sandbox's default
#: draws 1-3 s)
IMPORT_SECONDS = 2.0
#: how long an import holds one of the send's MAX_IN_FLIGHT places, from its post to the poll that
#: finds it done: imports are processed in turn, so one waits for those before it, and polls come
#: a little after completion (measured on the sandbox's default processing: 4.5-6.5 s)
IN_FLIGHT_SECONDS = 5.5


def account_requests(accounts: Accounts) -> int:
    """What each account costs once: its exclusion list and, when mapped, its custom fields."""
    return sum(
        ACCOUNT_REQUESTS + (1 if account.field_ids else 0) for account in accounts.by_url.values()
    )


def _snapshot_sizes(conn: Connection, account_url: str, list_id: str) -> tuple[int, int]:
    """(subscribed, unsubscribed) members of the list as actui last saw them."""
    rows = conn.execute(
        text(
            "SELECT status = 1, COUNT(*) FROM sync_snapshot WHERE account_url = :a AND list_id = :l"
            " GROUP BY status = 1"
        ),
        {"a": account_url, "l": list_id},
    ).all()
    found = {bool(subscribed): int(count) for subscribed, count in rows}
    return found.get(True, 0), found.get(False, 0)


#: a send's own work (staging, journaling, encoding each import, recording confirmations) costs
#: about this many times the dry run's staging of the same audience (measured on the sandbox with
#: every limit lifted)
SENDING_TO_STAGING = 3.0


def estimated_seconds(
    requests: int,
    bulk: int,
    limits: SendLimits,
    *,
    preparing_seconds: float = 0.0,
    staging_seconds: float = 0.0,
) -> float:
    """How long the send takes: its preparation, then the throttle's pace and its own work.

    Requests are spaced evenly at the rate the throttle uses (a share of the limit), imports at
    theirs and by the places for imports waiting on ActiveCampaign's processing; the last one is
    processed and polled. The send's own work, measured by the dry run, goes on
    while requests wait for their slots, so the slower of the two sets the pace: the throttle at
    ActiveCampaign's limits, the work only when the limits are raised far above them.
    """
    by_requests = requests / (limits.rate * REQUEST_HEADROOM)
    by_imports = max(0, bulk - 1) * 60.0 / limits.bulk_per_minute
    by_processing = bulk * IN_FLIGHT_SECONDS / MAX_IN_FLIGHT  # imports waiting to be processed
    paced = max(by_requests, by_imports, by_processing) + (IMPORT_SECONDS if bulk else 0.0)
    working = staging_seconds * SENDING_TO_STAGING
    return preparing_seconds + max(paced, working)
