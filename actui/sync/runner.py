"""The send API the CLI and the TUI call: dry runs, sends, resumes, and the run history.

A send goes: plan the audience -> find or create each list -> read a list from ActiveCampaign the
first time (or on ``reconcile``) -> stage the audience in the state database and diff it in SQL,
chunk by chunk, in a thread, while full batches already go out through each account's throttle
(:func:`_plan_and_send`) -> send what is left (leavers, partial batches) -> write the summary and
the rejected-email log. Every step is journaled, so a run stopped at any point is finished by
:func:`resume_run`.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from actui.activecampaign import ActiveCampaignClient, normalize_account_url, throttle_for
from actui.campaigns.contacts import Contact, RejectedContact
from actui.campaigns.plan import GroupKey, field_names
from actui.results.membership import record_membership
from actui.state import ensure_tables, state_engine
from actui.sync import journal
from actui.sync.audience import Audience, SendError, build_audience, iter_audience
from actui.sync.flow import StagingFlow
from actui.sync.journal import BULK_MAX_BYTES, BULK_MAX_CONTACTS, BULK_MIN_CONTACTS, TargetRow
from actui.sync.models import (
    RESUMABLE,
    Counts,
    RejectedRow,
    RunInfo,
    RunStatus,
    RunSummary,
    SendEstimate,
    SendLimits,
    SendRequest,
    TargetEstimate,
)
from actui.sync.planner import (
    SEND_ACTIONS,
    diff_staged,
    pending_sizes,
    stage_contacts,
    stage_leavers,
    stage_rejections,
    target_counts,
)
from actui.sync.progress import ProgressCallback, ProgressTracker
from actui.sync.report import rejected_of, write_rejected_csv, write_summary
from actui.sync.snapshot import has_snapshot, read_list
from actui.sync.store import run_table
from actui.sync.worker import TargetSender

T = TypeVar("T")
CancelEvent = threading.Event | asyncio.Event

RATE_ENV = "ACTUI_SEND_RATE"
#: share of the request limit used: the server counts arrivals, which jitter; bulk imports (the
#: throughput) have their own lane and use their whole budget
REQUEST_HEADROOM = 0.9
BULK_ENV = "ACTUI_SEND_BULK_PER_MINUTE"
#: the GIL switch interval while the audience is staged beside the senders (Python's is 5 ms)
STAGING_SWITCH_INTERVAL = 0.0005


def limits_from_env(rate: float | None = None, bulk_per_minute: float | None = None) -> SendLimits:
    """The throttle to use: explicit values, else ACTUI_SEND_RATE / ACTUI_SEND_BULK_PER_MINUTE."""
    try:
        chosen_rate = rate if rate is not None else float(os.environ.get(RATE_ENV) or 5.0)
        chosen_bulk = (
            bulk_per_minute
            if bulk_per_minute is not None
            else float(os.environ.get(BULK_ENV) or 100.0)
        )
    except ValueError:
        raise SendError(
            f"{RATE_ENV} and {BULK_ENV} must be numbers (requests a second, imports a minute)."
        ) from None
    if chosen_rate <= 0 or chosen_bulk <= 0:
        raise SendError("Send limits must be positive numbers.")
    return SendLimits(rate=chosen_rate, bulk_per_minute=chosen_bulk)


def mask_db_url(url: str) -> str:
    """The Customer 360 URL as journaled: the password never reaches the state database."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported when connecting
        return url


# -- the engine and the accounts ----------------------------------------------------------------


def _engine() -> Engine:
    engine = state_engine()
    ensure_tables(engine)
    return engine


@dataclass
class _Account:
    """One ActiveCampaign account of a run: its client and, once fetched, its exclusion list."""

    url: str
    credential: str
    client: ActiveCampaignClient
    field_ids: dict[str, str] | None = None
    exclusions: list[object] | None = None


@dataclass
class _Accounts:
    """The run's clients, one per account, sharing each account's process-wide throttle."""

    limits: SendLimits
    stack: AsyncExitStack
    tracker: ProgressTracker | None = None
    by_url: dict[str, _Account] = field(default_factory=dict)

    async def get(self, credential_name: str) -> _Account:
        from actui.credentials import get_credential

        credential = get_credential(credential_name)
        url = normalize_account_url(credential.url)
        account = self.by_url.get(url)
        if account is None:
            throttle = throttle_for(
                url,
                rate=self.limits.rate * REQUEST_HEADROOM,
                bulk_per_minute=self.limits.bulk_per_minute,
            )
            client = ActiveCampaignClient(
                url, credential.api_key.get_secret_value(), throttle=throttle
            )
            await self.stack.enter_async_context(client)
            account = _Account(url, credential_name, client)
            self.by_url[url] = account
            if self.tracker is not None:
                self.tracker.watch(throttle.stats)
        return account


