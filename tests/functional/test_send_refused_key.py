"""A key refused in the middle of a send stops it at once, names the credential, and resumes."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from actui.cli import cli
from actui.sync.driving import KeyRefused
from actui.sync.models import SendRequest
from actui.sync.runner import get_run, resume_run, run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import people, subscribed, write_customers


def answered_403(sandbox: RunningSandbox) -> int:
    return int(sandbox.sandbox.dump()["requests"]["by_status"].get("403", 0))


def test_a_key_revoked_mid_send_stops_it_at_the_first_403_and_the_run_resumes(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ACTUI_SEND_BULK_PER_MINUTE", "240")
    crowd = people(4000)
    db = write_customers(tmp_path / "c360.db", crowd)
    sandbox.sandbox.set_batch_delay(0.1)
    key = sandbox.sandbox.account.api_key
    outcome: dict[str, BaseException] = {}

    def send() -> None:
        try:
            run_send(SendRequest(campaign="Members"), db)
        except BaseException as error:
            outcome["error"] = error

    sending = threading.Thread(target=send)
    sending.start()
    deadline = time.monotonic() + 30
    while len(sandbox.sandbox.dump()["batches"]) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    sandbox.sandbox.account.api_key = "revoked-" + key  # revoked in the account's settings
    sending.join(60)

    error = outcome["error"]
    assert isinstance(error, KeyRefused)
    text = str(error)
    assert "refused the API key of credential 'env'" in text
    assert "actui credentials add env --url URL" in text and "actui send --resume" in text
    assert key not in text
    # no retry storm: one refusal per request already on its way, never one per batch
    assert answered_403(sandbox) <= 8
    imported = len(sandbox.sandbox.dump()["batches"])
    assert imported < 16  # stopped well before the 16 imports of the audience

    (run_id,) = [r for (r,) in query_runs(tmp_path)]
    summary = get_run(run_id)
    assert summary.status in ("failed", "staging") and "credential 'env'" in (summary.message or "")

    sandbox.sandbox.account.api_key = key  # the key stored again
    finished = resume_run(run_id, db_url=db)
    assert finished.status == "completed", finished.message
    assert subscribed(sandbox.sandbox.dump()) == {p.email for p in crowd}


def query_runs(tmp_path: Path) -> list[tuple[str]]:
    with sqlite3.connect(tmp_path / "actui-home" / "state.db") as state:
        return state.execute("SELECT id FROM sync_runs").fetchall()


def test_send_cli_names_the_refused_credential_with_exit_2(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(20))
    sandbox.sandbox.account.api_key = "revoked"

    sent = CliRunner().invoke(cli, ["send", "Members", "--db", db, "--json"])

    assert sent.exit_code == 2
    assert "refused the API key of credential 'env'" in sent.stderr
    assert "Traceback" not in sent.output
    assert answered_403(sandbox) == 1
    # refused at its first request, the new run staged nothing and was dropped: the message
    # says to send again, not to resume a run that no longer exists
    assert "send again" in sent.stderr and "--resume" not in sent.stderr
    assert json.loads(CliRunner().invoke(cli, ["runs", "--json"]).stdout)["runs"] == []
