"""``actui runs RUN_ID``: one run's outcome and every rejected email with its reason."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import httpx
from click.testing import CliRunner

from actui.cli import cli
from actui.sync.models import SendRequest
from actui.sync.runner import dry_run, rejected_rows, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import Person, people, write_customers


def test_a_run_lists_every_unsent_row_once_with_its_reason_code(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = [
        *people(12),
        Person(99, "broken address", "X", "gold"),
        Person(150, "", "Blank", "gold"),
        Person(151, "   ", "Spaces", "gold"),
        Person(152, None, "Null", "gold"),  # type: ignore[arg-type]
        # seven records, one address: one contact, six duplicates naming the kept customer
        *(
            Person(200 + i, f" {'SAME' if i % 2 else 'same'}@mail.com", "S", "gold")
            for i in range(7)
        ),
    ]
    db = write_customers(tmp_path / "c360.db", crowd)
    runner = CliRunner()
    sent = runner.invoke(cli, ["send", "Members", "--db", db, "--json"])
    assert sent.exit_code == 1, sent.output
    summary = json.loads(sent.stdout)
    run_id = summary["run_id"]
    assert summary["accounting"] == {
        "customers": 23,
        "contacts": 13,
        "duplicate_email": 6,
        "missing_email": 3,
        "invalid_email": 1,
        "excluded": 0,
        "not_in_any_sub_audience": 0,
    }

    shown = runner.invoke(cli, ["runs", run_id])
    assert shown.exit_code == 0, shown.output
    assert "Rejected rows (10):" in shown.output
    assert "broken address" in shown.output and "invalid email" in shown.output

    detail = json.loads(runner.invoke(cli, ["runs", run_id, "--json"]).stdout)
    assert detail["run"]["run_id"] == run_id
    rows = detail["rejected"]
    codes = Counter(row["reason_code"] for row in rows)
    assert codes == {"duplicate_email": 6, "missing_email": 3, "invalid_email": 1}
    duplicates = [row for row in rows if row["reason_code"] == "duplicate_email"]
    assert sorted(row["customer_key"] for row in duplicates) == [str(k) for k in range(201, 207)]
    assert all(row["reason"] == "duplicate email: kept customer 200" for row in duplicates)
    assert sorted(row["customer_key"] for row in rows if row["reason_code"] == "missing_email") == [
        "150",
        "151",
        "152",
    ]


def test_an_address_the_account_refuses_is_refused_never_unsubscribed(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(12)
    db = write_customers(tmp_path / "c360.db", crowd)
    assert run_send(SendRequest(campaign="Members"), db).exit_code == 0
    # someone joins the list and leaves it in ActiveCampaign, unknown to actui's snapshot
    late = "late@mail.com"
    response = httpx.post(
        f"{sandbox.api_url}/contact/sync",
        headers=sandbox.headers,
        json={"contact": {"email": late}},
    )
    assert response.status_code in (200, 201), response.text
    list_id = next(item["id"] for item in sandbox.sandbox.dump()["lists"])
    contact_id = int(response.json()["contact"]["id"])
    httpx.post(
        f"{sandbox.api_url}/contactLists",
        headers=sandbox.headers,
        json={"contactList": {"list": list_id, "contact": contact_id, "status": 1}},
    ).raise_for_status()
    sandbox.sandbox.unsubscribe(late, int(list_id))
    # the account refuses the subscription without a reason: refused, not "unsubscribed before"
    newcomers = [*people(11, start=500), Person(300, late, "Late", "gold")]  # one bulk import
    db = write_customers(tmp_path / "c360.db", [*crowd, *newcomers])
    summary = run_send(SendRequest(campaign="Members"), db)
    assert summary.status == "partial"
    (row,) = rejected_rows(summary.run_id)
    assert (row.email, row.reason_code, row.customer_key) == (late, "refused", "300")
    assert "ActiveCampaign" in row.reason
    # nothing was recorded as unsubscribed: the next dry run still plans to subscribe it
    estimate = dry_run(SendRequest(campaign="Members"), db)
    assert (estimate.counts.subscribe, estimate.counts.unsubscribed_by_hand) == (1, 0)


def test_an_unknown_run_is_one_clear_sentence() -> None:
    result = CliRunner().invoke(cli, ["runs", "no-such-run"])
    assert result.exit_code == 2
    assert "There is no run 'no-such-run'" in result.output
    assert "Traceback" not in result.output


def test_runs_of_a_state_database_from_before_the_503_count_still_show(
    actui_home: Path,
) -> None:
    import sqlite3

    from actui.state import reset_engines

    actui_home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(actui_home / "state.db") as old:  # sync_runs as an older actui made it
        old.execute(
            "CREATE TABLE sync_runs (id VARCHAR PRIMARY KEY, source_kind VARCHAR NOT NULL,"
            " source_name VARCHAR NOT NULL, request_json TEXT NOT NULL, mode VARCHAR NOT NULL,"
            " status VARCHAR NOT NULL, counts_json TEXT NOT NULL, message TEXT,"
            " requests INTEGER NOT NULL, retries INTEGER NOT NULL, rate_limited INTEGER NOT NULL,"
            " active_seconds FLOAT NOT NULL, started_at FLOAT NOT NULL, ended_at FLOAT)"
        )
        old.execute(
            "INSERT INTO sync_runs VALUES ('20260101T000000-abcdef', 'campaign', 'Members', '{}',"
            " 'mirror', 'completed', '{}', NULL, 12, 1, 2, 3.0, 1767225600.0, 1767225603.0)"
        )
    reset_engines()

    shown = CliRunner().invoke(cli, ["runs", "20260101T000000-abcdef", "--json"])

    assert shown.exit_code == 0, shown.output
    run = json.loads(shown.stdout)["run"]
    assert (run["rate_limited"], run["unavailable"]) == (2, 0)


def test_rejected_emails_an_older_version_recorded_are_kept_with_their_codes() -> None:
    from actui.home import state_db_path

    path = state_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE sync_rejections (run_id TEXT, target_id INTEGER, email TEXT,"
            " reason TEXT NOT NULL, customer_key TEXT, PRIMARY KEY (run_id, target_id, email))"
        )
        db.executemany(
            "INSERT INTO sync_rejections VALUES ('R1', 1, ?, ?, ?)",
            [
                ("", "missing email", "7"),
                ("x@y", "invalid email: the domain has no dot", "8"),
                ("a@b.co", "duplicate email", "9"),
                (
                    "c@d.co",
                    "unsubscribed from the list before; ActiveCampaign does not re-subscribe",
                    None,
                ),
                ("e@f.co", "on the account's exclusion list (exact match on 'e@f.co')", None),
            ],
        )
    rows = {row.email: (row.reason_code, row.customer_key) for row in rejected_rows("R1")}
    assert rows == {
        "": ("missing_email", "7"),
        "x@y": ("invalid_email", "8"),
        "a@b.co": ("duplicate_email", "9"),
        "c@d.co": ("unsubscribed_before", None),
        "e@f.co": ("refused", None),
    }