# -- planning a run -------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """A run ready to stage: its audience, targets (lists found or created) and accounts."""

    audience: Audience
    targets: list[TargetRow]
    target_of: dict[GroupKey, int]
    account_of: dict[int, _Account]
    read: set[int]


async def _prepare(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    db_url: str,
    accounts: _Accounts,
    *,
    dry: bool,
) -> _Prepared:
    """Targets, lists, first snapshots and custom field ids: everything before staging."""
    from actui.credentials import get_destination

    audience = build_audience(request, db_url)
    try:
        keyed: dict[tuple[str, str], tuple[int, list[GroupKey]]] = {}
        target_of: dict[GroupKey, int] = {}
        account_of: dict[int, _Account] = {}
        group_title: dict[int, str] = {}
        for sending in audience.groups:
            destination = get_destination(sending.destination)
            account = await accounts.get(destination.credential)
            list_name = sending.list_name
            found = keyed.get((account.url, list_name.casefold()))
            if found is None:
                with engine.begin() as conn:
                    target_id = journal.add_target(
                        conn,
                        run_id,
                        destination=destination.name,
                        credential=destination.credential,
                        account_url=account.url,
                        list_name=list_name,
                        groups=[sending.key.label()],
                        verbose_logs=destination.verbose_logs,
                    )
                found = (target_id, [])
                keyed[(account.url, list_name.casefold())] = found
                account_of[target_id] = account
                group_title[target_id] = destination.group
            found[1].append(sending.key)
            target_of[sending.key] = found[0]
        read: set[int] = set()
        with engine.connect() as conn:
            targets = journal.targets_of(conn, run_id)
        for target in targets:
            client = account_of[target.id].client
            if dry:
                existing = await client.find_list(target.list_name)
                list_id = existing.id if existing is not None else None
            else:
                list_id = (await client.ensure_list(target.list_name, group_title[target.id])).id
            if list_id is None:
                continue
            with engine.begin() as conn:
                journal.set_target_list(conn, target.id, list_id)
                known = has_snapshot(conn, target.account_url, list_id)
            if request.reconcile or not known:
                await read_list(engine, client, target.account_url, list_id)
                read.add(target.id)
        names = field_names(audience.plan)
        for account in {id(a): a for a in account_of.values()}.values():
            if account.field_ids is None:
                account.field_ids = await account.client.resolve_fields(names) if names else {}
        with engine.connect() as conn:
            targets = journal.targets_of(conn, run_id)
    except BaseException:
        audience.close()
        raise
    return _Prepared(audience, targets, target_of, account_of, read)


async def _plan_dry_run(
    engine: Engine, run_id: str, request: SendRequest, db_url: str, accounts: _Accounts
) -> tuple[list[TargetRow], set[int]]:
    """A dry run's plan: targets (no list created), snapshots, the staged audience and its diff.

    Returns the targets and the ids of those whose list was read. A real send plans while it
    sends instead (:func:`_plan_and_send`).
    """
    prepared = await _prepare(engine, run_id, request, db_url, accounts, dry=True)
    try:
        _stage(engine, run_id, request, prepared)
        return prepared.targets, prepared.read
    finally:
        prepared.audience.close()


class _StagingStopped(Exception):
    """The run was stopped while its audience was being staged."""


