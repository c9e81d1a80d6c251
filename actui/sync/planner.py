"""The diff: stage a run's audience beside the list's snapshot; decide each action in SQL.

Actions a staged row can get:

* ``subscribe``: not on the list as far as actui knows -> bulk import with ``subscribe``;
* ``resubscribe``: unsubscribed earlier by actui (a leaver who came back) -> ``contact/sync`` and
  ``contactLists`` status 1, since bulk import never re-subscribes;
* ``update``: subscribed, and its attributes changed since the last confirmed send;
* ``unchanged``: subscribed with the same attributes: no request at all;
* ``unsubscribed_by_hand``: ActiveCampaign says the contact unsubscribed itself: never
  re-subscribed, only counted and reported;
* ``unsubscribe`` (mirror): on the list but no longer in the audience;
* ``not_in_activecampaign`` (update-only): no contact with this email is known on the account.

Update-only learns existence from the snapshots actui holds for the account (every list it read or
sent to), so it costs no request; a contact that exists in ActiveCampaign but on no list actui knows
is left alone. ``--reconcile`` refreshes the snapshot of the list being sent to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

from actui.accounting import reason_code
from actui.activecampaign.client import encode_bulk_contact
from actui.campaigns.contacts import Contact, RejectedContact
from actui.sync.models import Counts, Mode
from actui.sync.store import rejection_table

#: actions that cost requests, in the order they are sent
SEND_ACTIONS = ("subscribe", "update", "resubscribe", "unsubscribe")

#: the bytes a contact's list instruction adds to its bulk import payload
LIST_INSTRUCTION_BYTES = 40


def contact_payload(contact: Contact) -> str:
    """The contact as stored for sending: its bulk import item as compact JSON, sent as it is."""
    return encode_bulk_contact(contact)


def bulk_item(payload: str | None, email: str) -> str:
    """The stored contact as a bulk import item (a payload of an older run is re-encoded)."""
    if not payload:
        return encode_bulk_contact(Contact(email=email))
    if '"fields":[[' in payload:
        return encode_bulk_contact(contact_from_payload(payload, email))
    return payload


def contact_from_payload(payload: str | None, email: str) -> Contact:
    """The contact a stored payload describes (an email-only contact when there is none)."""
    if not payload:
        return Contact(email=email)
    data = json.loads(payload)
    fields = tuple(
        (str(item["id"]), str(item["value"]))
        if isinstance(item, dict)
        else (str(item[0]), str(item[1]))
        for item in data.get("fields", [])
    )
    return Contact(
        email=data["email"],
        first_name=data.get("first_name"),
        last_name=data.get("last_name"),
        phone=data.get("phone"),
        fields=fields,
        tags=tuple(data.get("tags", [])),
    )


def stage_contacts(conn: Connection, target_id: int, contacts: Iterable[Contact]) -> int:
    """Insert a chunk of the audience for ``target_id``; a repeated email keeps its first row."""
    rows = [
        (target_id, contact.email, contact.digest(), contact_payload(contact), contact.customer_key)
        for contact in contacts
    ]
    if rows:  # straight to the driver: the chunks are large and the statement is fixed
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO sync_audience (target_id, email, digest, payload, customer_key)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def stage_rejections(
    conn: Connection,
    run_id: str,
    target_id: int | None,
    rejected: Iterable[RejectedContact],
    group_label: str = "",
) -> int:
    """Record rows the campaign set aside (missing, invalid or duplicate emails), one each.

    ``target_id`` is None for the rows of a held-out group (no list).
    """
    rows = [
        {
            "run_id": run_id,
            "target_id": target_id or 0,
            "group_label": group_label,
            "email": row.email,
            "reason": row.reason,
            "reason_code": reason_code(row.reason),
            "customer_key": row.customer_key or "",
        }
        for row in rejected
    ]
    if rows:
        conn.execute(rejection_table.insert().prefix_with("OR IGNORE"), rows)
    return len(rows)


def diff_target(
    conn: Connection, target_id: int, account_url: str, list_id: str | None, mode: Mode
) -> None:
    """Give every staged row of ``target_id`` its action; in mirror mode, stage the leavers too."""
    diff_staged(conn, target_id, account_url, list_id, mode)
    stage_leavers(conn, target_id, account_url, list_id, mode)


def diff_staged(
    conn: Connection, target_id: int, account_url: str, list_id: str | None, mode: Mode
) -> dict[str, int]:
    """Give the staged rows still without an action theirs; returns how many got each action.

    Only rows with no action are touched, so it can run after every staged chunk while earlier
    rows are already being sent. Each row gets its action from exactly one statement below.
    """
    where = {"t": target_id, "a": account_url, "l": list_id or ""}
    given: dict[str, int] = {}

    def count(result: Any) -> None:
        for (action,) in result:
            given[action] = given.get(action, 0) + 1

    count(
        conn.execute(
            text(
                # driven by the new rows (few), each looked up in the snapshot (growing)
                "UPDATE sync_audience SET action = (SELECT CASE"
                " WHEN s.status = 1 AND s.digest IS sync_audience.digest THEN 'unchanged'"
                " WHEN s.status = 1 THEN 'update'"
                " WHEN s.status = 2 THEN 'unsubscribed_by_hand'"
                " ELSE 'resubscribe' END "
                " FROM sync_snapshot s WHERE s.account_url = :a AND s.list_id = :l"
                " AND s.email = sync_audience.email) "
                "WHERE target_id = :t AND action IS NULL AND EXISTS ("
                " SELECT 1 FROM sync_snapshot s WHERE s.account_url = :a AND s.list_id = :l"
                " AND s.email = sync_audience.email) "
                "RETURNING action"
            ),
            where,
        )
    )
    if mode == "update-only":
        count(
            conn.execute(
                text(
                    "UPDATE sync_audience SET action = 'subscribe' "
                    "WHERE target_id = :t AND action IS NULL AND EXISTS ("
                    " SELECT 1 FROM sync_snapshot s WHERE s.account_url = :a"
                    " AND s.email = sync_audience.email) "
                    "RETURNING action"
                ),
                where,
            )
        )
    default = "not_in_activecampaign" if mode == "update-only" else "subscribe"
    count(
        conn.execute(
            text(
                "UPDATE sync_audience SET action = :d WHERE target_id = :t AND action IS NULL "
                "RETURNING action"
            ),
            {"t": target_id, "d": default},
        )
    )
    return given


def stage_leavers(
    conn: Connection, target_id: int, account_url: str, list_id: str | None, mode: Mode
) -> int:
    """In mirror mode, stage an unsubscribe for each list member no longer in the audience.

    Runs once the whole audience is staged; returns the number of leavers.
    """
    if mode != "mirror":
        return 0
    result = conn.execute(
        text(
            "INSERT INTO sync_audience (target_id, email, action) "
            "SELECT :t, s.email, 'unsubscribe' FROM sync_snapshot s "
            "WHERE s.account_url = :a AND s.list_id = :l AND s.status = 1 AND NOT EXISTS ("
            " SELECT 1 FROM sync_audience x WHERE x.target_id = :t AND x.email = s.email)"
        ),
        {"t": target_id, "a": account_url, "l": list_id or ""},
    )
    return int(result.rowcount or 0)


def target_counts(conn: Connection, run_id: str, target_id: int) -> Counts:
    """The diff's counts for one target, with the run's rejected rows for it."""
    by_action: dict[str, int] = dict(
        conn.execute(
            text("SELECT action, COUNT(*) FROM sync_audience WHERE target_id = :t GROUP BY action"),
            {"t": target_id},
        ).all()
    )
    rejected = conn.execute(
        text("SELECT COUNT(*) FROM sync_rejected_rows WHERE run_id = :r AND target_id = :t"),
        {"r": run_id, "t": target_id},
    ).scalar_one()
    subscribe = by_action.get("subscribe", 0) + by_action.get("resubscribe", 0)
    return Counts(
        audience=sum(n for action, n in by_action.items() if action != "unsubscribe"),
        subscribe=subscribe,
        update=by_action.get("update", 0),
        unsubscribe=by_action.get("unsubscribe", 0),
        unchanged=by_action.get("unchanged", 0),
        rejected=rejected,
        unsubscribed_by_hand=by_action.get("unsubscribed_by_hand", 0),
        not_in_activecampaign=by_action.get("not_in_activecampaign", 0),
    )


def pending_sizes(conn: Connection, target_id: int) -> dict[str, tuple[int, int]]:
    """Per send action: (contacts not yet in a batch, their payload bytes)."""
    rows = conn.execute(
        text(
            "SELECT action, COUNT(*), COALESCE(SUM(LENGTH(payload)), 0) + COUNT(*) * :extra "
            "FROM sync_audience WHERE target_id = :t AND batch_id IS NULL "
            "AND action IN ('subscribe', 'update', 'resubscribe', 'unsubscribe') GROUP BY action"
        ),
        {"t": target_id, "extra": LIST_INSTRUCTION_BYTES + 20},
    ).all()
    return {str(action): (int(count), int(size)) for action, count, size in rows}
