"""Driving a run to its end, new or resumed: plan when still staging, send, journal the end."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

from sqlalchemy import Connection, Engine, text

from actui.sync import journal
from actui.sync.accounts import Accounts
from actui.sync.audience import SendError
from actui.sync.cancellation import CancelEvent, run_cancellable
from actui.sync.models import (
    RunSummary,
    SendLimits,
    SendRequest,
)
from actui.sync.progress import ProgressCallback, ProgressTracker
from actui.sync.sending import plan_and_send, progress_totals, send_targets
from actui.sync.staging import clear_staging
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
) -> RunSummary:
    """Plan (when the run is still staging) and send, journaling the end whatever happens."""
    started = time.monotonic()
    failed = 0
    cancelled = False
    tracker = ProgressTracker(run_id, 0, 0, on_progress)
    async with AsyncExitStack() as stack:
        accounts = Accounts(limits, stack, tracker)
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
                clear_staging(engine, run_id)
                result, cancelled = await run_cancellable(
                    plan_and_send(engine, run_id, request, db_url, accounts, tracker), cancel
                )
                if cancelled and _still_staging(engine, run_id):
                    raise SendError(_stopped_while_staging(engine, run_id))
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
            if _still_staging(engine, run_id):
                raise
            finish_run(
                engine,
                run_id,
                tracker,
                failed_batches=failed,
                cancelled=False,
                error=str(problem) or type(problem).__name__,
                active_seconds=time.monotonic() - started,
            )
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
        clear_staging(engine, run_id)
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
