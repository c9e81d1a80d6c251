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
    """Every row a run did not send, once, with its reason (only verbose-log targets when asked).

    Rows of a held-out group have no list; they follow the verbose setting of any list.
    """
    rows = conn.execute(
        text(
            "SELECT r.email, r.reason, r.reason_code, coalesce(t.list_name, ''), r.group_label,"
            " r.customer_key FROM sync_rejected_rows r"
            " LEFT JOIN sync_targets t ON t.id = r.target_id WHERE r.run_id = :r"
            " AND (NOT :v OR t.verbose_logs = 1 OR (r.target_id = 0 AND EXISTS (SELECT 1 FROM"
            " sync_targets v WHERE v.run_id = :r AND v.verbose_logs = 1)))"
            " ORDER BY r.target_id, r.email, r.customer_key"
        ),
        {"r": run_id, "v": int(verbose_only)},
    ).all()
    return [
        RejectedRow(
            email=email,
            reason=reason,
            reason_code=code,
            list_name=list_name,
            group=group or None,
            customer_key=key or None,
        )
        for email, reason, code, list_name, group, key in rows
    ]


def write_rejected_csv(conn: Connection, run_id: str) -> Path | None:
    """The CSV of rejected rows (mode 0600) when any of the run's destinations asks for it."""
    wants = conn.execute(
        text("SELECT 1 FROM sync_targets WHERE run_id = :r AND verbose_logs = 1 LIMIT 1"),
        {"r": run_id},
    ).first()
    if wants is None:
        return None
    path = rejected_path(run_id)
    with open_private(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "reason_code", "reason", "list", "group", "customer_key"])
        for row in rejected_of(conn, run_id, verbose_only=True):
            writer.writerow(
                [
                    row.email,
                    row.reason_code,
                    row.reason,
                    row.list_name,
                    row.group or "",
                    row.customer_key or "",
                ]
            )
    return path


def write_summary(summary: RunSummary) -> Path:
    """The JSON summary of a run (mode 0600): counts, durations, requests, retries, 429s."""
    path = summary_path(summary.run_id)
    with open_private(path, "w") as handle:
        json.dump(summary.model_dump(mode="json"), handle, indent=2)
        handle.write("\n")
    return path
