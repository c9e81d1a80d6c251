"""Taking batches for sending, and the stored payloads they are sent from (real state database)."""

from __future__ import annotations

import json

from sqlalchemy import text

from actui.campaigns.contacts import Contact
from actui.sync import journal
from actui.sync.planner import bulk_item, contact_payload, diff_target, stage_contacts
from tests.unit.test_sync_planner import ACCOUNT, engine, new_target


def test_a_taken_bulk_batch_is_journaled_as_sending_with_its_members() -> None:
    db = engine()
    run_id, target = new_target(db)
    staged = [Contact(f"p{i:03d}@x.com", first_name=f"P{i}") for i in range(300)]
    with db.begin() as conn:
        stage_contacts(conn, target, staged)
        diff_target(conn, target, ACCOUNT, "7", "mirror")
    taken = journal.take_batch(db, run_id, target, "subscribe")
    assert taken is not None
    batch, members = taken
    assert (batch.state, batch.attempts, batch.members) == ("sending", 1, 250)
    assert [email for email, _ in members] == [c.email for c in staged[:250]]
    assert members[0][1] == contact_payload(staged[0])
    with db.connect() as conn:
        row = conn.execute(
            text("SELECT state, attempts, sent_at FROM sync_batches WHERE id = :b"),
            {"b": batch.id},
        ).one()
        in_batch = conn.execute(
            text("SELECT COUNT(*) FROM sync_audience WHERE batch_id = :b"), {"b": batch.id}
        ).scalar_one()
    assert row.state == "sending" and row.attempts == 1 and row.sent_at is not None
    assert in_batch == 250
    rest = journal.plan_batch(db, run_id, target, "subscribe")
    assert rest is not None and (rest.state, rest.members) == ("planned", 50)
    assert journal.plan_batch(db, run_id, target, "subscribe") is None


def test_stored_payloads_go_out_as_they_are_and_older_ones_are_re_encoded() -> None:
    contact = Contact("a@x.com", "Ann", "Lee", None, (("3", "gold"),), ("vip",))
    stored = contact_payload(contact)
    assert bulk_item(stored, contact.email) is stored
    older = json.dumps(  # as runs staged before payloads were stored as bulk items
        {
            "email": "a@x.com",
            "first_name": "Ann",
            "last_name": "Lee",
            "fields": [["3", "gold"]],
            "tags": ["vip"],
        },
        separators=(",", ":"),
    )
    assert json.loads(bulk_item(older, contact.email)) == json.loads(stored)
    assert json.loads(bulk_item(None, "b@x.com")) == {"email": "b@x.com"}
