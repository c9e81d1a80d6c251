"""The send API the CLI and the TUI call: dry runs, sends, resumes, and the run history.

A send goes: plan the audience -> find or create each list -> read a list from ActiveCampaign the
first time (or on ``reconcile``) -> stage the audience in the state database and diff it in SQL,
chunk by chunk, in a thread, while full batches already go out through each account's throttle
(:func:`actui.sync.sending.plan_and_send`) -> send what is left (leavers, partial batches) ->
write the summary and the rejected-email log. Every step is journaled, so a run stopped at any
point is finished by :func:`resume_run`. Each step has its module: ``accounts``, ``staging``,
``sending``, ``driving``, ``cancellation``, ``summaries``, ``estimates`` and ``runs`` (the
history).
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from sqlalchemy import text
from sqlalchemy.engine import make_url

from actui.sync import journal
from actui.sync.accounts import Accounts, limits_from_env
from actui.sync.audience import SendError
from actui.sync.cancellation import CancelEvent
from actui.sync.driving import drive
from actui.sync.estimates import (
    account_requests,
    estimate_target,
    estimated_seconds,
    plan_dry_run,
)
from actui.sync.locks import RunLocks
from actui.sync.models import (
    RESUMABLE,
    Counts,
    RunSummary,
    SendEstimate,
    SendLimits,
    SendRequest,
    TargetEstimate,
)
from actui.sync.planner import target_counts
from actui.sync.progress import ProgressCallback
from actui.sync.runs import get_run, list_runs, read_accounting, rejected_rows, state_db
from actui.sync.staging import clear_staging_in
from actui.sync.store import run_table

__all__ = [
    "dry_run",
    "dry_run_async",
    "get_run",
    "limits_from_env",
    "list_runs",
    "mask_db_url",
    "rejected_rows",
    "resume_run",
    "resume_run_async",
    "run_send",
    "run_send_async",
]


def mask_db_url(url: str) -> str:
    """The Customer 360 URL as journaled: the password never reaches the state database."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported when connecting
        return url


async def dry_run_async(
    request: SendRequest, db_url: str, *, limits: SendLimits | None = None
) -> SendEstimate:
    """What a send would do, with no write to ActiveCampaign (a first diff reads the list)."""
    from actui.credentials import get_destination

    engine = state_db()
    limits = limits or limits_from_env()
    request = request.model_copy(update={"db_url": mask_db_url(db_url)})
    with engine.begin() as conn:
        run_id = journal.create_run(conn, request, status="staging")
    try:
        async with AsyncExitStack() as stack:
            accounts = Accounts(limits, stack)
            plan = await plan_dry_run(engine, run_id, request, db_url, accounts)
        targets, read = plan.targets, plan.read
        estimates: list[TargetEstimate] = []
        with engine.connect() as conn:
            for target in targets:
                counts = target_counts(conn, run_id, target.id)
                limit = (
                    request.max_removal
                    if request.max_removal is not None
                    else get_destination(target.destination).max_removal
                )
                estimates.append(
                    estimate_target(
                        engine,
                        target,
                        counts,
                        target.id in read,
                        max_removal=limit,
                        reconcile=request.reconcile,
                    )
                )
            accounting = read_accounting(conn, run_id)
        once = account_requests(accounts)
    finally:
        with engine.begin() as conn:
            clear_staging_in(conn, run_id, keep_confirmed=False)
            conn.execute(run_table.delete().where(run_table.c.id == run_id))
    counts = Counts()
    for estimate in estimates:
        counts = counts.add(estimate.counts)
    requests = once + sum(e.requests for e in estimates)
    bulk = sum(e.bulk_imports for e in estimates)
    note = "Dry run: nothing was written to ActiveCampaign."
    if read:
        note += " Lists sent to for the first time were read from ActiveCampaign to diff against."
    return SendEstimate(
        request=request,
        counts=counts,
        targets=estimates,
        accounting=accounting,
        requests=requests,
        bulk_imports=bulk,
        estimated_seconds=round(
            estimated_seconds(
                requests,
                bulk,
                limits,
                preparing_seconds=plan.preparing_seconds,
                staging_seconds=plan.staging_seconds,
            ),
            1,
        ),
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
    wait: bool = False,
) -> RunSummary:
    """Send a campaign or segment; the run is journaled so it can be resumed.

    A list another run is sending to is waited for (``wait``) or refused with the run named.
    """
    engine = state_db()
    limits = limits or limits_from_env()
    request = request.model_copy(update={"db_url": mask_db_url(db_url)})
    locks = RunLocks(engine, "", wait=wait, cancel=cancel)
    try:
        with engine.begin() as conn:  # created and held at once: no resume can take it meanwhile
            locks.run_id = journal.create_run(conn, request, status="staging")
            locks.claim_new_run(conn)
        return await drive(
            engine,
            locks.run_id,
            request,
            db_url,
            limits,
            on_progress,
            cancel,
            locks=locks,
            resumed=False,
        )
    finally:
        locks.release()


