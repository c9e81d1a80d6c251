"""Progress of a run: contacts done of the total, rate, ETA, and the throttle's 429s and retries."""

from __future__ import annotations

import time
from collections.abc import Callable

from actui.activecampaign import ThrottleStats
from actui.sync.models import Progress

ProgressCallback = Callable[[Progress], None]

#: at most this many progress reports a second (the last one always goes out)
REPORTS_PER_SECOND = 10


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
        self.callback = callback
        self.started = time.monotonic()
        self._done_at_start = done
        self._last_report = 0.0
        self._last_line = ""
        self._stats: list[tuple[ThrottleStats, ThrottleStats]] = []

    def restart(self) -> None:
        """Measure the rate from now (after planning), from the contacts already done."""
        self.started = time.monotonic()
        self._done_at_start = self.done

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
        self.done += contacts
        self.rejected += rejected
        self._last_line = line
        self.report()

    def line(self, text: str) -> None:
        self._last_line = text
        self.report(force=True)

    def rate(self) -> float:
        elapsed = max(1e-6, time.monotonic() - self.started)
        return (self.done - self._done_at_start) / elapsed

    def snapshot(self) -> Progress:
        rate = self.rate()
        left = max(0, self.total - self.done)
        counters = self.counters()
        return Progress(
            run_id=self.run_id,
            sent=self.done,
            total=self.total,
            contacts_per_second=round(rate, 2),
            eta_seconds=(left / rate) if rate > 0 else (0.0 if left == 0 else None),
            rate_limited=counters.rate_limited,
            retries=counters.retries,
            last_line=self._last_line,
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
