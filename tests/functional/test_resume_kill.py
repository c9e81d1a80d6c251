"""Kill anywhere: sends and resumes SIGKILLed at random points, outages, resumes racing each other.

Each trial changes the audience (leavers, returners, newcomers, changed attributes), starts
``python -m actui send`` in a subprocess and kills it at a random moment (most trials once the
run is journaled, a few while it is still starting or planning). Then, by trial:

* an outage: the sandbox stops, a resume fails on it (exit 2, the run kept), and the sandbox is
  restarted from its saved state on the same port, as ``actui sandbox --state`` does;
* the resume is killed too, at a random moment;
* two resumes of the run start at once: one finishes it, the other waits (``--wait``) or exits 2.

Resumes then finish the run. Every trial checks that the run is kept until it completes (0 runs
lost), ends exact after at most ``MAX_RESUMES`` resumes, and that no contact of a batch confirmed
at any kill was posted again.
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
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from actui.sandbox import Sandbox, SandboxServer
from actui.state import reset_engines
from actui.sync.locks import process_start
from actui.sync.models import SendRequest
from actui.sync.runner import resume_run, run_send
from tests.functional.test_send_support import (
    Person,
    list_state,
    people,
    setup_destination,
    write_customers,
)

TRIALS = 30
#: resumes (failed, killed, racing or not) a run may take before it must be complete
MAX_RESUMES = 6
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


def new_run(home: Path, known_runs: set[str]) -> str | None:
    runs = {r for (r,) in query(home, "SELECT id FROM sync_runs")} - known_runs
    return runs.pop() if runs else None


def status_of(home: Path, run_id: str) -> str | None:
    found = query(home, f"SELECT status FROM sync_runs WHERE id = '{run_id}'")
    return str(found[0][0]) if found else None


def confirmed_members(home: Path, run_id: str | None) -> set[str]:
    """Emails in the run's batches confirmed so far."""
    if run_id is None:
        return set()
    return {
        email
        for (email,) in query(
            home,
            "SELECT a.email FROM sync_audience a JOIN sync_batches b ON b.id = a.batch_id"
            f" WHERE b.run_id = '{run_id}' AND b.state = 'confirmed'",
        )
    }


def unconfirmed_batches(home: Path, run_id: str | None) -> int:
    if run_id is None:
        return 0
    return int(
        query(
            home,
            f"SELECT COUNT(*) FROM sync_batches WHERE run_id = '{run_id}' AND state != 'confirmed'",
        )[0][0]
    )


