"""Driving a run to its end, new or resumed: plan when still staging, send, journal the end."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

from sqlalchemy import Connection, Engine, text

from actui.activecampaign import InvalidCredentials
from actui.sync import journal
from actui.sync.accounts import Accounts
from actui.sync.audience import SendError
from actui.sync.cancellation import CancelEvent, run_cancellable
from actui.sync.locks import RunLocks
from actui.sync.models import (
    RunSummary,
    SendLimits,
    SendRequest,
)
from actui.sync.progress import ProgressCallback, ProgressTracker
from actui.sync.sending import plan_and_send, progress_totals, send_targets
from actui.sync.staging import clear_staging, clear_staging_in
from actui.sync.store import run_table
from actui.sync.summaries import finish_run


async def drive(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    db_url: str | None,
    limits: SendLimits,
    on_progress: ProgressCallback | None,
    cancel: CancelEvent | None,
    *,
    locks: RunLocks,
    resumed: bool,
) -> RunSummary:
    """Plan (when the run is still staging) and send, journaling the end whatever happens.

    The caller holds the run's lock (``locks``); the lists' locks are taken here, before the
    first request to them, and every lock is let go by the caller.
    """
    started = time.monotonic()
    failed = 0
    cancelled = False
    tracker = ProgressTracker(run_id, 0, 0, on_progress)
    with engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM sync_runs WHERE id = :r"), {"r": run_id}
        ).scalar_one()
        targets = journal.targets_of(conn, run_id)
    if status != "staging":  # planned already: its lists are known (a busy one changes nothing)
        await locks.take_lists([(t.account_url, t.list_name) for t in targets])
    async with AsyncExitStack() as stack:
        accounts = Accounts(limits, stack, tracker)
        try:
            if status == "staging":
                if db_url is None:
                    raise SendError(
                        f"Run {run_id} stopped while reading its audience; resume it with "
                        "--db URL (the Customer 360 it was sent from)."
                    )
                clear_staging(engine, run_id)
                result, cancelled = await run_cancellable(
                    plan_and_send(engine, run_id, request, db_url, accounts, tracker, locks),
                    cancel,
                )
                if cancelled:
                    stopped = _still_staging(engine, run_id, resumed=resumed)
                    if stopped is not None:
                        raise SendError(stopped)
            else:
                with engine.begin() as conn:
                    journal.set_run_status(
                        conn, run_id, "sending", counts=journal.run_counts(conn, run_id)
                    )
                tracker.total, tracker.done = progress_totals(engine, run_id)
                tracker.restart()
                total, done = tracker.total, tracker.done
                tracker.line(f"run {run_id}: {total - done} contact(s) to send")
                result, cancelled = await run_cancellable(
                    send_targets(engine, run_id, accounts, tracker), cancel
                )
            failed = result or 0
            tracker.report(force=True)
        except (asyncio.CancelledError, KeyboardInterrupt):
            cancelled = True
            if _status(engine, run_id) == "staging":
                raise  # left as staging: --resume plans it again
            summary = finish_run(
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
            unresumable: KeyRefused | None = None
            if isinstance(problem, InvalidCredentials) and not isinstance(problem, KeyRefused):
                unresumable = key_refused(engine, run_id, problem, resumable=False)
                problem = key_refused(engine, run_id, problem)
            if _still_staging(engine, run_id, resumed=resumed, error=str(problem)) is not None:
                if unresumable is not None and not _run_exists(engine, run_id):
                    raise unresumable from None  # the run was dropped: nothing to resume
                raise problem from None
            finish_run(
                engine,
                run_id,
                tracker,
                failed_batches=failed,
                cancelled=False,
                error=str(problem) or type(problem).__name__,
                active_seconds=time.monotonic() - started,
            )
            if isinstance(problem, KeyRefused):
                raise problem from None
            raise
        summary = finish_run(
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


class KeyRefused(InvalidCredentials):
    """ActiveCampaign refused a credential's key: the send stopped at once, and can be resumed."""


def key_refused(
    engine: Engine, run_id: str, error: InvalidCredentials, *, resumable: bool = True
) -> KeyRefused:
    """The refusal, naming the run's credential(s) and the fix (resuming the run, or sending
    again when the run was dropped before it staged or sent anything)."""
    with engine.connect() as conn:
        names = sorted({target.credential for target in journal.targets_of(conn, run_id)})
    name = names[0] if len(names) == 1 else "NAME"
    which = " or ".join(repr(n) for n in names) or "the run's credential"
    asked = f"{error.method} {error.path} answered {error.status}" if error.status else str(error)
    return KeyRefused(
        f"ActiveCampaign refused the API key of credential {which} ({asked}), so the send "
        "stopped at the first refusal. Check the key in Settings > Developer, store it again "
        f"with 'actui credentials add {name} --url URL', then "
        + (f"finish with 'actui send --resume {run_id}'." if resumable else "send again."),
        method=error.method,
        path=error.path,
        status=error.status,
    )


def _run_exists(engine: Engine, run_id: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM sync_runs WHERE id = :r"), {"r": run_id}).first()
    return found is not None


def _still_staging(
    engine: Engine, run_id: str, *, resumed: bool, error: str | None = None
) -> str | None:
    """Why the run stopped while staging its audience (None when it was past staging).

    The journal never drops a run that a resume started, that staged contacts or that sent
    batches: it is kept as ``staging``, for ``--resume`` to plan again and finish. Only a new
    send stopped before it staged or sent anything is dropped.
    """
    with engine.begin() as conn:
        status = conn.execute(
            text("SELECT status FROM sync_runs WHERE id = :r"), {"r": run_id}
        ).scalar()
        if status is None:
            return "The send was stopped before anything was sent."
        if status != "staging":
            return None
        sent = _sent_batches(conn, run_id)
        staged = conn.execute(
            text(
                "SELECT COUNT(*) FROM sync_audience WHERE target_id IN"
                " (SELECT id FROM sync_targets WHERE run_id = :r)"
            ),
            {"r": run_id},
        ).scalar_one()
        if not (resumed or sent or staged):
            clear_staging_in(conn, run_id, keep_confirmed=False)
            conn.execute(run_table.delete().where(run_table.c.id == run_id))
            return "The send was stopped before anything was sent."
        where = f"after {sent} batch(es) went out" if sent else "before anything was sent"
        message = (
            f"The send was stopped while reading its audience, {where}; "
            f"finish it with 'actui send --resume {run_id}'."
        )
        if error:
            message = f"{error} ({message[0].lower()}{message[1:-1]})"
        conn.execute(
            text("UPDATE sync_runs SET message = :m, ended_at = :t WHERE id = :r"),
            {"m": message, "t": time.time(), "r": run_id},
        )
    return message


def _sent_batches(conn: Connection, run_id: str) -> int:
    return int(
        conn.execute(
            text("SELECT COUNT(*) FROM sync_batches WHERE run_id = :r AND state != 'planned'"),
            {"r": run_id},
        ).scalar_one()
    )
