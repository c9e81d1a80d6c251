"""``actui runs RUN_ID``: one run's outcome and every rejected email with its reason."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from actui.cli import cli
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import Person, people, write_customers


def test_a_run_lists_its_rejected_emails(sandbox: RunningSandbox, tmp_path: Path) -> None:
    crowd = [*people(12), Person(99, "broken address", "X", "gold")]
    db = write_customers(tmp_path / "c360.db", crowd)
    runner = CliRunner()
    sent = runner.invoke(cli, ["send", "Members", "--db", db, "--json"])
    assert sent.exit_code == 1, sent.output
    run_id = json.loads(sent.stdout)["run_id"]

    shown = runner.invoke(cli, ["runs", run_id])
    assert shown.exit_code == 0, shown.output
    assert "Rejected emails (1):" in shown.output
    assert "broken address" in shown.output and "invalid email" in shown.output

    detail = json.loads(runner.invoke(cli, ["runs", run_id, "--json"]).stdout)
    assert detail["run"]["run_id"] == run_id
    assert [row["email"] for row in detail["rejected"]] == ["broken address"]


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
