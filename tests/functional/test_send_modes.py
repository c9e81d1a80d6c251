"""Mirror, upsert and update-only sends over loopback HTTP to the sandbox."""

from __future__ import annotations

from pathlib import Path

from actui.sync.models import SendRequest
from actui.sync.runner import dry_run, get_run, rejected_rows, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import (
    contact,
    list_state,
    people,
    subscribed,
    write_customers,
)


def requests_served(sandbox: RunningSandbox) -> int:
    return sum(sandbox.sandbox.dump()["requests"]["by_status"].values())


def test_mirror_makes_the_list_equal_to_the_audience(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(300)
    db = write_customers(tmp_path / "c360.db", crowd)
    first = run_send(SendRequest(campaign="Members"), db)
    assert first.status == "completed" and first.exit_code == 0
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd}

    # 30 leave, 20 change tier, 40 join
    for person in crowd[:30]:
        person.in_audience = 0
    for person in crowd[100:120]:
        person.tier = "platinum"
    newcomers = people(40, start=1000)
    write_customers(tmp_path / "c360.db", crowd + newcomers)
    estimate = dry_run(SendRequest(campaign="Members"), db)
    assert (estimate.counts.subscribe, estimate.counts.update, estimate.counts.unsubscribe) == (
        40,
        20,
        30,
    )
    assert estimate.counts.unchanged == 250

    second = run_send(SendRequest(campaign="Members"), db)
    dump = sandbox.sandbox.dump()
    expected = {p.email for p in crowd[30:] + newcomers}
    assert subscribed(dump) == expected
    assert {e for e, s in list_state(dump).items() if s == 2} == {p.email for p in crowd[:30]}
    changed = contact(dump, crowd[110].email)
    assert changed is not None and "platinum" in changed["field_values"].values()
    # 3 bulk imports (subscribe, update, unsubscribe) + their polls + a few list/field reads
    assert second.requests <= 12, second


def test_unchanged_audience_costs_no_send_request(sandbox: RunningSandbox, tmp_path: Path) -> None:
    db = write_customers(tmp_path / "c360.db", people(120))
    run_send(SendRequest(campaign="Members"), db)
    before = sandbox.sandbox.dump()
    again = run_send(SendRequest(campaign="Members"), db)
    after = sandbox.sandbox.dump()
    assert again.planned.unchanged == 120
    assert again.sent == 0
    assert len(after["batches"]) == len(before["batches"])


def test_hand_unsubscribed_contacts_are_counted_not_resubscribed(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(50)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    dump = sandbox.sandbox.dump()
    list_id = next(item["id"] for item in dump["lists"] if item["name"] == "Members")
    sandbox.sandbox.unsubscribe(crowd[3].email, list_id)
    crowd[3].tier = "bronze"  # a change that would otherwise be sent
    write_customers(tmp_path / "c360.db", crowd)

    summary = run_send(SendRequest(campaign="Members", reconcile=True), db)
    assert summary.planned.unsubscribed_by_hand == 1
    after = sandbox.sandbox.dump()
    assert list_state(after)[crowd[3].email] == 2
    memberships = [m for m in after["memberships"] if m["list_id"] == list_id]
    assert not any(m["resubscribed_after_unsubscribe"] for m in memberships)


def test_upsert_never_removes(sandbox: RunningSandbox, tmp_path: Path) -> None:
    crowd = people(60)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members", mode="upsert"), db)
    for person in crowd[:20]:
        person.in_audience = 0
    newcomers = people(15, start=500)
    write_customers(tmp_path / "c360.db", crowd + newcomers)
    summary = run_send(SendRequest(campaign="Members", mode="upsert"), db)
    assert summary.planned.unsubscribe == 0
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd + newcomers}


def test_update_only_touches_only_existing_contacts(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(40)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    for person in crowd[:10]:
        person.first_name = "Renamed"
    newcomers = people(12, start=700)
    write_customers(tmp_path / "c360.db", crowd + newcomers)

    summary = run_send(SendRequest(campaign="Members", mode="update-only"), db)
    dump = sandbox.sandbox.dump()
    assert summary.planned.not_in_activecampaign == 12
    assert all(contact(dump, p.email) is None for p in newcomers)
    renamed = contact(dump, crowd[0].email)
    assert renamed is not None and renamed["first_name"] == "Renamed"
    assert get_run(summary.run_id).status == "completed"
    assert rejected_rows(summary.run_id) == []


def test_small_batches_use_contact_sync_and_contact_lists(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(5)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    dump = sandbox.sandbox.dump()
    assert dump["batches"] == []  # fewer than 10: no bulk import
    assert subscribed(dump) == {p.email for p in crowd}
    crowd[0].in_audience = 0
    write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    assert list_state(sandbox.sandbox.dump())[crowd[0].email] == 2