def _stage(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    prepared: _Prepared,
    *,
    flow: StagingFlow | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> None:
    """Stream the audience into the state database, diffing each chunk as it lands.

    Memory stays flat: one chunk at a time. Each chunk's rows get their actions in the chunk's
    own transaction, so a sender may take them as soon as it commits; ``on_chunk`` hears how many
    of them cost requests. Leavers (mirror mode) are staged last, once the audience is complete.
    """
    target_of, account_of = prepared.target_of, prepared.account_of
    targets = {target.id: target for target in prepared.targets}
    accounts = {account_of[t].url for t in target_of.values()}
    passes: list[tuple[dict[str, str], GroupKey | str | None]]
    if len(accounts) == 1:
        only = account_of[next(iter(target_of.values()))]
        passes = [(only.field_ids or {}, request.group)]
    else:  # field ids differ between accounts: one pass per group
        passes = [(account_of[target_of[key]].field_ids or {}, key) for key in target_of]
    for field_ids, wanted in passes:
        rejected: list[tuple[GroupKey, RejectedContact]] = []
        for chunk in iter_audience(prepared.audience, field_ids, wanted, rejected):
            if flow is not None and flow.stop.is_set():
                raise _StagingStopped()
            sending = _stage_chunk(engine, run_id, chunk, rejected, target_of, targets, request)
            if on_chunk is not None:
                on_chunk(sending)
            if flow is not None:
                flow.add_staged(sending)
                flow.wait_for_room()  # outside any transaction: senders keep journaling
        _stage_chunk(engine, run_id, [], rejected, target_of, targets, request)
    if flow is not None and flow.stop.is_set():
        raise _StagingStopped()
    with engine.begin() as conn:
        leavers = sum(
            stage_leavers(conn, target.id, target.account_url, target.list_id, request.mode)
            for target in targets.values()
        )
    if on_chunk is not None and leavers:
        on_chunk(leavers)
    if flow is not None:
        flow.finished = True


def _stage_chunk(
    engine: Engine,
    run_id: str,
    chunk: list[tuple[GroupKey, Contact]],
    rejected: list[tuple[GroupKey, RejectedContact]],
    target_of: dict[GroupKey, int],
    targets: dict[int, TargetRow],
    request: SendRequest,
) -> int:
    """Stage one chunk and diff it; returns how many of its contacts cost requests."""
    by_target: dict[int, list[Contact]] = {}
    for key, contact in chunk:
        target = target_of.get(key)
        if target is not None:
            by_target.setdefault(target, []).append(contact)
    refused: dict[int, list[RejectedContact]] = {}
    for key, row in rejected:
        target = target_of.get(key)
        if target is not None:
            refused.setdefault(target, []).append(row)
    rejected.clear()
    sending = 0
    with engine.begin() as conn:
        for target_id, contacts in by_target.items():
            stage_contacts(conn, target_id, contacts)
            target_row = targets[target_id]
            given = diff_staged(
                conn, target_id, target_row.account_url, target_row.list_id, request.mode
            )
            sending += sum(n for action, n in given.items() if action in SEND_ACTIONS)
        for target_id, rows in refused.items():
            stage_rejections(conn, run_id, target_id, rows)
    return sending


def _clear_staging(engine: Engine, run_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM sync_audience WHERE target_id IN"
                " (SELECT id FROM sync_targets WHERE run_id = :r)"
            ),
            {"r": run_id},
        )
        conn.execute(text("DELETE FROM sync_rejections WHERE run_id = :r"), {"r": run_id})
        conn.execute(text("DELETE FROM sync_batches WHERE run_id = :r"), {"r": run_id})
        conn.execute(text("DELETE FROM sync_targets WHERE run_id = :r"), {"r": run_id})


def _run_counts(engine: Engine, run_id: str, targets: list[TargetRow]) -> Counts:
    total = Counts()
    with engine.connect() as conn:
        for target in targets:
            total = total.add(target_counts(conn, run_id, target.id))
    return total


# -- estimates --------------------------------------------------------------------------------


