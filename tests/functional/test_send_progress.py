"""What a send reports while it runs: rows read and staged from the start, rate once measured,
each log line once, and batches numbered from 1 in every run."""

from __future__ import annotations

import re
from pathlib import Path

from actui.sync.models import Progress, SendRequest
from actui.sync.runner import run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import people, write_customers


def send(db: str) -> list[Progress]:
    reports: list[Progress] = []
    summary = run_send(SendRequest(campaign="Members"), db, on_progress=reports.append)
    assert summary.status == "completed"
    return reports


def batch_numbers(reports: list[Progress]) -> list[int]:
    lines = [line for report in reports for line in report.lines]
    return [int(n) for line in lines for n in re.findall(r"batch (\d+)", line)]


def test_progress_shows_reading_first_then_rate_and_each_line_once(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(3000))
    reports = send(db)

    before_first_batch = [report for report in reports if report.sent == 0]
    assert any(report.read > 0 and report.staged > 0 for report in before_first_batch)
    assert all(report.contacts_per_second is None for report in before_first_batch)
    assert all(report.eta_seconds is None for report in before_first_batch)
    assert reports[-1].read == 3000 and reports[-1].staged == 3000 == reports[-1].sent
    assert any(report.contacts_per_second for report in reports if report.sent)

    lines = [line for report in reports for line in report.lines]
    assert lines and len(lines) == len(set(lines))  # no line reported twice
    assert sorted(batch_numbers(reports)) == list(range(1, 13))  # 3,000 contacts: 12 imports


def test_batch_numbers_start_at_one_in_each_run(sandbox: RunningSandbox, tmp_path: Path) -> None:
    crowd = people(600)
    db = write_customers(tmp_path / "c360.db", crowd)
    first = batch_numbers(send(db))
    for person in crowd[:300]:
        person.tier = "platinum"
    db = write_customers(tmp_path / "c360.db", crowd)
    second = batch_numbers(send(db))
    assert sorted(first) == [1, 2, 3]
    assert sorted(second) == [1, 2]
