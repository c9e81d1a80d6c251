"""Resume is exclusive and loses no run: a failed resume keeps it; a second one waits or exits 2."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from actui.cli import cli
from actui.sandbox import SandboxServer
from actui.state import state_engine
from actui.sync import journal
from actui.sync.locks import process_start, run_key
from actui.sync.models import SendRequest
from actui.sync.runner import get_run, resume_run, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import people, subscribed, write_customers


def journaled_run(db: str) -> str:
    """A send journaled and killed before it staged anything (its first step)."""
    engine = state_engine()
    with engine.begin() as conn:
        return journal.create_run(conn, SendRequest(campaign="Members", db_url=db))


def hold(home: Path, key: str, run_id: str, pid: int, started: str) -> None:
    with sqlite3.connect(home / "state.db") as state:
        state.execute(
            "INSERT INTO sync_locks VALUES (?, ?, ?, ?, 'another-process', ?)",
            (key, run_id, pid, started, time.time()),
        )


def test_a_resume_that_fails_on_an_unreachable_account_keeps_the_run(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    crowd = people(120)
    db = write_customers(tmp_path / "c360.db", crowd)
    run_send(SendRequest(campaign="Members"), db)  # the tables, and a list to send to again
    run_id = journaled_run(db)
    port = sandbox.server.port
    sandbox.server.stop()  # the account is unreachable
    try:
        for _ in range(2):
            with pytest.raises(Exception, match=r"could not|refused|reach"):
                resume_run(run_id, db_url=db)
            kept = get_run(run_id)
            assert kept.status == "staging"
            assert f"actui send --resume {run_id}" in (kept.message or "")
    finally:
        sandbox.server = SandboxServer(sandbox.sandbox, port=port).start()

    finished = resume_run(db_url=db)  # the latest interrupted run: this one
    assert finished.run_id == run_id and finished.status == "completed"
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd}


def test_a_second_resume_exits_2_naming_the_process_or_waits_for_it(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(60))
    run_send(SendRequest(campaign="Members"), db)
    run_id = journaled_run(db)
    me = os.getpid()
    hold(actui_home, run_key(run_id), run_id, me, process_start(me))  # a live process drives it

    refused = CliRunner().invoke(cli, ["send", "--resume", run_id, "--db", db, "--json"])
    assert refused.exit_code == 2
    assert f"Run {run_id} is being sent by process {me}" in refused.stderr
    assert "--wait" in refused.stderr and "Traceback" not in refused.output
    assert get_run(run_id).status == "staging"

    def let_go() -> None:
        time.sleep(1.0)
        with sqlite3.connect(actui_home / "state.db") as state:
            state.execute("DELETE FROM sync_locks WHERE owner = 'another-process'")

    releasing = threading.Thread(target=let_go)
    started = time.monotonic()
    releasing.start()
    waited = CliRunner().invoke(cli, ["send", "--resume", run_id, "--db", db, "--wait", "--json"])
    releasing.join()
    assert waited.exit_code == 0, waited.output
    assert time.monotonic() - started >= 1.0
    assert get_run(run_id).status == "completed"


def test_the_run_lock_of_a_killed_process_is_taken_over(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(60))
    run_send(SendRequest(campaign="Members"), db)
    run_id = journaled_run(db)
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    hold(actui_home, run_key(run_id), run_id, killed.pid, process_start(killed.pid))
    killed.send_signal(signal.SIGKILL)
    killed.wait()

    assert resume_run(run_id, db_url=db).status == "completed"


def test_resuming_a_finished_run_again_only_reports_it(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(60))
    run_id = journaled_run(db)
    first = resume_run(run_id, db_url=db)
    imports = len(sandbox.sandbox.dump()["batches"])

    again = resume_run(run_id, db_url=db)

    assert again.status == first.status == "completed"
    assert (again.run_id, again.sent) == (run_id, first.sent) == (run_id, 60)
    assert len(sandbox.sandbox.dump()["batches"]) == imports
