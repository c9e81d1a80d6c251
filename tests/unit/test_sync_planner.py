"""The SQL diff and the batch journal over a real state database (no network)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from actui.campaigns.contacts import Contact
from actui.state import ensure_tables, state_engine
from actui.sync import journal
from actui.sync.models import SendRequest
from actui.sync.planner import (
    contact_from_payload,
    contact_payload,
    diff_target,
    stage_contacts,
    target_counts,
)
from actui.sync.snapshot import apply_confirmed

ACCOUNT = "http://127.0.0.1:1/api/3"


def engine() -> Engine:
    found = state_engine()
    ensure_tables(found)
    return found


def new_target(db: Engine, mode: str = "mirror") -> tuple[str, int]:
    with db.begin() as conn:
        run_id = journal.create_run(conn, SendRequest(campaign="c", mode=mode))  # type: ignore[arg-type]
        target = journal.add_target(
            conn,
            run_id,
            destination="d",
            credential="env",
            account_url=ACCOUNT,
            list_name="L",
            groups=["All"],
            verbose_logs=False,
        )
        journal.set_target_list(conn, target, "7")
    return run_id, target


def snapshot(db: Engine, email: str, status: int, digest: str | None, list_id: str = "7") -> None:
    with db.begin() as conn:
        conn.execute(
            text("INSERT INTO sync_snapshot VALUES (:a, :l, :e, NULL, :d, :s)"),
            {"a": ACCOUNT, "l": list_id, "e": email, "d": digest, "s": status},
        )


def actions(db: Engine, target: int) -> dict[str, str]:
    with db.connect() as conn:
        return dict(
            conn.execute(
                text("SELECT email, action FROM sync_audience WHERE target_id = :t"), {"t": target}
            ).all()
        )


def test_mirror_diff_gives_each_contact_its_action() -> None:
    db = engine()
    run_id, target = new_target(db)
    same = Contact("same@x.com", first_name="A")
    changed = Contact("changed@x.com", first_name="New")
    snapshot(db, "same@x.com", 1, same.digest())
    snapshot(db, "changed@x.com", 1, Contact("changed@x.com", first_name="Old").digest())
    snapshot(db, "byhand@x.com", 2, None)
    snapshot(db, "left@x.com", 1, "whatever")
    snapshot(db, "back@x.com", 3, None)
    with db.begin() as conn:
        stage_contacts(
            conn,
            target,
            [same, changed, Contact("byhand@x.com"), Contact("new@x.com"), Contact("back@x.com")],
        )
        diff_target(conn, target, ACCOUNT, "7", "mirror")
        counts = target_counts(conn, run_id, target)
    assert actions(db, target) == {
        "same@x.com": "unchanged",
        "changed@x.com": "update",
        "byhand@x.com": "unsubscribed_by_hand",
        "new@x.com": "subscribe",
        "back@x.com": "resubscribe",
        "left@x.com": "unsubscribe",
    }
    assert (counts.subscribe, counts.update, counts.unsubscribe, counts.unchanged) == (2, 1, 1, 1)
    assert counts.unsubscribed_by_hand == 1 and counts.audience == 5


def test_upsert_keeps_leavers_and_update_only_skips_unknown_contacts() -> None:
    db = engine()
    _, upsert = new_target(db, "upsert")
    snapshot(db, "left@x.com", 1, "d")
    snapshot(db, "elsewhere@x.com", 1, "d", list_id="99")  # known on another list
    with db.begin() as conn:
        stage_contacts(conn, upsert, [Contact("new@x.com")])
        diff_target(conn, upsert, ACCOUNT, "7", "upsert")
    assert actions(db, upsert) == {"new@x.com": "subscribe"}

    _, only = new_target(db, "update-only")
    with db.begin() as conn:
        stage_contacts(conn, only, [Contact("new@x.com"), Contact("elsewhere@x.com")])
        diff_target(conn, only, ACCOUNT, "7", "update-only")
    assert actions(db, only) == {
        "new@x.com": "not_in_activecampaign",
        "elsewhere@x.com": "subscribe",
    }


def test_batches_hold_at_most_250_and_never_leave_a_tiny_remainder() -> None:
    db = engine()
    run_id, target = new_target(db)
    with db.begin() as conn:
        stage_contacts(conn, target, [Contact(f"p{i:04d}@x.com") for i in range(505)])
        diff_target(conn, target, ACCOUNT, "7", "mirror")
    sizes = []
    while (batch := journal.plan_batch(db, run_id, target, "subscribe")) is not None:
        sizes.append((batch.members, batch.method))
    assert sizes == [(250, "bulk"), (127, "bulk"), (128, "bulk")]


def test_batches_stay_under_the_payload_cap() -> None:
    db = engine()
    run_id, target = new_target(db)
    big = [Contact(f"p{i:03d}@x.com", fields=(("1", "x" * 3000),)) for i in range(250)]
    with db.begin() as conn:
        stage_contacts(conn, target, big)
        diff_target(conn, target, ACCOUNT, "7", "mirror")
    first = journal.plan_batch(db, run_id, target, "subscribe")
    assert first is not None and first.members < 250
    with db.connect() as conn:
        members = journal.batch_members(conn, first.id)
    payload_bytes = sum(len(p or "") + 60 for _, p, _ in members)
    assert payload_bytes < 400_000


def test_a_confirmed_batch_updates_the_snapshot_except_its_failures() -> None:
    db = engine()
    run_id, target = new_target(db)
    with db.begin() as conn:
        stage_contacts(conn, target, [Contact(f"p{i:02d}@x.com") for i in range(12)])
        diff_target(conn, target, ACCOUNT, "7", "mirror")
    batch = journal.plan_batch(db, run_id, target, "subscribe")
    assert batch is not None
    with db.begin() as conn:
        apply_confirmed(conn, ACCOUNT, "7", batch.id, "subscribe", ["p03@x.com"])
        journal.mark_confirmed(conn, batch.id)
        on_list = conn.execute(
            text("SELECT COUNT(*) FROM sync_snapshot WHERE list_id = '7' AND status = 1")
        ).scalar_one()
        assert journal.open_batches(conn, run_id) == []
    assert on_list == 11


def test_payload_round_trip_keeps_everything_sent() -> None:
    contact = Contact("a@x.com", "Ann", "Lee", "+1 555", (("3", "gold"),), ("vip",))
    assert contact_from_payload(contact_payload(contact), contact.email) == contact
