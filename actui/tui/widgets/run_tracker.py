"""The app-wide registry of send runs, so a run outlives the screen that started it."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from textual.app import App
from textual.worker import Worker

#: How many log lines a run keeps for the live log (older ones are dropped).
LOG_LIMIT = 2000


class RunState(StrEnum):
    """Where a tracked run stands."""

    RUNNING = "running"
    FINISHED = "finished"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_over(self) -> bool:
        return self is not RunState.RUNNING


@dataclass
class TrackedRun:
    """One send in progress or just ended: its figures, its log and the event that cancels it.

    The send job updates the figures from its progress callback (from any thread); screens read
    them on a timer, so a fast send never floods the message queue.
    """

    key: int
    title: str
    total: int = 0
    done: int = 0
    throttled: int = 0
    retries: int = 0
    rejected: int = 0
    #: audience rows read and contacts staged to send, while the audience is read
    read: int = 0
    staged: int = 0
    #: the send's own rate and ETA: None until its first batch is confirmed
    measured_rate: float | None = None
    measured_eta: float | None = None
    run_id: str | None = None
    state: RunState = RunState.RUNNING
    error: BaseException | None = None
    result: Any = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    log: list[str] = field(default_factory=list)
    log_dropped: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_log(self, line: str) -> None:
        """Append a line to the live log (thread-safe; keeps the last LOG_LIMIT lines)."""
        with self._lock:
            self.log.append(line)
            if len(self.log) > LOG_LIMIT:
                excess = len(self.log) - LOG_LIMIT
                del self.log[:excess]
                self.log_dropped += excess

    def log_since(self, seen: int) -> tuple[list[str], int]:
        """Lines added after the first ``seen`` ever logged, and the new count seen."""
        with self._lock:
            total = self.log_dropped + len(self.log)
            start = max(0, seen - self.log_dropped)
            return self.log[start:], total

    def elapsed(self) -> float:
        """Seconds since the run started (frozen when it ended)."""
        return (self.ended or time.monotonic()) - self.started

    def rate(self) -> float | None:
        """Contacts sent per second, as the send measures it (None before a first batch)."""
        if self.state.is_over:
            elapsed = self.elapsed()
            return self.done / elapsed if elapsed > 0 else 0.0
        return self.measured_rate

    def eta_seconds(self) -> float | None:
        """Seconds left at the current rate, or None while it is unknown."""
        if self.state.is_over or self.measured_rate is None:
            return None
        return self.measured_eta

    def cancel(self) -> None:
        """Ask the send to stop after its current batch; the journal lets it resume later."""
        self.cancel_event.set()
        self.add_log("Cancelling after the current batch; resume it from History.")

    def finish(
        self, state: RunState, *, result: Any = None, error: BaseException | None = None
    ) -> None:
        self.state = state
        self.result = result
        self.error = error
        self.ended = time.monotonic()


#: A send job: given its tracked run, does the work (async or in a thread) and returns a result.
SendJob = Callable[[TrackedRun], Awaitable[Any]]
#: Decides the end state from the job's result (e.g. PARTIAL when some emails were rejected).
ResultJudge = Callable[[Any], RunState]


class RunTracker:
    """Every send started in this app, newest last; each runs in an app-level worker."""

    def __init__(self) -> None:
        self.runs: list[TrackedRun] = []
        self._workers: dict[int, Worker[Any]] = {}
        self._next_key = 1

    def start(
        self,
        app: App[Any],
        title: str,
        job: SendJob,
        judge: ResultJudge | None = None,
    ) -> TrackedRun:
        """Start ``job`` in a worker owned by the app (so closing a screen never stops it)."""
        run = TrackedRun(key=self._next_key, title=title)
        self._next_key += 1
        self.runs.append(run)

        async def work() -> None:
            try:
                result = await job(run)
            except asyncio.CancelledError:
                run.finish(RunState.CANCELLED)
                raise
            except Exception as error:  # shown to the user as words; the journal keeps the rest
                run.add_log(f"Failed: {error}")
                run.finish(RunState.FAILED, error=error)
                return
            state = judge(result) if judge else RunState.FINISHED
            if run.cancel_event.is_set() and state is RunState.FINISHED:
                state = RunState.CANCELLED
            run.finish(state, result=result)

        self._workers[run.key] = app.run_worker(
            work(), name=f"send-{run.key}", group="send", exit_on_error=False
        )
        return run

    def active(self) -> list[TrackedRun]:
        """Runs still going."""
        return [run for run in self.runs if not run.state.is_over]

    def latest(self) -> TrackedRun | None:
        return self.runs[-1] if self.runs else None

    def get(self, key: int) -> TrackedRun | None:
        return next((run for run in self.runs if run.key == key), None)

    def cancel_all(self) -> None:
        """Set every running send's cancel event (for a clean quit)."""
        for run in self.active():
            if not run.cancel_event.is_set():
                run.cancel()


_trackers: weakref.WeakKeyDictionary[App[Any], RunTracker] = weakref.WeakKeyDictionary()


def run_tracker(app: App[Any]) -> RunTracker:
    """The app's run tracker, created on first use."""
    tracker = _trackers.get(app)
    if tracker is None:
        tracker = _trackers[app] = RunTracker()
    return tracker