def wait_until(condition: Any, process: subprocess.Popen[bytes], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None and not condition():
        time.sleep(0.01)


def actui(*args: str, capture: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "actui", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


class Account:
    """The sandbox on one port: stopped, then restarted from its saved state like ``--state``."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.sandbox = Sandbox.create(limits="off")
        self.api_key = self.sandbox.account.api_key
        self.server = SandboxServer(self.sandbox).start()
        self.port = self.server.port
        self.url = self.server.url

    def outage(self) -> None:
        self.server.stop()
        self.sandbox.save(self.state_file)

    def restart(self) -> None:
        self.sandbox = Sandbox.load(self.state_file, api_key=self.api_key, limits="off")
        self.steady()
        self.server = SandboxServer(self.sandbox, port=self.port).start()

    def steady(self) -> None:
        self.sandbox.set_batch_delay(0.05)
        self.sandbox.set_faults(latency_ms=5)

    def stop(self) -> None:
        self.server.stop()


class Kills:
    """Each kill's confirmed batch members, with how often each was imported at that moment."""

    def __init__(self) -> None:
        self.seen: list[tuple[set[str], Counter[str]]] = []

    def record(self, home: Path, run_id: str | None, dump: dict[str, Any]) -> None:
        self.seen.append((confirmed_members(home, run_id), imports_per_email(dump)))

    def check(self, dump: dict[str, Any], trial: int) -> None:
        after = imports_per_email(dump)
        for members, before in self.seen:
            for email in members:  # nothing re-posted a batch confirmed at a kill
                assert after[email] == before[email], (trial, email)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_kill_anywhere_then_resume(
    monkeypatch: pytest.MonkeyPatch, actui_home: Path, tmp_path: Path
) -> None:
    randomness = random.Random(2026)
    account = Account(tmp_path / "sandbox-state.json")
    try:
        run_trials(randomness, account, monkeypatch, actui_home, tmp_path)
    finally:
        account.stop()


def run_trials(
    randomness: random.Random,
    account: Account,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ACTUI_SEND_RATE", "400")
    monkeypatch.setenv("ACTUI_SEND_BULK_PER_MINUTE", "2400")
    setup_destination(monkeypatch, account.url, account.api_key)
    pool = people(4000)
    audience: list[Person] = pool[:500]
    fresh = iter(pool[500:])
    db_path = tmp_path / "c360.db"
    db = write_customers(db_path, audience)
    run_send(SendRequest(campaign="Members"), db)
    ever_sent = {p.email for p in audience}
    account.steady()

    started_all = time.monotonic()
    killed_while_sending = outages = resumes_killed = races = 0
    for trial in range(TRIALS):
        leavers = randomness.sample(audience, 60)
        returners = [p for p in pool if p.email in ever_sent and p not in audience][:5]
        audience = [p for p in audience if p not in leavers] + returners
        audience += [next(fresh) for _ in range(100)]
        for person in randomness.sample(audience, 60):
            person.tier = f"tier-{trial}"
        write_customers(db_path, audience)
        known_runs = {r for (r,) in query(home, "SELECT id FROM sync_runs")}
        kills = Kills()

        process = actui("send", "Members", "--db", db, "--json")
        if trial % 5 == 4:  # while starting or planning
            time.sleep(randomness.uniform(0.2, 2.0))
        elif trial % 5 == 3:  # once journaled, anywhere in planning or sending
            wait_until(partial(new_run, home, known_runs), process)
            time.sleep(randomness.uniform(0.0, 1.0))
        else:  # while its batches are in flight
            wait_until(partial(has_batches, home, known_runs), process)
            time.sleep(randomness.uniform(0.0, 0.15))
        kill(process)
        run_id = new_run(home, known_runs)
        killed_while_sending += unconfirmed_batches(home, run_id) > 0
        kills.record(home, run_id, account.sandbox.dump())
        resumes = 0

        if run_id is not None and trial % 3 == 1:  # an outage: the resume fails, the run stays
            finished = status_of(home, run_id) == "completed"  # killed after its end
            account.outage()
            failing = actui("send", "--resume", run_id, "--db", db, "--json", capture=True)
            _, errors = failing.communicate(timeout=60)
            resumes += 1
            assert failing.returncode == (0 if finished else 2), (trial, errors)
            assert b"Traceback" not in errors, errors
            assert status_of(home, run_id) is not None, f"trial {trial}: the run was lost"
            account.restart()
            outages += 1
        if run_id is not None and trial % 3 == 2:  # the resume is killed too
            resuming = actui("send", "--resume", run_id, "--db", db, "--json")
            time.sleep(randomness.uniform(0.3, 1.5))
            kill(resuming)
            resumes += 1
            resumes_killed += 1
            assert status_of(home, run_id) is not None, f"trial {trial}: the run was lost"
            kills.record(home, run_id, account.sandbox.dump())
        # two resumes at once (of a run not finished already)
        if run_id is not None and trial % 4 == 0 and status_of(home, run_id) != "completed":
            wait = ("--wait",) if trial % 8 == 0 else ()
            pair = [
                actui("send", "--resume", run_id, "--db", db, "--json", *wait, capture=True)
                for _ in range(2)
            ]
            outcomes = [(p.communicate(timeout=120)[1], p.returncode)[::-1] for p in pair]
            resumes += 2
            races += 1
            codes = sorted(code for code, _ in outcomes)
            assert codes[0] == 0, (trial, outcomes)
            for code, errors in outcomes:
                assert b"Traceback" not in errors, errors
                if code != 0:
                    assert code == 2, (trial, outcomes)
                    assert b"is being sent by process" in errors, errors

        reset_engines()
        if run_id is None:  # killed before the run was journaled
            with pytest.raises(Exception, match="no interrupted run"):
                resume_run(db_url=db)
            run_send(SendRequest(campaign="Members"), db)
        while status_of(home, run_id or "") not in (None, "completed"):
            resumes += 1
            assert resumes <= MAX_RESUMES, f"trial {trial}: not complete after {resumes} resumes"
            assert resume_run(run_id, db_url=db).status == "completed"
        if run_id is not None:
            assert status_of(home, run_id) == "completed", f"trial {trial}: the run was lost"

        dump = account.sandbox.dump()
        state = list_state(dump)
        wanted = {p.email for p in audience}
        ever_sent |= wanted
        assert {e for e, s in state.items() if s == 1} == wanted, f"trial {trial}"
        assert {e for e, s in state.items() if s == 2} == ever_sent - wanted, f"trial {trial}"
        emails = [c["email"] for c in dump["contacts"]]
        assert len(emails) == len(set(emails)), "a contact was created twice"
        values = {c["email"]: c["field_values"] for c in dump["contacts"]}
        assert all(p.tier in values[p.email].values() for p in audience), f"trial {trial}"
        kills.check(dump, trial)
        statuses = {s for (s,) in query(home, "SELECT status FROM sync_runs")}
        assert statuses == {"completed"}, f"trial {trial}: {statuses}"
        held = [pid for (pid,) in query(home, "SELECT pid FROM sync_locks")]
        assert all(process_start(pid) == "dead" for pid in held), f"trial {trial}: {held}"

    assert killed_while_sending >= TRIALS // 3, "the kills missed the sending phase"
    assert min(outages, resumes_killed, races) >= 4, (outages, resumes_killed, races)
    assert time.monotonic() - started_all < 400  # about 150 s on two busy cores


def has_batches(home: Path, known_runs: set[str]) -> bool:
    """Whether the new run has journaled its first batch: the kill then lands while sending."""
    run_id = new_run(home, known_runs)
    if run_id is None:
        return False
    return bool(query(home, f"SELECT 1 FROM sync_batches WHERE run_id = '{run_id}' LIMIT 1"))
