"""The local copy of each list's last confirmed membership: read once, then kept by sends."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, text

from actui.activecampaign import ActiveCampaignClient
from actui.sync.store import SUBSCRIBED, UNSUBSCRIBED, UNSUBSCRIBED_BY_ACTUI

READ_CHUNK = 2000


def has_snapshot(conn: Connection, account_url: str, list_id: str) -> bool:
    """True once the list was read from ActiveCampaign at least once."""
    found = conn.execute(
        text("SELECT 1 FROM sync_list_reads WHERE account_url = :a AND list_id = :l"),
        {"a": account_url, "l": list_id},
    ).first()
    return found is not None


async def read_list(
    engine: Engine, client: ActiveCampaignClient, account_url: str, list_id: str
) -> int:
    """Replace the list's snapshot by its members in ActiveCampaign (subscribed and unsubscribed).

    Digests already known are kept for contacts still subscribed, so a reconcile does not turn
    every member into an update; contacts actui itself unsubscribed stay marked as such.
    Returns the number of members read.
    """
    key = {"a": account_url, "l": list_id}
    members = 0
    with engine.connect() as conn:  # one connection: the temp table lives on it
        conn.execute(text("DROP TABLE IF EXISTS temp.sync_read"))
        conn.execute(
            text(
                "CREATE TEMP TABLE sync_read (email TEXT PRIMARY KEY, contact_id TEXT, status INT)"
            )
        )
        conn.commit()
        for status in (SUBSCRIBED, UNSUBSCRIBED):
            chunk: list[dict[str, object]] = []
            async for ref in client.list_subscribers(list_id, status=status):
                chunk.append({"e": ref.email, "c": ref.id, "s": status})
                if len(chunk) >= READ_CHUNK:
                    members += _insert_read(conn, chunk)
                    chunk = []
            members += _insert_read(conn, chunk)
        conn.execute(
            text(
                "INSERT INTO sync_snapshot"
                " (account_url, list_id, email, contact_id, digest, status)"
                " SELECT :a, :l, r.email, r.contact_id, s.digest,"
                " CASE WHEN r.status = 2 AND s.status = 3 THEN 3 ELSE r.status END"
                " FROM temp.sync_read r LEFT JOIN sync_snapshot s"
                " ON s.account_url = :a AND s.list_id = :l AND s.email = r.email"
                " WHERE true"
                " ON CONFLICT (account_url, list_id, email) DO UPDATE SET"
                " contact_id = excluded.contact_id, status = excluded.status,"
                " digest = CASE WHEN excluded.status = 1 THEN sync_snapshot.digest ELSE NULL END"
            ),
            key,
        )
        conn.execute(
            text(
                "DELETE FROM sync_snapshot WHERE account_url = :a AND list_id = :l"
                " AND email NOT IN (SELECT email FROM temp.sync_read)"
            ),
            key,
        )
        conn.execute(
            text(
                "INSERT OR REPLACE INTO sync_list_reads (account_url, list_id, read_at, members)"
                " VALUES (:a, :l, :t, :m)"
            ),
            {**key, "t": time.time(), "m": members},
        )
        conn.execute(text("DROP TABLE temp.sync_read"))
        conn.commit()
    return members


def _insert_read(conn: Connection, chunk: Sequence[dict[str, object]]) -> int:
    if chunk:
        conn.execute(text("INSERT OR REPLACE INTO temp.sync_read VALUES (:e, :c, :s)"), list(chunk))
        conn.commit()
    return len(chunk)


def apply_confirmed(
    conn: Connection,
    account_url: str,
    list_id: str,
    batch_id: int,
    kind: str,
    failed_emails: Sequence[str],
    contact_ids: dict[str, str] | None = None,
) -> None:
    """Record a confirmed batch's members (all but ``failed_emails``) in the list's snapshot."""
    key = {"a": account_url, "l": list_id, "b": batch_id, "f": json.dumps(list(failed_emails))}
    if kind == "unsubscribe":
        conn.execute(
            text(
                "UPDATE sync_snapshot SET status = :s, digest = NULL"
                " WHERE account_url = :a AND list_id = :l AND email IN ("
                " SELECT email FROM sync_audience WHERE batch_id = :b"
                " AND email NOT IN (SELECT value FROM json_each(:f)))"
            ),
            {**key, "s": UNSUBSCRIBED_BY_ACTUI},
        )
    else:
        conn.execute(
            text(
                "INSERT INTO sync_snapshot"
                " (account_url, list_id, email, contact_id, digest, status)"
                " SELECT :a, :l, email, NULL, digest, 1 FROM sync_audience WHERE batch_id = :b"
                " AND email NOT IN (SELECT value FROM json_each(:f))"
                " ON CONFLICT (account_url, list_id, email) DO UPDATE SET"
                " digest = excluded.digest, status = 1"
            ),
            key,
        )
    if contact_ids:
        conn.execute(
            text(
                "UPDATE sync_snapshot SET contact_id = :c"
                " WHERE account_url = :a AND list_id = :l AND email = :e"
            ),
            [
                {"a": account_url, "l": list_id, "e": email, "c": cid}
                for email, cid in contact_ids.items()
            ],
        )


def snapshot_status(conn: Connection, account_url: str, list_id: str, email: str) -> int | None:
    """The list status actui last confirmed for ``email`` (None when not on the list)."""
    value = conn.execute(
        text(
            "SELECT status FROM sync_snapshot"
            " WHERE account_url = :a AND list_id = :l AND email = :e"
        ),
        {"a": account_url, "l": list_id, "e": email},
    ).scalar()
    return None if value is None else int(value)


def snapshot_contact_id(conn: Connection, account_url: str, email: str) -> str | None:
    """A contact id actui learned for ``email`` on the account, from any list."""
    value = conn.execute(
        text(
            "SELECT contact_id FROM sync_snapshot WHERE account_url = :a AND email = :e"
            " AND contact_id IS NOT NULL LIMIT 1"
        ),
        {"a": account_url, "e": email},
    ).scalar()
    return None if value is None else str(value)


def list_members(conn: Connection, account_url: str, list_id: str) -> int:
    """How many contacts the list's snapshot holds as subscribed."""
    return int(
        conn.execute(
            text(
                "SELECT COUNT(*) FROM sync_snapshot WHERE account_url = :a AND list_id = :l"
                " AND status = 1"
            ),
            {"a": account_url, "l": list_id},
        ).scalar_one()
    )
