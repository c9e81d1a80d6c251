"""The end of a run: its status and message journaled, its staging dropped, its files written."""

from __future__ import annotations

import time

from sqlalchemy import Engine, text

from actui.sync import journal
from actui.sync.models import (
    RunStatus,
    RunSummary,
)
from actui.sync.progress import ProgressTracker
from actui.sync.report import write_rejected_csv, write_summary
from actui.sync.runs import get_run


def finish_run(
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
            text("SELECT COUNT(*) FROM sync_rejected_rows WHERE run_id = :r"), {"r": run_id}
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
                " rate_limited = rate_limited + :l, unavailable = unavailable + :u,"
                " active_seconds = active_seconds + :a"
                " WHERE id = :r"
            ),
            {
                "s": status,
                "m": message,
                "t": time.time(),
                "q": counters.requests if counters else 0,
                "y": counters.retries if counters else 0,
                "l": counters.rate_limited if counters else 0,
                "u": counters.unavailable if counters else 0,
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
