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
