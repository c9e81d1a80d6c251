"""The mirror guard: a mirror send never unsubscribes more than a share of a list unasked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from actui.cli import cli
from actui.credentials import make_destination, save_destination
from actui.sync.guard import RemovalRefused
from actui.sync.models import SendRequest
from actui.sync.runner import list_runs, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import people, subscribed, write_customers


def writes_seen(sandbox: RunningSandbox) -> tuple[int, frozenset[str], int]:
    """What a refused send must leave as it was: bulk imports, the list's members, contacts."""
    dump = sandbox.sandbox.dump()
    return len(dump["batches"]), frozenset(subscribed(dump)), len(dump["contacts"])


def test_a_mirror_send_over_the_limit_stops_before_any_request_with_the_numbers(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(100)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    for person in crowd[:30]:  # 30 % would leave; 10 newcomers would join
        person.in_audience = 0
    db = write_customers(tmp_path / "c360.db", crowd + people(10, start=500))
    before = writes_seen(sandbox)

    with pytest.raises(RemovalRefused) as refused:
        run_send(SendRequest(campaign="Members"), db)

    message = str(refused.value)
    assert "30 of its 100 members (30.0 %)" in message
    assert "limit of 20 %" in message and "--allow-removal" in message
    assert writes_seen(sandbox) == before  # not even the newcomers were imported
    assert [run.status for run in list_runs()] == ["completed"]  # nothing left to resume

    allowed = run_send(SendRequest(campaign="Members", max_removal=30), db)
    assert allowed.status == "completed" and allowed.planned.unsubscribe == 30
    assert subscribed(sandbox.sandbox.dump()) == {
        p.email for p in crowd[30:] + people(10, start=500)
    }


def test_an_empty_audience_never_empties_a_list_without_consent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(40)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    for person in crowd:
        person.in_audience = 0
    db = write_customers(tmp_path / "c360.db", crowd)
    before = writes_seen(sandbox)

    with pytest.raises(RemovalRefused, match="would lose all 40 members"):
        run_send(SendRequest(campaign="Members", max_removal=100), db)
    assert writes_seen(sandbox) == before

    emptied = run_send(SendRequest(campaign="Members", allow_removal=True), db)
    assert emptied.status == "completed" and emptied.planned.unsubscribe == 40
    assert subscribed(sandbox.sandbox.dump()) == set()


def test_the_limit_is_the_destinations_own(sandbox: RunningSandbox, tmp_path: Path) -> None:
    save_destination(
        make_destination(name="sandbox", credential="env", list="Members", max_removal=50)
    )
    crowd = people(60)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    for person in crowd[:24]:  # 40 %: over the default 20, under this destination's 50
        person.in_audience = 0
    db = write_customers(tmp_path / "c360.db", crowd)

    summary = run_send(SendRequest(campaign="Members"), db)

    assert summary.status == "completed" and summary.planned.unsubscribe == 24
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd[24:]}


def test_send_cli_exits_2_with_the_numbers_and_allow_removal_lets_it_through(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(50)
    db = write_customers(tmp_path / "c360.db", crowd)
    runner = CliRunner()
    assert runner.invoke(cli, ["send", "Members", "--db", db, "--json"]).exit_code == 0
    for person in crowd[:25]:
        person.in_audience = 0
    write_customers(tmp_path / "c360.db", crowd)
    before = writes_seen(sandbox)

    refused = runner.invoke(cli, ["send", "Members", "--db", db, "--json"])
    assert refused.exit_code == 2
    assert "25 of its 50 members (50.0 %)" in refused.stderr
    assert "Traceback" not in refused.output
    assert writes_seen(sandbox) == before

    above = runner.invoke(cli, ["send", "Members", "--db", db, "--max-removal", "40", "--json"])
    assert above.exit_code == 2, above.output

    through = runner.invoke(cli, ["send", "Members", "--db", db, "--allow-removal", "--json"])
    assert through.exit_code == 0, through.output
    assert json.loads(through.stdout)["planned"]["unsubscribe"] == 25
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd[25:]}


def test_a_resumed_run_over_the_limit_is_kept_until_resumed_with_consent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    from actui.state import state_engine
    from actui.sync import journal
    from actui.sync.runner import get_run, resume_run

    crowd = people(80)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)
    for person in crowd[:40]:
        person.in_audience = 0
    db = write_customers(tmp_path / "c360.db", crowd)
    with state_engine().begin() as conn:  # a send killed before it read its audience
        run_id = journal.create_run(conn, SendRequest(campaign="Members", db_url=db))
    before = writes_seen(sandbox)

    with pytest.raises(RemovalRefused, match="40 of its 80 members"):
        resume_run(run_id, db_url=db)
    assert get_run(run_id).status == "staging"  # kept, to resume with consent
    assert writes_seen(sandbox) == before

    finished = resume_run(run_id, db_url=db, allow_removal=True)
    assert finished.status == "completed" and finished.planned.unsubscribe == 40
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd[40:]}
