"""``actui demo --serve``: the demo's sandbox in one process, every command from others."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOLD = {
    "version": 1,
    "name": "Gold tier",
    "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
}


def command_env(home: Path, tmp_path: Path, keyring_backend: str) -> dict[str, str]:
    """Another terminal's environment: the same ACTUI_HOME and keyring, no env credential."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("ACTUI_AC_URL", "ACTUI_AC_KEY", "ACTUI_AC_NAME")
    }
    env.update(
        ACTUI_HOME=str(home),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        PYTHON_KEYRING_BACKEND=keyring_backend,
        PYTHONPATH=str(ROOT),
    )
    return env


class Terminal:
    """Runs ``actui`` commands as separate processes sharing one environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "actui", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "actui", *args],
            env=self.env,
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def json(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def serving(actui_home: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    backend = getattr(request, "param", "keyrings.alt.file.PlaintextKeyring")
    terminal = Terminal(command_env(actui_home, tmp_path, backend))
    process = terminal.start("demo", "--serve", "--json", "--rows", "400")
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line, process.stderr.read() if process.stderr else ""
        yield terminal, process, json.loads(first_line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    return process.returncode


@pytest.mark.slow
def test_every_command_reaches_the_served_demo_from_another_process(
    serving: Any, actui_home: Path, tmp_path: Path
) -> None:
    terminal, process, started = serving
    assert started == {
        "db_url": f"sqlite:///{actui_home / 'demo' / 'customer360.db'}",
        "sandbox_url": started["sandbox_url"],
        "destination": "demo",
    }
    assert started["sandbox_url"].startswith("http://127.0.0.1:")

    # the demo database is the default --db; the example segments are saved
    counted = terminal.json("count", "High-value loyal customers", "--json")
    assert counted["total"] == 400 and 0 < counted["customers"] < 400

    tested = terminal.run("destinations", "test", "demo")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "The API key works" in tested.stdout

    segment = tmp_path / "gold.json"
    segment.write_text(json.dumps(GOLD), encoding="utf-8")
    gold = terminal.json("count", str(segment), "--json")["contacts"]
    assert gold >= 10  # enough for a bulk import

    planned = terminal.json(
        "send", "--segment", str(segment), "--destination", "demo", "--dry-run", "--json"
    )
    assert planned["counts"]["subscribe"] == gold

    sent = terminal.json("send", "--segment", str(segment), "--destination", "demo", "--json")
    assert sent["status"] == "completed" and sent["sent"] == gold

    listed = terminal.json("runs", "--json")["runs"]
    # newest first: this send, then the sample campaign's recorded send of the demo
    assert listed[0]["run_id"] == sent["run_id"]
    assert listed[0]["targets"] == ["demo/actui demo"]

    # a second server is refused while this one runs
    again = terminal.run("demo", "--serve")
    assert again.returncode == 2 and "already running" in again.stderr

    # stopped and started again: same URL, same key, and the list still holds what was sent
    assert stop(process) == 0
    restarted = terminal.start("demo", "--serve", "--json")
    try:
        assert restarted.stdout is not None
        assert json.loads(restarted.stdout.readline())["sandbox_url"] == started["sandbox_url"]
        reread = terminal.json(
            "send",
            "--segment",
            str(segment),
            "--destination",
            "demo",
            "--dry-run",
            "--reconcile",
            "--json",
        )
        assert reread["counts"]["unchanged"] == gold and reread["counts"]["subscribe"] == 0
    finally:
        assert stop(restarted) == 0


@pytest.mark.slow
@pytest.mark.parametrize("serving", ["keyring.backends.fail.Keyring"], indirect=True)
def test_without_a_keyring_the_demo_key_is_kept_in_an_owner_only_file(
    serving: Any, actui_home: Path
) -> None:
    terminal, _process, _started = serving
    tested = terminal.run("destinations", "test", "demo")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    kept = actui_home / "demo" / "credential.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # a real account's key is never written there
    added = terminal.run(
        "credentials",
        "add",
        "prod",
        "--url",
        "https://x.api-us1.com",
        "--key-stdin",
        stdin="a-real-key\n",
    )
    assert added.returncode == 2 and "keyring" in added.stderr
    assert "prod" not in kept.read_text(encoding="utf-8")
