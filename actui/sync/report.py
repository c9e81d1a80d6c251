"""A run's files in the logs folder: the JSON summary (always), the rejected-email CSV (verbose)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import Connection, text

from actui.home import logs_dir, open_private
from actui.sync.models import RejectedRow, RunSummary


def summary_path(run_id: str) -> Path:
    return logs_dir() / f"run-{run_id}.json"


def rejected_path(run_id: str) -> Path:
    return logs_dir() / f"run-{run_id}-rejected.csv"


def rejected_of(conn: Connection, run_id: str, *, verbose_only: bool = False) -> list[RejectedRow]:
    """Every rejected email of a run with its reason (only verbose-log targets when asked)."""
    rows = conn.execute(
        text(
            "SELECT r.email, r.reason, t.list_name, r.customer_key FROM sync_rejections r"
            " JOIN sync_targets t ON t.id = r.target_id WHERE r.run_id = :r"
            " AND (t.verbose_logs = 1 OR NOT :v) ORDER BY t.id, r.email"
        ),
        {"r": run_id, "v": int(verbose_only)},
    ).all()
    return [
        RejectedRow(email=email, reason=reason, list_name=list_name, customer_key=key)
        for email, reason, list_name, key in rows
    ]


def write_rejected_csv(conn: Connection, run_id: str) -> Path | None:
    """The CSV of rejected emails (mode 0600) when any of the run's destinations asks for it."""
    wants = conn.execute(
        text("SELECT 1 FROM sync_targets WHERE run_id = :r AND verbose_logs = 1 LIMIT 1"),
        {"r": run_id},
    ).first()
    if wants is None:
        return None
    path = rejected_path(run_id)
    with open_private(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "reason", "list", "customer_key"])
        for row in rejected_of(conn, run_id, verbose_only=True):
            writer.writerow([row.email, row.reason, row.list_name, row.customer_key or ""])
    return path


def write_summary(summary: RunSummary) -> Path:
    """The JSON summary of a run (mode 0600): counts, durations, requests, retries, 429s."""
    path = summary_path(summary.run_id)
    with open_private(path, "w") as handle:
        json.dump(summary.model_dump(mode="json"), handle, indent=2)
        handle.write("\n")
    return path
