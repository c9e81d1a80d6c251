"""``actui send`` and ``actui runs`` as a scheduler runs them: exit codes and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from actui.cli import cli
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import (
    Person,
    people,
    subscribed,
    write_customers,
)


def test_dry_run_then_send_then_runs(sandbox: RunningSandbox, tmp_path: Path) -> None:
    db = write_customers(tmp_path / "c360.db", people(40))
    runner = CliRunner()
    dry = runner.invoke(cli, ["send", "Members", "--db", db, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    estimate = json.loads(dry.stdout)
    assert estimate["counts"]["subscribe"] == 40 and estimate["bulk_imports"] == 1
    assert sandbox.sandbox.dump()["lists"] == []  # a dry run writes nothing

    sent = runner.invoke(cli, ["send", "Members", "--db", db, "--json"])
    assert sent.exit_code == 0, sent.output
    summary = json.loads(sent.stdout)
    assert summary["status"] == "completed" and summary["sent"] == 40
    assert len(subscribed(sandbox.sandbox.dump())) == 40

    listed = runner.invoke(cli, ["runs", "--json"])
    runs = json.loads(listed.stdout)["runs"]
    assert [r["run_id"] for r in runs] == [summary["run_id"]]
    assert runner.invoke(cli, ["runs"]).output.count("completed") == 1


def test_rejected_rows_exit_1_and_segment_send(sandbox: RunningSandbox, tmp_path: Path) -> None:
    crowd = [*people(12), Person(99, "broken address", "X", "gold")]
    db = write_customers(tmp_path / "c360.db", crowd)
    segment = tmp_path / "members.json"
    segment.write_text(
        json.dumps(
            {
                "name": "members",
                "conditions": [{"attribute": "in_audience", "operator": "is", "value": 1}],
            }
        )
    )
    result = CliRunner().invoke(
        cli,
        [
            "send",
            "--segment",
            str(segment),
            "--destination",
            "sandbox",
            "--list",
            "Seg",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 1, result.output
    assert "1 rejected" in result.output
    assert len(subscribed(sandbox.sandbox.dump(), "Seg")) == 12


def test_failures_exit_2_with_a_sentence(sandbox: RunningSandbox, tmp_path: Path) -> None:
    runner = CliRunner()
    nothing = runner.invoke(cli, ["send", "--resume"])
    assert nothing.exit_code == 2
    assert "Error: There is no interrupted run to resume" in nothing.output
    unknown = runner.invoke(cli, ["send", "Nope", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert unknown.exit_code == 2 and unknown.output.startswith("Error: ")
