"""Progress of a run: rows read, contacts staged and sent, rate, ETA, 429s and retries, log lines.

Each report carries the log lines written since the previous one (never a line twice), and the
rate and ETA only once a first batch is confirmed (before that there is nothing to measure).
Batches are numbered from 1 in each run, in the order the log first names them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from actui.activecampaign import ThrottleStats
from actui.sync.models import Progress

ProgressCallback = Callable[[Progress], None]

#: at most this many progress reports a second (the last one always goes out)
REPORTS_PER_SECOND = 10
#: log lines a report carries at most (older ones of a burst are dropped)
MAX_PENDING_LINES = 200


class ProgressTracker:
    """Counts confirmed contacts and reports at a bounded rate to an optional callback."""

    def __init__(
        self,
        run_id: str,
        total: int,
        done: int = 0,
        callback: ProgressCallback | None = None,
    ) -> None:
        self.run_id = run_id
        self.total = total
        self.done = done
        self.rejected = 0
        #: audience rows read and contacts staged to send so far (while the audience is read)
        self.read = 0
        self.staged = 0
        self.callback = callback
        self.started = time.monotonic()
        self._done_at_start = done
        self._last_report = 0.0
        self._last_line = ""
        self._new_lines: list[str] = []
        self._batch_numbers: dict[int, int] = {}
        self._first_confirmed: float | None = None
        self._done_at_first = done
        self._stats: list[tuple[ThrottleStats, ThrottleStats]] = []

    def restart(self) -> None:
        """Measure the rate from now (after planning), from the contacts already done."""
        self.started = time.monotonic()
        self._done_at_start = self.done
        self._first_confirmed = None

    def batch(self, batch_id: int) -> str:
        """'batch N': the journal's batch as this run numbers it, from 1."""
        number = self._batch_numbers.setdefault(batch_id, len(self._batch_numbers) + 1)
        return f"batch {number}"

    def reading(self, rows: int, staged: int) -> None:
        """The audience reader's figures: rows read and contacts staged to send so far.

        Reported at once (a chunk at a time, so a few a second at most): they are what the
        screen has to show before the first batch is confirmed.
        """
        self.read = rows
        self.staged = staged
        self.report(force=True)

    def watch(self, stats: ThrottleStats) -> None:
        """Count this throttle's 429s and retries from now on."""
        snapshot = ThrottleStats(**vars(stats))
        self._stats.append((stats, snapshot))

    def counters(self) -> ThrottleStats:
        """Requests, 429s and retries since :meth:`watch` (over every watched throttle)."""
        total = ThrottleStats()
        for live, start in self._stats:
            total.requests += live.requests - start.requests
            total.rate_limited += live.rate_limited - start.rate_limited
            total.unavailable += live.unavailable - start.unavailable
            total.retries += live.retries - start.retries
            total.waits += live.waits - start.waits
            total.waited_seconds += live.waited_seconds - start.waited_seconds
        return total

    def advance(self, contacts: int, line: str, rejected: int = 0) -> None:
        """A batch was confirmed: ``contacts`` more done."""
        if self._first_confirmed is None:
            # the rate is measured from the first confirmation on; before it, nothing to measure
            self._first_confirmed = time.monotonic()
            self._done_at_first = self.done
        self.done += contacts
        self.rejected += rejected
        self._add_line(line)
        self.report()

    def line(self, text: str) -> None:
        self._add_line(text)
        self.report(force=True)

    def _add_line(self, text: str) -> None:
        self._last_line = text
        self._new_lines.append(text)
        if len(self._new_lines) > MAX_PENDING_LINES:
            del self._new_lines[: len(self._new_lines) - MAX_PENDING_LINES]

    def rate(self) -> float | None:
        """Contacts a second since the first confirmed batch (None before a second one lands)."""
        if self._first_confirmed is None:
            return None
        elapsed = time.monotonic() - self._first_confirmed
        measured = self.done - self._done_at_first
        if elapsed <= 0 or measured <= 0:
            return None
        return measured / elapsed

    def snapshot(self) -> Progress:
        """The figures now, with the log lines written since the previous snapshot."""
        rate = self.rate()
        left = max(0, self.total - self.done)
        counters = self.counters()
        lines, self._new_lines = self._new_lines, []
        return Progress(
            run_id=self.run_id,
            sent=self.done,
            total=self.total,
            read=self.read,
            staged=self.staged,
            contacts_per_second=round(rate, 2) if rate is not None else None,
            eta_seconds=(left / rate) if rate else (0.0 if left == 0 and self.done else None),
            rate_limited=counters.rate_limited,
            retries=counters.retries,
            last_line=self._last_line,
            lines=lines,
        )

    def report(self, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if (
            not force
            and self.done < self.total
            and now - self._last_report < 1 / REPORTS_PER_SECOND
        ):
            return
        self._last_report = now
        self.callback(self.snapshot())