async def resume_run_async(
    run_id: str | None = None,
    *,
    db_url: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelEvent | None = None,
    limits: SendLimits | None = None,
    wait: bool = False,
    allow_removal: bool | None = None,
    max_removal: float | None = None,
) -> RunSummary:
    """Finish an interrupted run (the latest one when ``run_id`` is None).

    Exclusive: a run another live process is driving is waited for (``wait``) or refused
    with the process named. Idempotent: a run that is already finished is only reported.
    ``allow_removal`` and ``max_removal`` replace the run's own mirror guard settings.
    """
    engine = state_db()
    limits = limits or limits_from_env()
    with engine.begin() as conn:
        chosen = run_id or journal.latest_resumable(conn)
        if chosen is None:
            raise SendError("There is no interrupted run to resume; 'actui runs' lists them.")
    locks = RunLocks(engine, chosen, wait=wait, cancel=cancel)
    try:
        await locks.take_run()
        with engine.begin() as conn:
            status = conn.execute(
                text("SELECT status FROM sync_runs WHERE id = :r"), {"r": chosen}
            ).scalar()
            if status is None:
                raise SendError(f"There is no run {chosen!r}; 'actui runs' lists them.")
            if status not in RESUMABLE:  # finished (maybe by the process waited for)
                return get_run(chosen)  # idempotent: its summary, nothing sent again
            request = journal.run_request(conn, chosen)
        overrides: dict[str, object] = {}
        if allow_removal is not None:
            overrides["allow_removal"] = allow_removal
        if max_removal is not None:
            overrides["max_removal"] = max_removal
        if overrides:
            request = request.model_copy(update=overrides)
            with engine.begin() as conn:
                journal.set_run_request(conn, chosen, request)
        url = db_url or _usable_url(request.db_url)
        return await drive(
            engine, chosen, request, url, limits, on_progress, cancel, locks=locks, resumed=True
        )
    finally:
        locks.release()


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
    wait: bool = False,
) -> RunSummary:
    """Blocking :func:`run_send_async` (for a worker thread); ``cancel`` stops it cleanly."""
    return asyncio.run(
        run_send_async(
            request, db_url, on_progress=on_progress, cancel=cancel, limits=limits, wait=wait
        )
    )


def resume_run(
    run_id: str | None = None,
    *,
    db_url: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelEvent | None = None,
    limits: SendLimits | None = None,
    wait: bool = False,
    allow_removal: bool | None = None,
    max_removal: float | None = None,
) -> RunSummary:
    """Blocking :func:`resume_run_async`."""
    return asyncio.run(
        resume_run_async(
            run_id,
            db_url=db_url,
            on_progress=on_progress,
            cancel=cancel,
            limits=limits,
            wait=wait,
            allow_removal=allow_removal,
            max_removal=max_removal,
        )
    )
