"""Sends that meet 5xx answers, dropped connections and a 429 storm; refused emails in the log."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

from actui.sync.models import SendRequest
from actui.sync.runner import rejected_rows, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import (
    Person,
    people,
    subscribed,
    write_customers,
)


def test_faults_end_with_the_exact_list_state(sandbox: RunningSandbox, tmp_path: Path) -> None:
    crowd = people(400)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    for person in crowd[:50]:
        person.in_audience = 0
    for person in crowd[200:260]:
        person.tier = "changed"
    newcomers = people(300, start=5000)
    write_customers(tmp_path / "c360.db", crowd + newcomers)

    sandbox.sandbox.set_faults(error_rate=0.10, drop_rate=0.05, storm_429_seconds=2, seed=11)
    summary = run_send(SendRequest(campaign="Members"), db)
    sandbox.sandbox.set_faults()

    dump = sandbox.sandbox.dump()
    refused = dump["requests"]
    assert refused["dropped"] > 0 and refused["storm_limited"] > 0
    assert summary.retries > 0 and summary.rate_limited > 0
    answered = refused["by_status"]
    # 503s are counted apart from the 429s, each as often as the account answered it
    assert summary.unavailable == answered["503"] > 0
    assert summary.rate_limited == answered["429"]
    assert summary.status == "completed", summary.message
    assert subscribed(dump) == {p.email for p in crowd[50:] + newcomers}
    tiers = {c["email"]: c["field_values"] for c in dump["contacts"]}
    assert all("changed" in tiers[p.email].values() for p in crowd[200:260])


def test_a_first_send_under_faults_creates_its_list_once(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(300)
    db = write_customers(tmp_path / "c360.db", crowd)
    sandbox.sandbox.set_faults(error_rate=0.35, drop_rate=0.1, seed=3)
    summary = run_send(SendRequest(campaign="Members"), db)
    sandbox.sandbox.set_faults()

    dump = sandbox.sandbox.dump()
    assert summary.status == "completed", summary.message
    assert [item["name"] for item in dump["lists"]] == ["Members"]
    assert subscribed(dump) == {p.email for p in crowd}


def test_excluded_and_invalid_emails_end_in_the_verbose_log(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(30)
    crowd.append(Person(900, "blocked@spam-house.com", "Blocked", "gold"))
    crowd.append(Person(901, "invalid.email@invalidDomain", "Bad", "gold"))
    crowd.append(Person(902, "not an email", "Worse", "gold"))
    sandbox.sandbox.add_exclusion("@spam-house.com", "end")
    db = write_customers(tmp_path / "c360.db", crowd)

    summary = run_send(SendRequest(campaign="Members"), db)
    assert summary.exit_code == 1 and summary.status == "partial"
    assert summary.rejected_path is not None
    path = Path(summary.rejected_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with path.open(newline="") as handle:
        rows = {row["email"]: row["reason"] for row in csv.DictReader(handle)}
    assert "exclusion" in rows["blocked@spam-house.com"]
    assert rows["invalid.email@invalidDomain"].startswith("invalid email")
    assert rows["not an email"].startswith("invalid email")
    assert {r.email for r in rejected_rows(summary.run_id)} == set(rows)
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd[:30]}
