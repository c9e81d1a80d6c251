"""The history screen: past runs with counts and durations, their rejected emails, and resume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from actui.errors import ActuiError
from actui.sync.models import RESUMABLE, RejectedRow, RunInfo
from actui.tui.actions import HISTORY_ACTIONS, bindings
from actui.tui.widgets.history_rejected import HistoryRejected
from actui.tui.widgets.history_runs import HistoryRuns
from actui.tui.widgets.mode_bar import ModeBar
from actui.tui.widgets.run_tracker import run_tracker
from actui.wording import plural

if TYPE_CHECKING:
    from actui.tui.services import Services


@dataclass
class RunsLoaded(Message):
    """The runs were read from the journal."""

    runs: list[RunInfo]


@dataclass
class RejectedLoaded(Message):
    """A run's rejected emails were read."""

    run: RunInfo
    rows: list[RejectedRow]


class HistoryScreen(Screen[None]):
    """Runs on top (newest first), the chosen run's rejected emails below."""

    DEFAULT_CSS = """
    HistoryScreen #history-hint { height: 1; padding: 0 1; color: $text-muted; }
    HistoryScreen HistoryRuns { height: 1fr; }
    HistoryScreen HistoryRejected { height: 1fr; border-top: hkey $primary-darken-2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [*bindings(HISTORY_ACTIONS)]

    def __init__(self, services: Services) -> None:
        super().__init__(name="History")
        self.services = services
        self.runs: list[RunInfo] = []

    def compose(self) -> ComposeResult:
        yield ModeBar("history")
        yield Static("", id="history-hint")
        yield HistoryRuns(stable_output=self.services.stable_output, id="history-runs")
        yield HistoryRejected(id="history-rejected")
        yield Footer()

    def on_screen_resume(self) -> None:
        """Read the runs each time the screen is shown (the first time included)."""
        self.load_runs()

    @work(thread=True, exclusive=True, group="history-runs", exit_on_error=False)
    def load_runs(self) -> None:
        """Read the run journal off the UI thread."""
        from actui.sync.runner import list_runs

        try:
            runs = list_runs()
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.post_message(RunsLoaded(runs))

    def on_runs_loaded(self, message: RunsLoaded) -> None:
        self.runs = message.runs
        self.query_one(HistoryRuns).show_runs(message.runs)
        active = run_tracker(self.app).active()
        hint = f"{plural(len(message.runs), 'run')}."
        if active:
            hint += f" A send is running: {active[-1].title} (F7 shows it)."
        elif not message.runs:
            hint = "No runs yet: send a campaign (F9 in Campaigns) or a segment."
        self.query_one("#history-hint", Static).update(hint)

    def _current(self) -> RunInfo | None:
        run_id = self.query_one(HistoryRuns).current_run_id()
        return next((run for run in self.runs if run.run_id == run_id), None)

    def _label(self, run: RunInfo) -> str:
        if self.services.stable_output:
            return f"{run.source_kind} {run.source_name}"
        return f"Run {run.run_id} ({run.source_kind} {run.source_name})"

    @on(DataTable.RowSelected, "#history-runs")
    def _row_selected(self) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        run = self._current()
        if run is not None:
            self.load_rejected(run)

    @work(thread=True, exclusive=True, group="history-rejected", exit_on_error=False)
    def load_rejected(self, run: RunInfo) -> None:
        from actui.sync.runner import rejected_rows

        try:
            rows = rejected_rows(run.run_id)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.post_message(RejectedLoaded(run, rows))

    def on_rejected_loaded(self, message: RejectedLoaded) -> None:
        run = message.run
        if self.services.stable_output and run.message:  # run ids hold the time: hide them
            run = run.model_copy(update={"message": run.message.replace(run.run_id, "RUN-ID")})
        self.query_one(HistoryRejected).show_rejected(run, message.rows, label=self._label(run))

    def action_resume(self) -> None:
        """Finish an interrupted run from its journal, following it in the send modal."""
        from actui.tui.screens.send import SendScreen

        run = self._current()
        if run is None:
            return
        if run.status not in RESUMABLE:
            self.notify(f"This run is {run.status}; only an interrupted run can be resumed.")
            return
        if any(t.run_id == run.run_id for t in run_tracker(self.app).active()):
            self.notify("That run is still sending; F7 shows it.")
            return
        self.app.push_screen(SendScreen(self.services, resume_run_id=run.run_id), self._after_send)

    def _after_send(self, _: None) -> None:
        self.load_runs()

    def action_refresh_runs(self) -> None:
        self.load_runs()
