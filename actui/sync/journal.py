"""The run journal: runs, targets and batches, each step committed before and after a request."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from actui.sync.models import Counts, RunStatus, SendRequest
from actui.sync.planner import LIST_INSTRUCTION_BYTES
from actui.sync.store import batch_table, run_table, target_table

BULK_MAX_CONTACTS = 250
#: stay well under ActiveCampaign's 400,000-byte payload cap (JSON framing, escapes)
BULK_MAX_BYTES = 360_000
#: fewer contacts than this go through contact/sync + contactLists
BULK_MIN_CONTACTS = 10
#: contacts in a batch sent one by one, so several such batches run side by side
SINGLE_BATCH = BULK_MIN_CONTACTS - 1


@dataclass(frozen=True, slots=True)
class TargetRow:
    """Where a run sends one list's share."""

    id: int
    run_id: str
    destination: str
    credential: str
    account_url: str
    list_name: str
    list_id: str | None
    groups: str
    verbose_logs: bool


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One journaled batch."""

    id: int
    target_id: int
    kind: str
    method: str
    members: int
    state: str
    ac_batch_id: str | None
    attempts: int


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a random suffix."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def run_name(request: SendRequest) -> str:
    """The name a run is listed under: a segment file's run is named after the segment's name."""
    if request.segment and not request.campaign and Path(request.segment).is_file():
        from actui.errors import ActuiError
        from actui.segments import load_segment_file

        try:
            return load_segment_file(request.segment).name
        except ActuiError:
            pass  # the send itself reports the file's problem
    return request.source_name


def create_run(conn: Connection, request: SendRequest, status: RunStatus = "staging") -> str:
    """Journal a new run."""
    run_id = new_run_id()
    conn.execute(
        run_table.insert().values(
            id=run_id,
            source_kind=request.source_kind,
            source_name=run_name(request),
            request_json=request.model_dump_json(),
            mode=request.mode,
            status=status,
            counts_json="{}",
            started_at=time.time(),
        )
    )
    return run_id


def add_target(
    conn: Connection,
    run_id: str,
    *,
    destination: str,
    credential: str,
    account_url: str,
    list_name: str,
    groups: list[str],
    verbose_logs: bool,
) -> int:
    """Journal one list a run sends to; returns its id."""
    result = conn.execute(
        target_table.insert().values(
            run_id=run_id,
            destination=destination,
            credential=credential,
            account_url=account_url,
            list_name=list_name,
            groups=", ".join(groups),
            verbose_logs=int(verbose_logs),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def set_target_list(conn: Connection, target_id: int, list_id: str) -> None:
    conn.execute(
        target_table.update().where(target_table.c.id == target_id).values(list_id=list_id)
    )


def targets_of(conn: Connection, run_id: str) -> list[TargetRow]:
    rows = conn.execute(
        target_table.select().where(target_table.c.run_id == run_id).order_by(target_table.c.id)
    ).all()
    return [
        TargetRow(
            id=row.id,
            run_id=row.run_id,
            destination=row.destination,
            credential=row.credential,
            account_url=row.account_url,
            list_name=row.list_name,
            list_id=row.list_id,
            groups=row.groups,
            verbose_logs=bool(row.verbose_logs),
        )
        for row in rows
    ]


def set_run_status(
    conn: Connection,
    run_id: str,
    status: RunStatus,
    *,
    counts: Counts | None = None,
    message: str | None = None,
    ended: bool = False,
) -> None:
    values: dict[str, object] = {"status": status, "message": message}
    if counts is not None:
        values["counts_json"] = counts.model_dump_json()
    values["ended_at"] = time.time() if ended else None
    conn.execute(run_table.update().where(run_table.c.id == run_id).values(**values))


def run_request(conn: Connection, run_id: str) -> SendRequest:
    raw = conn.execute(
        text("SELECT request_json FROM sync_runs WHERE id = :r"), {"r": run_id}
    ).scalar_one()
    return SendRequest.model_validate_json(raw)


def set_run_request(conn: Connection, run_id: str, request: SendRequest) -> None:
    """Journal the request a resume changed (its mirror guard settings)."""
    conn.execute(
        run_table.update()
        .where(run_table.c.id == run_id)
        .values(request_json=request.model_dump_json())
    )


def run_counts(conn: Connection, run_id: str) -> Counts:
    raw = conn.execute(
        text("SELECT counts_json FROM sync_runs WHERE id = :r"), {"r": run_id}
    ).scalar_one()
    return Counts.model_validate(json.loads(raw or "{}"))


# -- batches ---------------------------------------------------------------------------------


def open_batches(conn: Connection, run_id: str) -> list[BatchRow]:
    """Batches of a run that are not confirmed yet (planned, sending, sent or failed)."""
    rows = conn.execute(
        batch_table.select()
        .where(batch_table.c.run_id == run_id, batch_table.c.state != "confirmed")
        .order_by(batch_table.c.id)
    ).all()
    return [_batch(row) for row in rows]


def _batch(row: object) -> BatchRow:
    return BatchRow(
        id=row.id,  # type: ignore[attr-defined]
        target_id=row.target_id,  # type: ignore[attr-defined]
        kind=row.kind,  # type: ignore[attr-defined]
        method=row.method,  # type: ignore[attr-defined]
        members=row.members,  # type: ignore[attr-defined]
        state=row.state,  # type: ignore[attr-defined]
        ac_batch_id=row.ac_batch_id,  # type: ignore[attr-defined]
        attempts=row.attempts,  # type: ignore[attr-defined]
    )


def plan_batch(engine: Engine, run_id: str, target_id: int, kind: str) -> BatchRow | None:
    """Take the next contacts of ``kind`` not yet in a batch into a new planned batch (committed).

    Up to 250 contacts under the byte cap; a remainder that would leave fewer than 10 for the last
    bulk import is split evenly instead. Returns None when nothing of ``kind`` is left.
    """
    taken = take_batch(engine, run_id, target_id, kind, sending=False)
    return None if taken is None else taken[0]


def take_batch(
    engine: Engine,
    run_id: str,
    target_id: int,
    kind: str,
    *,
    sending: bool = True,
    full_only: bool = False,
) -> tuple[BatchRow, list[tuple[str, str | None]]] | None:
    """:func:`plan_batch`, returning the members' (email, payload) too.

    With ``sending``, a bulk batch is journaled as ``sending`` (its first attempt) in the same
    transaction, so its request can go as soon as this returns. With ``full_only`` (while the
    audience is still being staged), None unless a whole batch is waiting.
    """
    with engine.begin() as conn:
        #: contacts a single-path batch holds (its requests go one after another)
        limit = BULK_MAX_CONTACTS + BULK_MIN_CONTACTS if kind != "resubscribe" else SINGLE_BATCH
        rows = conn.execute(
            text(
                "SELECT email, payload FROM sync_audience"
                " WHERE target_id = :t AND action = :k AND batch_id IS NULL"
                " ORDER BY email LIMIT :n"
            ),
            {"t": target_id, "k": kind, "n": limit},
        ).all()
        if not rows or (full_only and len(rows) < limit):
            return None
        if BULK_MAX_CONTACTS < len(rows) < BULK_MAX_CONTACTS + BULK_MIN_CONTACTS:
            rows = rows[: len(rows) // 2]
        rows = rows[:BULK_MAX_CONTACTS]
        members: list[tuple[str, str | None]] = []
        size = 20
        for email, payload in rows:
            size += (len(payload) if payload else len(email) + 12) + LIST_INSTRUCTION_BYTES + 2
            if members and size > BULK_MAX_BYTES:
                break
            members.append((str(email), payload))
        method = "bulk" if len(members) >= BULK_MIN_CONTACTS and kind != "resubscribe" else "single"
        state = "sending" if sending and method == "bulk" else "planned"
        now = time.time()
        result = conn.execute(
            batch_table.insert().values(
                run_id=run_id,
                target_id=target_id,
                kind=kind,
                method=method,
                members=len(members),
                state=state,
                attempts=1 if state == "sending" else 0,
                planned_at=now,
                sent_at=now if state == "sending" else None,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        batch_id = int(key[0])
        # exactly the rows taken (by primary key): while an audience is still being staged,
        # rows committed since the SELECT above may sort among them, and must stay out
        conn.exec_driver_sql(
            "UPDATE sync_audience SET batch_id = ? WHERE target_id = ? AND email = ?"
            " AND batch_id IS NULL",
            [(batch_id, target_id, email) for email, _ in members],
        )
    attempts = 1 if state == "sending" else 0
    batch = BatchRow(batch_id, target_id, kind, method, len(members), state, None, attempts)
    return batch, members


def batch_members(conn: Connection, batch_id: int) -> list[tuple[str, str | None, str | None]]:
    """(email, payload, customer_key) of every member of a batch."""
    rows = conn.execute(
        text(
            "SELECT email, payload, customer_key FROM sync_audience"
            " WHERE batch_id = :b ORDER BY email"
        ),
        {"b": batch_id},
    ).all()
    return [(str(e), p, k) for e, p, k in rows]


def mark_sending(engine: Engine, batch_id: int) -> None:
    """Before a request: one more attempt, no batch id yet."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE sync_batches SET state = 'sending', attempts = attempts + 1,"
                " ac_batch_id = NULL, error = NULL, sent_at = :t WHERE id = :b"
            ),
            {"b": batch_id, "t": time.time()},
        )


