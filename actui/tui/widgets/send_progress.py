"""The live view of a tracked send: progress bar, contacts/s, ETA, 429s and retries, and its log."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, RichLog, Static

from actui.tui.widgets.run_tracker import RunState, TrackedRun
from actui.tui.widgets.send_estimate import duration_words

STATE_WORDS = {
    RunState.RUNNING: "Sending",
    RunState.FINISHED: "Sent",
    RunState.PARTIAL: "Sent, with rejected emails",
    RunState.FAILED: "Failed",
    RunState.CANCELLED: "Cancelled (resume it from History)",
}


#: a run id (it holds the time it started): hidden when the output must not vary between runs
RUN_ID = re.compile(r"\b\d{8}T\d{6}-[0-9a-f]{6}\b")


def stats_line(run: TrackedRun, *, timings: bool = True) -> str:
    """'read 5,200 · staged 5,000 · sent 1,200 / 5,000 · 300/s · ETA 13 s · 429s 0 · retries 0'.

    Rows read and contacts staged show from the first second; the rate and ETA once a first
    batch is confirmed. Without ``timings``, the figures that depend on the machine are left out.
    """
    eta = run.eta_seconds()
    rate = run.rate()
    sent = f"sent {run.done:,} / {run.total:,}" if run.total else f"sent {run.done:,}"
    parts = [
        f"read {run.read:,} · staged {run.staged:,}",
        sent,
        f"{rate:,.0f}/s" if rate is not None else "—/s",
        f"ETA {duration_words(eta)}" if eta is not None else "ETA —",
        f"429s {run.throttled:,}",
        f"retries {run.retries:,}",
    ]
    if run.state.is_over:
        parts[3] = f"took {duration_words(run.elapsed())}"
    if not timings:
        del parts[2:4]
    return " · ".join(parts)


class SendProgress(Vertical):
    """Follows one :class:`TrackedRun` on a timer (4 times a second) while it is shown."""

    DEFAULT_CSS = """
    SendProgress { height: 1fr; }
    SendProgress > #send-state { text-style: bold; height: 1; }
    SendProgress > ProgressBar { height: 1; margin: 1 0; }
    SendProgress > #send-stats { height: 1; }
    SendProgress > RichLog { height: 1fr; min-height: 3; border: round $primary-darken-2; }
    """

    def __init__(self, run: TrackedRun, *, show_stats: bool = True, stable: bool = False) -> None:
        super().__init__()
        self.run = run
        self.show_stats = show_stats
        #: the same screen on every run: no timings, no run ids (screenshots and snapshots)
        self.stable = stable
        self._seen_lines = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="send-state")
        yield ProgressBar(total=None, show_eta=False, id="send-bar")
        yield Static("", id="send-stats")
        yield RichLog(wrap=True, markup=False, id="send-log", max_lines=2000)

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.25, self.refresh_view)
        self.refresh_view()

    def refresh_view(self) -> None:
        """Copy the run's figures and new log lines to the screen."""
        run = self.run
        state_text = STATE_WORDS[run.state]
        if run.state is RunState.FAILED and run.error is not None:
            state_text = f"Failed: {run.error}"
        self.query_one("#send-state", Static).update(f"{state_text}: {run.title}")
        bar = self.query_one(ProgressBar)
        if run.total:
            bar.update(total=run.total, progress=run.done)
        elif run.state.is_over:
            bar.update(total=1, progress=1)
        if self.show_stats:
            self.query_one("#send-stats", Static).update(stats_line(run, timings=not self.stable))
        lines, self._seen_lines = run.log_since(self._seen_lines)
        log = self.query_one(RichLog)
        for line in lines:
            log.write(RUN_ID.sub("RUN", line) if self.stable else line)
        if run.state.is_over:
            self._timer.stop()