def _estimate_target(
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


def _seconds(requests: int, bulk: int, limits: SendLimits) -> float:
    return max(requests / limits.rate, bulk * 60.0 / limits.bulk_per_minute)


# -- sending ----------------------------------------------------------------------------------


async def _plan_and_send(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    db_url: str,
    accounts: _Accounts,
    tracker: ProgressTracker,
) -> int:
    """Stage the audience in a thread and send its batches as they fill, at the same time.

    Planning (reading, judging and diffing the audience) costs about a fifth of a send's time;
    overlapping it with the throttled requests hides it. Senders take only full batches while
    staging runs, and everything once it is done. The run stays ``staging`` until the audience
    is complete: a run killed before then is planned again by ``--resume``, where contacts of
    confirmed batches are already in the list's snapshot and diff as unchanged (never re-sent).
    Returns the number of batches that failed.
    """
    prepared = await _prepare(engine, run_id, request, db_url, accounts, dry=False)
    tracker.restart()
    tracker.line(f"run {run_id}: reading the audience, sending as it comes")
    loop = asyncio.get_running_loop()
    flow = StagingFlow()

    def grow(contacts: int) -> None:  # from the staging thread, after each committed chunk
        loop.call_soon_threadsafe(_grow_total, tracker, contacts)

    staging: asyncio.Future[None] | None = None
    sending: asyncio.Future[int] | None = None
    try:
        if request.campaign:  # who was in each group, control included: what results compare
            sent = [group.key for group in prepared.audience.groups]
            await asyncio.to_thread(record_membership, engine, run_id, prepared.audience.plan, sent)
        with _busy_thread_beside_the_loop():
            staging = asyncio.ensure_future(
                asyncio.to_thread(
                    _stage, engine, run_id, request, prepared, flow=flow, on_chunk=grow
                )
            )
            sending = asyncio.ensure_future(
                _send_targets(engine, run_id, accounts, tracker, flow=flow)
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
            counts = _run_counts(engine, run_id, prepared.targets)
            journal.set_run_status(conn, run_id, "sending", counts=counts)
        tracker.total, _ = _progress_totals(engine, run_id)
        failed = await sending
        if not flow.pace:  # the senders stopped early: send what is left
            failed += await _send_targets(engine, run_id, accounts, tracker)
        return failed
    except BaseException:
        flow.stop.set()
        if sending is not None:
            sending.cancel()
            await _settled(sending)
        if staging is not None:
            await _settled(staging)  # the thread stops at its next chunk; nothing is written after
        raise
    finally:
        prepared.audience.close()


async def _settled(future: asyncio.Future[Any]) -> None:
    """Wait until ``future`` is done, whatever it raises and however often we are cancelled."""
    while not future.done():
        with suppress(asyncio.CancelledError):
            await asyncio.wait({future})
    if not future.cancelled():
        future.exception()  # retrieved: not reported as never retrieved


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


def _grow_total(tracker: ProgressTracker, contacts: int) -> None:
    tracker.total += contacts
    tracker.report()


async def _send_targets(
    engine: Engine,
    run_id: str,
    accounts: _Accounts,
    tracker: ProgressTracker,
    *,
    flow: StagingFlow | None = None,
) -> int:
    """Send every target of the run; returns the number of batches that failed.

    ``flow`` is the run's staging while its audience is still being staged (see
    :func:`_plan_and_send`).
    """
    with engine.connect() as conn:
        targets = journal.targets_of(conn, run_id)
    senders: list[TargetSender] = []
    for target in targets:
        if target.list_id is None:
            continue
        account = await accounts.get(target.credential)
        if account.exclusions is None:
            account.exclusions = list(await account.client.exclusions())
        senders.append(
            TargetSender(
                engine,
                target,
                account.client,
                account.exclusions,  # type: ignore[arg-type]
                tracker,
                flow=flow,
            )
        )
    # every list at once: while the audience streams in, each takes its own batches as they fill
    # (one after another, a list waiting for its first full batch would hold the others back)
    failed = await asyncio.gather(*(sender.run() for sender in senders))
    return sum(failed)


def _progress_totals(engine: Engine, run_id: str) -> tuple[int, int]:
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


def _finish(
    engine: Engine,
    run_id: str,
    tracker: ProgressTracker | None,
    *,
    failed_batches: int,
    cancelled: bool,
    error: str | None,
    active_seconds: float,
) -> RunSummary:
    """Journal the run's end, drop its staged audience when done, write its files."""
    counters = tracker.counters() if tracker is not None else None
    with engine.begin() as conn:
        totals = journal.batch_totals(conn, run_id)
        still_open = sum(n for state, (n, _) in totals.items() if state != "confirmed")
        rejected = conn.execute(
            text("SELECT COUNT(*) FROM sync_rejections WHERE run_id = :r"), {"r": run_id}
        ).scalar_one()
        status: RunStatus
        message: str | None
        if cancelled:
            status, message = "cancelled", "Stopped before the end; finish it with --resume."
        elif error is not None:
            status, message = "failed", error
        elif still_open or failed_batches:
            status = "failed"
            message = (
                f"{still_open} batch(es) could not be sent after every retry; they are kept: "
                f"finish with 'actui send --resume {run_id}'."
            )
        else:
            status = "partial" if rejected else "completed"
            message = (
                f"{rejected} email(s) were not accepted; list them with 'actui runs {run_id}'."
                if rejected
                else None
            )
        conn.execute(
            text(
                "UPDATE sync_runs SET status = :s, message = :m, ended_at = :t,"
                " requests = requests + :q, retries = retries + :y,"
                " rate_limited = rate_limited + :l, active_seconds = active_seconds + :a"
                " WHERE id = :r"
            ),
            {
                "s": status,
                "m": message,
                "t": time.time(),
                "q": counters.requests if counters else 0,
                "y": counters.retries if counters else 0,
                "l": counters.rate_limited if counters else 0,
                "a": active_seconds,
                "r": run_id,
            },
        )
        if status in ("completed", "partial"):
            conn.execute(
                text(
                    "DELETE FROM sync_audience WHERE target_id IN"
                    " (SELECT id FROM sync_targets WHERE run_id = :r)"
                ),
                {"r": run_id},
            )
        rejected_file = write_rejected_csv(conn, run_id)
    summary = get_run(run_id)
    summary.rejected_path = str(rejected_file) if rejected_file else None
    summary.summary_path = str(write_summary(summary))
    return summary


async def _run_cancellable(work: Awaitable[T], cancel: CancelEvent | None) -> tuple[T | None, bool]:
    """Await ``work``, cancelling it when ``cancel`` is set; returns (result, was_cancelled)."""
    task = asyncio.ensure_future(work)
    if cancel is None:
        return await task, False
    while not task.done():
        if cancel.is_set():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            return None, True
        await asyncio.wait({task}, timeout=0.1)
    return task.result(), False


async def _drive(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    db_url: str | None,
    limits: SendLimits,
    on_progress: ProgressCallback | None,
    cancel: CancelEvent | None,
) -> RunSummary:
    """Plan (when the run is still staging) and send, journaling the end whatever happens."""
    started = time.monotonic()
    failed = 0
    cancelled = False
    tracker = ProgressTracker(run_id, 0, 0, on_progress)
    async with AsyncExitStack() as stack:
        accounts = _Accounts(limits, stack, tracker)
        try:
            with engine.connect() as conn:
                status = conn.execute(
                    text("SELECT status FROM sync_runs WHERE id = :r"), {"r": run_id}
                ).scalar_one()
            if status == "staging":
                if db_url is None:
                    raise SendError(
                        f"Run {run_id} stopped while reading its audience; resume it with "
                        "--db URL (the Customer 360 it was sent from)."
                    )
                _clear_staging(engine, run_id)
                result, cancelled = await _run_cancellable(
                    _plan_and_send(engine, run_id, request, db_url, accounts, tracker), cancel
                )
                if cancelled and _still_staging(engine, run_id):
                    raise SendError(_stopped_while_staging(engine, run_id))
            else:
                with engine.begin() as conn:
                    journal.set_run_status(
                        conn, run_id, "sending", counts=journal.run_counts(conn, run_id)
                    )
                tracker.total, tracker.done = _progress_totals(engine, run_id)
                tracker.restart()
                total, done = tracker.total, tracker.done
                tracker.line(f"run {run_id}: {total - done} contact(s) to send")
                result, cancelled = await _run_cancellable(
                    _send_targets(engine, run_id, accounts, tracker), cancel
                )
            failed = result or 0
            tracker.report(force=True)
        except (asyncio.CancelledError, KeyboardInterrupt):
            cancelled = True
            if _status(engine, run_id) == "staging":
                raise  # left as staging: --resume plans it again
            summary = _finish(
                engine,
                run_id,
                tracker,
                failed_batches=failed,
                cancelled=True,
                error=None,
                active_seconds=time.monotonic() - started,
            )
            raise
        except BaseException as problem:
            if _still_staging(engine, run_id):
                raise
            _finish(
                engine,
                run_id,
                tracker,
                failed_batches=failed,
                cancelled=False,
                error=str(problem) or type(problem).__name__,
                active_seconds=time.monotonic() - started,
            )
            raise
        summary = _finish(
            engine,
            run_id,
            tracker,
            failed_batches=failed,
            cancelled=cancelled,
            error=None,
            active_seconds=time.monotonic() - started,
        )
    return summary


def _status(engine: Engine, run_id: str) -> str | None:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT status FROM sync_runs WHERE id = :r"), {"r": run_id}
        ).scalar()
    return None if value is None else str(value)


def _still_staging(engine: Engine, run_id: str) -> bool:
    """Whether the run stopped while staging its audience.

    One that sent nothing yet is dropped rather than left to resume; one that sent batches while
    staging is kept as it is, for ``--resume`` to plan again and finish.
    """
    with engine.begin() as conn:
        status = conn.execute(
            text("SELECT status FROM sync_runs WHERE id = :r"), {"r": run_id}
        ).scalar()
        if status is None:
            return True
        if status != "staging":
            return False
        if _sent_batches(conn, run_id):
            conn.execute(
                text("UPDATE sync_runs SET message = :m, ended_at = :t WHERE id = :r"),
                {"m": _stopped_while_staging(engine, run_id), "t": time.time(), "r": run_id},
            )
            return True
        _clear_staging(engine, run_id)
        conn.execute(run_table.delete().where(run_table.c.id == run_id))
    return True


def _sent_batches(conn: Connection, run_id: str) -> int:
    return int(
        conn.execute(
            text("SELECT COUNT(*) FROM sync_batches WHERE run_id = :r AND state != 'planned'"),
            {"r": run_id},
        ).scalar_one()
    )


def _stopped_while_staging(engine: Engine, run_id: str) -> str:
    with engine.connect() as conn:
        sent = _sent_batches(conn, run_id)
    if not sent:
        return "The send was stopped before anything was sent."
    return (
        f"The send was stopped while reading its audience, after {sent} batch(es) went out; "
        f"finish it with 'actui send --resume {run_id}'."
    )


# -- the public API -----------------------------------------------------------------------------


async def dry_run_async(
    request: SendRequest, db_url: str, *, limits: SendLimits | None = None
) -> SendEstimate:
    """What a send would do, with no write to ActiveCampaign (a first diff reads the list)."""
    engine = _engine()
    limits = limits or limits_from_env()
    request = request.model_copy(update={"db_url": mask_db_url(db_url)})
    with engine.begin() as conn:
        run_id = journal.create_run(conn, request, status="staging")
    try:
        async with AsyncExitStack() as stack:
            accounts = _Accounts(limits, stack)
            targets, read = await _plan_dry_run(engine, run_id, request, db_url, accounts)
        estimates: list[TargetEstimate] = []
        with engine.connect() as conn:
            for target in targets:
                counts = target_counts(conn, run_id, target.id)
                estimates.append(_estimate_target(engine, target, counts, target.id in read))
    finally:
        with engine.begin() as conn:
            _clear_staging(engine, run_id)
            conn.execute(run_table.delete().where(run_table.c.id == run_id))
    counts = Counts()
    for estimate in estimates:
        counts = counts.add(estimate.counts)
    requests = sum(e.requests for e in estimates)
    bulk = sum(e.bulk_imports for e in estimates)
    note = "Dry run: nothing was written to ActiveCampaign."
    if read:
        note += " Lists sent to for the first time were read from ActiveCampaign to diff against."
    return SendEstimate(
        request=request,
        counts=counts,
        targets=estimates,
        requests=requests,
        bulk_imports=bulk,
        estimated_seconds=round(_seconds(requests, bulk, limits), 1),
        limits=limits,
        note=note,
    )


async def run_send_async(
    request: SendRequest,
    db_url: str,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelEvent | None = None,
    limits: SendLimits | None = None,
) -> RunSummary:
    """Send a campaign or segment; the run is journaled so it can be resumed."""
    engine = _engine()
    limits = limits or limits_from_env()
    request = request.model_copy(update={"db_url": mask_db_url(db_url)})
    with engine.begin() as conn:
        run_id = journal.create_run(conn, request, status="staging")
    return await _drive(engine, run_id, request, db_url, limits, on_progress, cancel)


async def resume_run_async(
    run_id: str | None = None,
    *,
    db_url: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelEvent | None = None,
    limits: SendLimits | None = None,
) -> RunSummary:
    """Finish an interrupted run (the latest one when ``run_id`` is None)."""
    engine = _engine()
    limits = limits or limits_from_env()
    with engine.begin() as conn:
        chosen = run_id or journal.latest_resumable(conn)
        if chosen is None:
            raise SendError("There is no interrupted run to resume; 'actui runs' lists them.")
        status = conn.execute(
            text("SELECT status FROM sync_runs WHERE id = :r"), {"r": chosen}
        ).scalar()
        if status is None:
            raise SendError(f"There is no run {chosen!r}; 'actui runs' lists them.")
        if status not in RESUMABLE:
            raise SendError(f"Run {chosen} is already {status}; there is nothing to resume.")
        request = journal.run_request(conn, chosen)
    url = db_url or _usable_url(request.db_url)
    return await _drive(engine, chosen, request, url, limits, on_progress, cancel)


def _usable_url(masked: str | None) -> str | None:
    if masked is None or "***" in masked:
        return None
    return masked


def dry_run(request: SendRequest, db_url: str, *, limits: SendLimits | None = None) -> SendEstimate:
    """Blocking :func:`dry_run_async` (for a worker thread)."""
    return asyncio.run(dry_run_async(request, db_url, limits=limits))


def run_send(
    request: SendRequest,
    db_url: str,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelEvent | None = None,
    limits: SendLimits | None = None,
) -> RunSummary:
    """Blocking :func:`run_send_async` (for a worker thread); ``cancel`` stops it cleanly."""
    return asyncio.run(
        run_send_async(request, db_url, on_progress=on_progress, cancel=cancel, limits=limits)
    )


def resume_run(
    run_id: str | None = None,
    *,
    db_url: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelEvent | None = None,
    limits: SendLimits | None = None,
) -> RunSummary:
    """Blocking :func:`resume_run_async`."""
    return asyncio.run(
        resume_run_async(
            run_id, db_url=db_url, on_progress=on_progress, cancel=cancel, limits=limits
        )
    )


def list_runs(limit: int = 50) -> list[RunInfo]:
    """The latest runs, newest first."""
    engine = _engine()
    with engine.connect() as conn:
        rows = conn.execute(
            run_table.select().order_by(run_table.c.started_at.desc()).limit(limit)
        ).all()
        infos: list[RunInfo] = []
        for row in rows:
            targets = journal.targets_of(conn, row.id)
            infos.append(
                RunInfo(
                    run_id=row.id,
                    source_kind=row.source_kind,
                    source_name=row.source_name,
                    mode=row.mode,
                    status=row.status,
                    targets=[f"{t.destination}/{t.list_name}" for t in targets],
                    counts=Counts.model_validate_json(row.counts_json or "{}"),
                    started_at=row.started_at,
                    ended_at=row.ended_at,
                    message=row.message,
                )
            )
    return infos


def get_run(run_id: str) -> RunSummary:
    """One run's summary; SendError when there is no such run."""
    engine = _engine()
    with engine.connect() as conn:
        row = conn.execute(run_table.select().where(run_table.c.id == run_id)).first()
        if row is None:
            raise SendError(f"There is no run {run_id!r}; 'actui runs' lists them.")
        totals = journal.batch_totals(conn, run_id)
        rejected = conn.execute(
            text("SELECT COUNT(*) FROM sync_rejections WHERE run_id = :r"), {"r": run_id}
        ).scalar_one()
        first, last = conn.execute(
            text("SELECT MIN(planned_at), MAX(ended_at) FROM sync_batches WHERE run_id = :r"),
            {"r": run_id},
        ).one()
    confirmed_batches, confirmed_contacts = totals.get("confirmed", (0, 0))
    failed_batches = sum(n for state, (n, _) in totals.items() if state != "confirmed")
    duration = float(row.active_seconds or 0.0)
    return RunSummary(
        run_id=row.id,
        status=row.status,
        source_kind=row.source_kind,
        source_name=row.source_name,
        mode=row.mode,
        planned=Counts.model_validate_json(row.counts_json or "{}"),
        sent=confirmed_contacts,
        confirmed_batches=confirmed_batches,
        failed_batches=failed_batches,
        rejected=int(rejected),
        requests=int(row.requests or 0),
        retries=int(row.retries or 0),
        rate_limited=int(row.rate_limited or 0),
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_seconds=round(duration, 3),
        sending_seconds=round(last - first, 3) if first and last else 0.0,
        contacts_per_hour=round(confirmed_contacts / duration * 3600, 1) if duration else 0.0,
        message=row.message,
    )


def rejected_rows(run_id: str) -> list[RejectedRow]:
    """Every email a run did not deliver, with its reason."""
    engine = _engine()
    with engine.connect() as conn:
        return rejected_of(conn, run_id)
