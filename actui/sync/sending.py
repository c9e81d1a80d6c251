"""Sending a run's targets, alone or beside the staging of its audience in a thread."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from actui.activecampaign import InvalidCredentials
from actui.results.membership import record_membership
from actui.sync import journal
from actui.sync.accounts import Accounts
from actui.sync.cancellation import settled
from actui.sync.flow import StagingFlow
from actui.sync.guard import RemovalRefused
from actui.sync.locks import RunLocks
from actui.sync.models import (
    SendRequest,
)
from actui.sync.progress import ProgressTracker
from actui.sync.staging import clear_staging, prepare, setup_call, stage, staged_counts
from actui.sync.worker import TargetSender

#: the GIL switch interval while the audience is staged beside the senders (Python's is 5 ms)
STAGING_SWITCH_INTERVAL = 0.0005


async def plan_and_send(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    db_url: str,
    accounts: Accounts,
    tracker: ProgressTracker,
    locks: RunLocks | None = None,
) -> int:
    """Stage the audience in a thread and send its batches as they fill, at the same time.

    Planning (reading, judging and diffing the audience) costs about a fifth of a send's time;
    overlapping it with the throttled requests hides it. Senders take only full batches while
    staging runs, and everything once it is done. The run stays ``staging`` until the audience
    is complete: a run killed before then is planned again by ``--resume``, where contacts of
    confirmed batches are already in the list's snapshot and diff as unchanged (never re-sent).
    Returns the number of batches that failed.
    """
    prepared = await prepare(engine, run_id, request, db_url, accounts, dry=False, locks=locks)
    tracker.restart()
    tracker.line(f"run {run_id}: reading the audience, sending as it comes")
    loop = asyncio.get_running_loop()
    flow = StagingFlow()

    def grow(contacts: int, rows: int) -> None:  # from the staging thread, after each chunk
        loop.call_soon_threadsafe(_grow_total, tracker, contacts, rows)

    staging: asyncio.Future[None] | None = None
    sending: asyncio.Future[int] | None = None
    try:
        if request.campaign:  # who was in each group, control included: what results compare
            sent = [group.key for group in prepared.audience.groups]
            await asyncio.to_thread(record_membership, engine, run_id, prepared.audience.plan, sent)
        with _busy_thread_beside_the_loop():
            staging = asyncio.ensure_future(
                asyncio.to_thread(
                    stage, engine, run_id, request, prepared, flow=flow, on_chunk=grow
                )
            )
            guard = prepared.guard
            if guard is not None and guard.holding:
                # no request until the mirror guard knows the leavers are within the limit;
                # meanwhile no sender takes batches, so staging must not wait for them
                flow.pace = False
                tracker.line(f"run {run_id}: counting who would leave the list before sending")
                while guard.holding and not staging.done():
                    await asyncio.wait({staging}, timeout=0.05)
                if guard.holding:
                    staging.result()  # what staging raised, if it did
                    try:
                        guard.check()
                    except RemovalRefused:
                        clear_staging(engine, run_id)  # nothing was sent: nothing to resume
                        raise
                flow.pace = True
            sending = asyncio.ensure_future(
                send_targets(engine, run_id, accounts, tracker, flow=flow)
            )
            await asyncio.wait({staging, sending}, return_when=asyncio.FIRST_COMPLETED)
            if not staging.done():
                # the senders stopped first: on an error, or (never expected) with nothing
                # left to take; staging must not wait for them any more
                if sending.exception() is not None:
                    raise sending.exception()  # type: ignore[misc]
                flow.pace = False
            await staging
        with engine.begin() as conn:
            counts = staged_counts(engine, run_id, prepared.targets)
            journal.set_run_status(conn, run_id, "sending", counts=counts)
        tracker.total, _ = progress_totals(engine, run_id)
        failed = await sending
        if not flow.pace:  # the senders stopped early: send what is left
            failed += await send_targets(engine, run_id, accounts, tracker)
        return failed
    except BaseException:
        flow.stop.set()
        if sending is not None:
            sending.cancel()
            await settled(sending)
        if staging is not None:
            await settled(staging)  # the thread stops at its next chunk; nothing is written after
        raise
    finally:
        prepared.audience.close()


_switch_lock = threading.Lock()
_switch_users = 0
_switch_default = sys.getswitchinterval()


@contextmanager
def _busy_thread_beside_the_loop() -> Iterator[None]:
    """A short GIL switch interval while a staging thread runs beside the event loop.

    The staging thread is busy Python; by default a thread waiting for the GIL (the event loop,
    after each socket read) waits up to 5 ms for it, and a batch needs dozens of such turns. The
    interval is process-wide: it is restored when the last of concurrent sends finishes staging.
    """
    global _switch_users, _switch_default
    with _switch_lock:
        if _switch_users == 0:
            _switch_default = sys.getswitchinterval()
            sys.setswitchinterval(STAGING_SWITCH_INTERVAL)
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_default)


def _grow_total(tracker: ProgressTracker, contacts: int, rows: int) -> None:
    tracker.total += contacts
    tracker.reading(rows, tracker.staged + contacts)


async def send_targets(
    engine: Engine,
    run_id: str,
    accounts: Accounts,
    tracker: ProgressTracker,
    *,
    flow: StagingFlow | None = None,
) -> int:
    """Send every target of the run; returns the number of batches that failed.

    ``flow`` is the run's staging while its audience is still being staged (see
    :func:`plan_and_send`).
    """
    with engine.connect() as conn:
        targets = journal.targets_of(conn, run_id)
    senders: list[TargetSender] = []
    refusals: list[InvalidCredentials] = []  # one refused key stops every list of the run
    for target in targets:
        if target.list_id is None:
            continue
        account = await accounts.get(target.credential)
        if account.exclusions is None:
            account.exclusions = list(await setup_call(account.client.exclusions))
        senders.append(
            TargetSender(
                engine,
                target,
                account.client,
                account.exclusions,  # type: ignore[arg-type]
                tracker,
                flow=flow,
                refusals=refusals,
            )
        )
    # every list at once: while the audience streams in, each takes its own batches as they fill
    # (one after another, a list waiting for its first full batch would hold the others back)
    failed = await asyncio.gather(*(sender.run() for sender in senders), return_exceptions=True)
    for outcome in failed:
        if isinstance(outcome, BaseException):
            raise outcome
    return sum(n for n in failed if isinstance(n, int))


def progress_totals(engine: Engine, run_id: str) -> tuple[int, int]:
    """(contacts to send in the run, contacts in confirmed batches so far)."""
    with engine.connect() as conn:
        total = conn.execute(
            text(
                "SELECT COUNT(*) FROM sync_audience WHERE target_id IN"
                " (SELECT id FROM sync_targets WHERE run_id = :r) AND action IN"
                " ('subscribe', 'update', 'resubscribe', 'unsubscribe')"
            ),
            {"r": run_id},
        ).scalar_one()
        done = journal.batch_totals(conn, run_id).get("confirmed", (0, 0))[1]
    return int(total), int(done)
