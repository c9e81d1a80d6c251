"""The sync tables of the state database: list snapshots, runs, targets, audiences, batches."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.exc import OperationalError

from actui.state import metadata

#: status values of a snapshot row (1 and 2 are ActiveCampaign's; 3 is an unsubscribe actui made)
SUBSCRIBED = 1
UNSUBSCRIBED = 2
UNSUBSCRIBED_BY_ACTUI = 3

#: the last confirmed membership of every list actui sends to, one row per (account, list, email)
snapshot_table = Table(
    "sync_snapshot",
    metadata,
    Column("account_url", String, primary_key=True),
    Column("list_id", String, primary_key=True),
    Column("email", String, primary_key=True),
    Column("contact_id", String, nullable=True),
    Column("digest", String, nullable=True),
    Column("status", Integer, nullable=False),
    Index("ix_sync_snapshot_account_email", "account_url", "email"),
)

#: when each list was last read from ActiveCampaign (a list without a row was never read)
list_read_table = Table(
    "sync_list_reads",
    metadata,
    Column("account_url", String, primary_key=True),
    Column("list_id", String, primary_key=True),
    Column("read_at", Float, nullable=False),
    Column("members", Integer, nullable=False),
)

#: one row per send: what was asked, how far it got, its counts
run_table = Table(
    "sync_runs",
    metadata,
    Column("id", String, primary_key=True),
    Column("source_kind", String, nullable=False),  # campaign | segment
    Column("source_name", String, nullable=False),
    Column("request_json", Text, nullable=False),  # the SendRequest, no secrets
    Column("mode", String, nullable=False),
    Column("status", String, nullable=False),
    Column("counts_json", Text, nullable=False, default="{}"),
    Column("message", Text, nullable=True),
    Column("requests", Integer, nullable=False, default=0),
    Column("retries", Integer, nullable=False, default=0),
    Column("rate_limited", Integer, nullable=False, default=0),
    #: answers 503 (added after the table: see :func:`add_missing_columns`)
    Column("unavailable", Integer, nullable=False, default=0),
    Column("active_seconds", Float, nullable=False, default=0.0),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float, nullable=True),
)

#: one row per (run, account, list): where a run's sending groups go
target_table = Table(
    "sync_targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String, ForeignKey("sync_runs.id", ondelete="CASCADE"), nullable=False),
    Column("destination", String, nullable=False),
    Column("credential", String, nullable=False),
    Column("account_url", String, nullable=False),
    Column("list_name", String, nullable=False),
    Column("list_id", String, nullable=True),
    Column("groups", Text, nullable=False, default=""),
    Column("verbose_logs", Integer, nullable=False, default=0),
    Index("ix_sync_targets_run", "run_id"),
)

#: the run's audience and leavers, staged for the diff; ``action`` is set by the planner
audience_table = Table(
    "sync_audience",
    metadata,
    Column("target_id", Integer, primary_key=True),
    Column("email", String, primary_key=True),
    Column("digest", String, nullable=True),
    Column("payload", Text, nullable=True),
    Column("customer_key", String, nullable=True),
    Column("action", String, nullable=True),
    Column("batch_id", Integer, nullable=True),
    Index("ix_sync_audience_pending", "target_id", "action", "batch_id", "email"),
    Index("ix_sync_audience_batch", "batch_id"),
)

#: one row per request-sized batch: planned -> sent -> confirmed | failed
batch_table = Table(
    "sync_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String, nullable=False),
    Column("target_id", Integer, nullable=False),
    Column("kind", String, nullable=False),  # subscribe | update | unsubscribe | resubscribe
    Column("method", String, nullable=False),  # bulk | single
    Column("members", Integer, nullable=False),
    Column("state", String, nullable=False),
    Column("ac_batch_id", String, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("planned_at", Float, nullable=False),
    Column("sent_at", Float, nullable=True),
    Column("ended_at", Float, nullable=True),
    Index("ix_sync_batches_run_state", "run_id", "state"),
)

#: every row a run did not send or ActiveCampaign did not accept, once, with its reason and
#: ``reason_code`` (see :mod:`actui.accounting`); ``target_id`` is 0 for a held-out group's rows
#: (no list), ``customer_key`` is '' when unknown
rejection_table = Table(
    "sync_rejected_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String, nullable=False),
    Column("target_id", Integer, nullable=False),
    Column("group_label", String, nullable=False, default=""),
    Column("email", String, nullable=False),
    Column("customer_key", String, nullable=False, default=""),
    Column("reason", Text, nullable=False),
    Column("reason_code", String, nullable=False),
    Index(
        "ux_sync_rejected_rows_row",
        "run_id",
        "target_id",
        "email",
        "customer_key",
        "reason_code",
        unique=True,
    ),
)

#: a run's accounting (see :mod:`actui.accounting`), written once its audience is read
accounting_table = Table(
    "sync_run_accounting",
    metadata,
    Column("run_id", String, primary_key=True),
    Column("customers", Integer, nullable=False),
    Column("contacts", Integer, nullable=False),
    Column("duplicate_email", Integer, nullable=False),
    Column("missing_email", Integer, nullable=False),
    Column("invalid_email", Integer, nullable=False),
    Column("excluded", Integer, nullable=False),
    Column("not_in_any_sub_audience", Integer, nullable=False),
)

#: who drives a run or sends to a list right now: one row per held lock (see ``actui.sync.locks``)
lock_table = Table(
    "sync_locks",
    metadata,
    Column("key", String, primary_key=True),
    Column("run_id", String, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("process_started", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("acquired_at", Float, nullable=False),
)


#: columns added to a table after its first release: (table, column, SQLite definition)
ADDED_COLUMNS = (("sync_runs", "unavailable", "INTEGER NOT NULL DEFAULT 0"),)


def add_missing_columns(engine: Engine) -> None:
    """Add the columns a state database made by an older actui lacks (create_all never does)."""
    with engine.begin() as conn:
        for table, column, definition in ADDED_COLUMNS:
            present = {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
            if column in present:
                continue
            try:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
            except OperationalError as error:  # another process added it meanwhile
                if "duplicate column" not in str(error):
                    raise


#: the rejected-email table of older versions (one row per email and list, no reason code)
OLD_REJECTIONS = "sync_rejections"


def move_old_rejections(engine: Engine) -> None:
    """Move the rejected emails an older actui recorded into :data:`rejection_table`, with the
    reason code their reason stands for, then drop the old table (nothing when there is none)."""
    with engine.begin() as conn:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (OLD_REJECTIONS,)
        ).first()
        if found is None:
            return
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO sync_rejected_rows"
            " (run_id, target_id, group_label, email, customer_key, reason, reason_code)"
            " SELECT run_id, target_id, '', email, coalesce(customer_key, ''), reason, CASE"
            " WHEN reason = 'missing email' THEN 'missing_email'"
            " WHEN reason LIKE 'duplicate email%' THEN 'duplicate_email'"
            " WHEN reason LIKE 'invalid email:%' THEN 'invalid_email'"
            " WHEN reason LIKE 'unsubscribed from the list before%' THEN 'unsubscribed_before'"
            " ELSE 'refused' END FROM sync_rejections"
        )
        conn.exec_driver_sql("DROP TABLE sync_rejections")
