"""A send killed with SIGKILL at random points is finished by --resume: nothing lost or sent twice.

Each trial changes the audience (leavers, returners, newcomers, changed attributes), starts
``python -m actui send`` in a subprocess, kills it at a random moment (most trials once the run is
journaled, a few while it is still starting or planning), resumes, and checks the sandbox.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from actui.state import reset_engines
from actui.sync.models import SendRequest
from actui.sync.runner import resume_run, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import (
    Person,
    list_state,
    people,
    setup_destination,
    write_customers,
)

TRIALS = 20
ROOT = Path(__file__).resolve().parents[2]


def imports_per_email(dump: dict[str, Any]) -> Counter[str]:
    """How many bulk imports of the sandbox carried each email (by the contact ids they report)."""
    emails = {str(c["id"]): c["email"] for c in dump["contacts"]}
    counts: Counter[str] = Counter()
    for batch in dump["batches"]:
        for contact_id in batch["success"]:
            counts[emails[str(contact_id)]] += 1
        for email in batch["failure"]:
            counts[email.lower()] += 1
    return counts


def query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    try:
        db = sqlite3.connect(home / "state.db", timeout=5)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError:
        return []


def journal_at_kill(home: Path, known_runs: set[str]) -> dict[int, tuple[str, set[str]]]:
    """The killed run's batches: id -> (state, member emails)."""
    runs = {r for (r,) in query(home, "SELECT id FROM sync_runs")} - known_runs
    if not runs:
        return {}
    (run_id,) = runs
    found: dict[int, tuple[str, set[str]]] = {
        batch_id: (state, set())
        for batch_id, state in query(
            home, f"SELECT id, state FROM sync_batches WHERE run_id = '{run_id}'"
        )
    }
    for batch_id, email in query(
        home, "SELECT batch_id, email FROM sync_audience WHERE batch_id IS NOT NULL"
    ):
        if batch_id in found:
            found[batch_id][1].add(email)
    return found


def wait_for_new_run(home: Path, known_runs: set[str], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        runs = {r for (r,) in query(home, "SELECT id FROM sync_runs")}
        if runs - known_runs:
            return
        time.sleep(0.02)


def wait_for_batches(home: Path, known_runs: set[str], process: subprocess.Popen[bytes]) -> None:
    """Until the new run has journaled its first batch: the kill then lands while sending."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        if journal_at_kill(home, known_runs):
            return
        time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(
    sandbox_server: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    actui_home: Path,
    tmp_path: Path,
) -> None:
    randomness = random.Random(2026)
    sandbox = sandbox_server.sandbox
    monkeypatch.setenv("ACTUI_SEND_RATE", "400")
    monkeypatch.setenv("ACTUI_SEND_BULK_PER_MINUTE", "2400")
    setup_destination(monkeypatch, sandbox_server.url, sandbox_server.api_key)
    pool = people(3000)
    audience: list[Person] = pool[:500]
    fresh = iter(pool[500:])
    db_path = tmp_path / "c360.db"
    db = write_customers(db_path, audience)
    run_send(SendRequest(campaign="Members"), db)
    ever_sent = {p.email for p in audience}
    sandbox.set_batch_delay(0.05)
    sandbox.set_faults(latency_ms=5)

    started_all = time.monotonic()
    killed_while_sending = 0
    for trial in range(TRIALS):
        leavers = randomness.sample(audience, 60)
        returners = [p for p in pool if p.email in ever_sent and p not in audience][:5]
        audience = [p for p in audience if p not in leavers] + returners
        audience += [next(fresh) for _ in range(100)]
        for person in randomness.sample(audience, 60):
            person.tier = f"tier-{trial}"
        write_customers(db_path, audience)
        known_runs = {r for (r,) in query(actui_home, "SELECT id FROM sync_runs")}
        before_resume_dump: dict[str, Any]

        process = subprocess.Popen(
            [sys.executable, "-m", "actui", "send", "Members", "--db", db, "--json"],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if trial % 5 == 4:  # while starting or planning
            time.sleep(randomness.uniform(0.2, 2.0))
        elif trial % 5 == 3:  # once journaled, anywhere in planning or sending
            wait_for_new_run(actui_home, known_runs, process)
            time.sleep(randomness.uniform(0.0, 1.0))
        else:  # while its batches are in flight
            wait_for_batches(actui_home, known_runs, process)
            time.sleep(randomness.uniform(0.0, 0.15))
        process.send_signal(signal.SIGKILL)
        process.wait()
        at_kill = journal_at_kill(actui_home, known_runs)
        killed_while_sending += any(state != "confirmed" for state, _ in at_kill.values())
        before_resume_dump = sandbox.dump()

        reset_engines()
        try:
            summary = resume_run(db_url=db)
            assert summary.status == "completed", summary.message
        except Exception as error:  # killed before the run was journaled, or after it ended
            assert "no interrupted run" in str(error) or "stopped before" in str(error), error
            status = query(actui_home, "SELECT status FROM sync_runs ORDER BY started_at DESC")
            if not status or status[0][0] != "completed" or not at_kill:
                run_send(SendRequest(campaign="Members"), db)

        dump = sandbox.dump()
        state = list_state(dump)
        wanted = {p.email for p in audience}
        ever_sent |= wanted
        assert {e for e, s in state.items() if s == 1} == wanted, f"trial {trial}"
        assert {e for e, s in state.items() if s == 2} == ever_sent - wanted, f"trial {trial}"
        emails = [c["email"] for c in dump["contacts"]]
        assert len(emails) == len(set(emails)), "a contact was created twice"
        values = {c["email"]: c["field_values"] for c in dump["contacts"]}
        assert all(p.tier in values[p.email].values() for p in audience), f"trial {trial}"
        # the finished run's groups were recorded once, whole: its audience at send time
        (latest,) = query(
            actui_home,
            "SELECT id FROM sync_runs WHERE status = 'completed' ORDER BY started_at DESC LIMIT 1",
        )
        recorded = query(
            actui_home,
            "SELECT m.customer_key FROM result_members m JOIN result_groups g"
            f" ON g.id = m.group_id JOIN result_runs r ON r.run_id = g.run_id"
            f" WHERE g.run_id = '{latest[0]}' AND r.recorded_at IS NOT NULL",
        )
        assert sorted(int(key) for (key,) in recorded) == sorted(p.customer_id for p in audience), (
            f"trial {trial}"
        )
        before, after = imports_per_email(before_resume_dump), imports_per_email(dump)
        for batch_state, members in at_kill.values():
            if batch_state == "confirmed":
                for email in members:  # resume never re-sent a confirmed batch
                    assert after[email] == before[email], (trial, email)
    assert killed_while_sending >= TRIALS // 3, "the kills missed the sending phase"
    assert time.monotonic() - started_all < 90
