"""Batches go out while the audience is still being read; a kill then is finished by --resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from actui.state import reset_engines
from actui.sync.runner import resume_run
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_resume_kill import ROOT, imports_per_email, query
from tests.functional.test_send_support import list_state, people, write_customers

AUDIENCE = 20_000


def _confirmed_while_staging(home: Path) -> int:
    """Confirmed batches of a run that is still reading its audience (0 when none)."""
    rows = query(
        home,
        "SELECT count(*) FROM sync_batches b JOIN sync_runs r ON r.id = b.run_id"
        " WHERE r.status = 'staging' AND b.state = 'confirmed'",
    )
    return int(rows[0][0]) if rows else 0


def _start_send(db: str, bulk_per_minute: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "actui", "send", "Members", "--db", db, "--json"],
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ACTUI_SEND_BULK_PER_MINUTE": str(bulk_per_minute),
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(check: Callable[[], bool], process: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
def test_sending_starts_before_the_audience_is_read_and_ends_exact(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    audience = people(AUDIENCE)
    db = write_customers(tmp_path / "c360.db", audience)
    process = _start_send(db, bulk_per_minute=1500)  # 80 imports at 25 a second: ~3 s
    try:
        seen = _wait_for(lambda: _confirmed_while_staging(actui_home) > 0, process, 30)
        assert process.wait(timeout=120) == 0
    finally:
        process.kill()
    assert seen, "no batch was confirmed before the audience was completely read"
    state = list_state(sandbox.sandbox.dump())
    assert {email for email, status in state.items() if status == 1} == {p.email for p in audience}
    assert query(actui_home, "SELECT status FROM sync_runs") == [("completed",)]


@pytest.mark.slow
def test_a_kill_while_reading_the_audience_is_finished_by_resume(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    audience = people(AUDIENCE)
    db = write_customers(tmp_path / "c360.db", audience)
    process = _start_send(db, bulk_per_minute=600)  # slow enough to stop it mid-stream
    try:
        assert _wait_for(lambda: _confirmed_while_staging(actui_home) >= 3, process, 60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    confirmed = {
        email
        for (email,) in query(
            actui_home,
            "SELECT a.email FROM sync_audience a JOIN sync_batches b ON b.id = a.batch_id"
            " WHERE b.state = 'confirmed'",
        )
    }
    assert len(confirmed) >= 3 * 250
    before = imports_per_email(sandbox.sandbox.dump())

    reset_engines()
    summary = resume_run(db_url=db)
    assert summary.status == "completed", summary.message

    dump = sandbox.sandbox.dump()
    state = list_state(dump)
    assert {email for email, status in state.items() if status == 1} == {p.email for p in audience}
    emails = [c["email"] for c in dump["contacts"]]
    assert len(emails) == len(set(emails)) == AUDIENCE
    after = imports_per_email(dump)
    assert all(after[email] == before[email] == 1 for email in confirmed)
    assert all(after[p.email] >= 1 for p in audience)


@pytest.mark.slow
def test_two_lists_fill_side_by_side_while_the_audience_streams(
    sandbox: RunningSandbox, actui_home: Path, tmp_path: Path
) -> None:
    from actui.campaigns.store import import_campaign
    from actui.sync.models import SendRequest
    from actui.sync.runner import run_send
    from tests.functional.test_send_support import SEGMENT

    import_campaign(
        {
            "name": "Split",
            "audience": SEGMENT,
            "groups": [
                {"name": "A", "percent": 50, "destination": "sandbox", "list": "Split A"},
                {"name": "B", "percent": 50, "destination": "sandbox", "list": "Split B"},
            ],
            "attributes": {"email": "email"},
        }
    )
    audience = people(2 * AUDIENCE + 5_000)  # each list holds more than staging runs ahead
    db = write_customers(tmp_path / "c360.db", audience)

    summary = run_send(SendRequest(campaign="Split"), db)

    assert summary.status == "completed", summary.message
    dump = sandbox.sandbox.dump()
    on_a = {e for e, s in list_state(dump, "Split A").items() if s == 1}
    on_b = {e for e, s in list_state(dump, "Split B").items() if s == 1}
    assert not on_a & on_b
    assert on_a | on_b == {p.email for p in audience}
    assert min(len(on_a), len(on_b)) > 10_000
