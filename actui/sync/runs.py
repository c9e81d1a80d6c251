"""The run history: the latest runs, one run's summary, the emails a run did not deliver."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from actui.state import ensure_tables, state_engine
from actui.sync import journal
from actui.sync.audience import SendError
from actui.sync.models import (
    AccountingTerms,
    Counts,
    RejectedRow,
    RunInfo,
    RunSummary,
)
from actui.sync.report import rejected_of
from actui.sync.store import (
    accounting_table,
    add_missing_columns,
    move_old_rejections,
    run_table,
)

_upgraded: set[str] = set()


def state_db() -> Engine:
    """The state database with the sync tables, as this version of actui has them."""
    engine = state_engine()
    ensure_tables(engine)
    if str(engine.url) not in _upgraded:
        add_missing_columns(engine)
        move_old_rejections(engine)
        _upgraded.add(str(engine.url))
    return engine


def list_runs(limit: int = 50) -> list[RunInfo]:
    """The latest runs, newest first."""
    engine = state_db()
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
    engine = state_db()
    with engine.connect() as conn:
        row = conn.execute(run_table.select().where(run_table.c.id == run_id)).first()
        if row is None:
            raise SendError(f"There is no run {run_id!r}; 'actui runs' lists them.")
        totals = journal.batch_totals(conn, run_id)
        rejected = conn.execute(
            text("SELECT COUNT(*) FROM sync_rejected_rows WHERE run_id = :r"), {"r": run_id}
        ).scalar_one()
        first, last = conn.execute(
            text("SELECT MIN(planned_at), MAX(ended_at) FROM sync_batches WHERE run_id = :r"),
            {"r": run_id},
        ).one()
        accounting = read_accounting(conn, run_id)
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
        accounting=accounting,
        sent=confirmed_contacts,
        confirmed_batches=confirmed_batches,
        failed_batches=failed_batches,
        rejected=int(rejected),
        requests=int(row.requests or 0),
        retries=int(row.retries or 0),
        rate_limited=int(row.rate_limited or 0),
        unavailable=int(row.unavailable or 0),
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_seconds=round(duration, 3),
        sending_seconds=round(last - first, 3) if first and last else 0.0,
        contacts_per_hour=round(confirmed_contacts / duration * 3600, 1) if duration else 0.0,
        message=row.message,
    )


def read_accounting(conn: Connection, run_id: str) -> AccountingTerms:
    """The run's accounting as staging wrote it (zeros before its audience was read)."""
    row = (
        conn.execute(accounting_table.select().where(accounting_table.c.run_id == run_id))
        .mappings()
        .first()
    )
    if row is None:
        return AccountingTerms()
    return AccountingTerms.model_validate({k: v for k, v in row.items() if k != "run_id"})


def rejected_rows(run_id: str) -> list[RejectedRow]:
    """Every email a run did not deliver, with its reason."""
    engine = state_db()
    with engine.connect() as conn:
        return rejected_of(conn, run_id)
