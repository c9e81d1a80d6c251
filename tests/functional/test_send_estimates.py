"""A dry run's estimate holds: the send then makes as many requests and takes as long, ±20 %.

The sandbox runs in a process of its own, as ActiveCampaign would: its work is not the sender's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actui.sync.models import SendLimits, SendRequest
from actui.sync.runner import dry_run, run_send
from tests.functional.test_send_support import people, setup_destination, write_customers

TOLERANCE = 0.2


@pytest.fixture
def sandbox_process(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """``actui sandbox --limits LIMITS`` in its own process: its URL and API key."""
    limits: str = request.param
    process = subprocess.Popen(
        [sys.executable, "-m", "actui", "sandbox", "--limits", limits, "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("}"):
            line = process.stdout.readline()
            assert line, "the sandbox stopped before printing its URL"
            lines.append(line)
        yield {**json.loads("".join(lines)), "limits": limits}
    finally:
        process.terminate()
        process.wait(timeout=10)


def limits_of(spec: str) -> SendLimits:
    factor = float(spec[1:]) if spec.startswith("x") else 1.0
    return SendLimits(rate=5 * factor, bulk_per_minute=100 * factor)


@pytest.mark.parametrize(
    ("contacts", "sandbox_process"),
    [(5, "real"), (10_000, "x20"), (50_000, "x20")],
    indirect=["sandbox_process"],
    ids=["tiny", "10k-x20", "50k-x20"],
)
def test_the_dry_run_estimate_holds(
    contacts: int,
    sandbox_process: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup_destination(monkeypatch, sandbox_process["url"], sandbox_process["api_key"])
    db = write_customers(tmp_path / "c360.db", people(contacts))
    limits = limits_of(sandbox_process["limits"])
    request = SendRequest(campaign="Members")

    estimate = dry_run(request, db, limits=limits)
    summary = run_send(request, db, limits=limits)

    assert summary.status == "completed" and summary.sent == contacts
    # list lookup and creation, its first read, custom fields, exclusions, imports and polls
    assert abs(summary.requests - estimate.requests) <= TOLERANCE * summary.requests, (
        estimate.requests,
        summary.requests,
    )
    seconds = summary.duration_seconds
    assert abs(seconds - estimate.estimated_seconds) <= TOLERANCE * seconds, (
        estimate.estimated_seconds,
        seconds,
    )