def mark_sent(conn: Connection, batch_id: int, ac_batch_id: str | None) -> None:
    """After the request was accepted: ActiveCampaign's batch id (None for the single path)."""
    conn.execute(
        text("UPDATE sync_batches SET state = 'sent', ac_batch_id = :a WHERE id = :b"),
        {"b": batch_id, "a": ac_batch_id},
    )


def mark_confirmed(conn: Connection, batch_id: int) -> None:
    """Inside the transaction that also records the outcome in the snapshot."""
    conn.execute(
        text("UPDATE sync_batches SET state = 'confirmed', ended_at = :t WHERE id = :b"),
        {"b": batch_id, "t": time.time()},
    )


def mark_failed(engine: Engine, batch_id: int, error: str, *, keep_batch_id: bool = True) -> None:
    """After the retries ran out: kept for ``--resume``, never dropped."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE sync_batches SET state = 'failed', error = :e, ended_at = :t,"
                " ac_batch_id = CASE WHEN :keep THEN ac_batch_id END WHERE id = :b"
            ),
            {"b": batch_id, "e": error, "t": time.time(), "keep": int(keep_batch_id)},
        )


def batch_totals(conn: Connection, run_id: str) -> dict[str, tuple[int, int]]:
    """Per batch state: (batches, contacts)."""
    rows = conn.execute(
        text(
            "SELECT state, COUNT(*), COALESCE(SUM(members), 0) FROM sync_batches"
            " WHERE run_id = :r GROUP BY state"
        ),
        {"r": run_id},
    ).all()
    return {str(state): (int(n), int(m)) for state, n, m in rows}


def latest_resumable(conn: Connection) -> str | None:
    """The most recent run that did not finish."""
    value = conn.execute(
        text(
            "SELECT id FROM sync_runs WHERE status IN ('staging', 'sending', 'failed', 'cancelled')"
            " ORDER BY started_at DESC, id DESC LIMIT 1"
        )
    ).scalar()
    return None if value is None else str(value)
