"""Two mirror sends to one list: one waits for the other or refuses, and both reports are true."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from actui.activecampaign import normalize_account_url
from actui.sync.locks import LockBusy, list_key, process_start
from actui.sync.models import SendRequest
from actui.sync.runner import get_run, list_runs, resume_run, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_resume_kill import ROOT, query
from tests.functional.test_send_support import people, subscribed, write_customers


def start_send(db: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "actui", "send", "Members", "--db", db, "--json", *extra],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def sending_run(home: Path, known: set[str], process: subprocess.Popen[str]) -> str:
    """The id of the run ``process`` started, once it has journaled its first batch."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        rows = query(
            home,
            "SELECT r.id FROM sync_runs r JOIN sync_batches b ON b.run_id = r.id GROUP BY r.id",
        )
        started = {run_id for (run_id,) in rows} - known
        if started:
            return started.pop()
        time.sleep(0.01)
    raise AssertionError(f"the first send never sent: {process.communicate()}")


def finished(process: subprocess.Popen[str]) -> tuple[int, dict[str, Any], str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, json.loads(out) if out.strip() else {}, err


@pytest.fixture
def slow_sandbox(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    """Imports that take a while, so the second send starts while the first is sending."""
    monkeypatch.setenv("ACTUI_SEND_RATE", "200")
    monkeypatch.setenv("ACTUI_SEND_BULK_PER_MINUTE", "60")
    sandbox.sandbox.set_batch_delay(0.5)
    return sandbox


@pytest.mark.slow
def test_a_second_mirror_send_to_a_busy_list_waits_then_the_list_is_its_audience(
    slow_sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    first_audience, second_audience = people(1500), people(1500, start=101)
    first_db = write_customers(tmp_path / "first.db", first_audience)
    second_db = write_customers(tmp_path / "second.db", second_audience)

    first = start_send(first_db)
    first_id = sending_run(actui_home, set(), first)
    second = start_send(second_db, "--wait")
    first_code, first_report, _ = finished(first)
    second_code, second_report, errors = finished(second)

    assert (first_code, second_code) == (0, 0), errors
    assert first_report["run_id"] == first_id
    assert first_report["sent"] == first_report["planned"]["subscribe"] == 1500
    # the second planned against the list the first left: 100 join, 100 leave
    planned = second_report["planned"]
    assert (planned["subscribe"], planned["unsubscribe"], planned["unchanged"]) == (100, 100, 1400)
    assert second_report["sent"] == 200
    assert second_report["started_at"] < first_report["ended_at"] <= second_report["ended_at"]
    assert subscribed(slow_sandbox.sandbox.dump()) == {p.email for p in second_audience}
    assert [get_run(r.run_id).status for r in list_runs()] == ["completed", "completed"]


@pytest.mark.slow
def test_a_second_mirror_send_without_wait_exits_2_naming_the_running_run(
    slow_sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    first_audience = people(1500)
    first_db = write_customers(tmp_path / "first.db", first_audience)
    second_db = write_customers(tmp_path / "second.db", people(1500, start=101))

    first = start_send(first_db)
    first_id = sending_run(actui_home, set(), first)
    second = start_send(second_db)
    second_code, second_report, errors = finished(second)
    first_code, first_report, _ = finished(first)

    assert second_code == 2 and second_report == {}
    assert f"run {first_id}" in errors and f"process {first.pid}" in errors
    assert "--wait" in errors and "Traceback" not in errors
    assert first_code == 0 and first_report["sent"] == 1500
    assert subscribed(slow_sandbox.sandbox.dump()) == {p.email for p in first_audience}
    assert [r.run_id for r in list_runs()] == [first_id]  # the refused send left no run


def test_a_send_held_by_a_killed_process_is_taken_over(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    crowd = people(300)
    db = write_customers(tmp_path / "c360.db", crowd)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        run_send(SendRequest(campaign="Members"), db)  # creates the tables
        now = time.time()
        with sqlite3.connect(actui_home / "state.db") as state:
            state.execute(
                "INSERT INTO sync_locks VALUES (?, 'old-run', ?, ?, 'someone', ?)",
                (list_key(normalize_account_url(sandbox.url), "Members"), sleeper.pid, "1", now),
            )
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()
        for person in crowd[:10]:
            person.in_audience = 0
        write_customers(tmp_path / "c360.db", crowd)
        summary = run_send(SendRequest(campaign="Members"), db)
    finally:
        sleeper.kill()
    assert summary.status == "completed" and summary.sent == 10
    assert query(actui_home, "SELECT COUNT(*) FROM sync_locks") == [(0,)]


def test_a_resume_to_a_busy_list_is_refused_and_leaves_the_run_as_it_was(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(50))
    run_id = run_send(SendRequest(campaign="Members"), db).run_id
    key = list_key(normalize_account_url(sandbox.url), "Members")
    with sqlite3.connect(actui_home / "state.db") as state:  # stopped; another run holds the list
        state.execute(
            "UPDATE sync_runs SET status = 'failed', message = 'stopped' WHERE id = ?", (run_id,)
        )
        state.execute(
            "INSERT INTO sync_locks VALUES (?, 'other-run', ?, ?, 'another-sender', ?)",
            (key, os.getpid(), process_start(os.getpid()), time.time()),
        )

    with pytest.raises(LockBusy, match=f"being sent to by process {os.getpid()} \\(run other-run"):
        resume_run(run_id, db_url=db)
    assert (get_run(run_id).status, get_run(run_id).message) == ("failed", "stopped")

    with sqlite3.connect(actui_home / "state.db") as state:
        state.execute("DELETE FROM sync_locks WHERE owner = 'another-sender'")
    assert resume_run(run_id, db_url=db).status == "completed"
