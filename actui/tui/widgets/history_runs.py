"""The table of past send runs: when, what, mode, status, counts and duration."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from actui.sync.models import RunInfo
from actui.tui.widgets.send_estimate import duration_words

STATUS_STYLES = {
    "completed": "green",
    "partial": "yellow",
    "failed": "red",
    "cancelled": "yellow",
    "sending": "cyan",
    "staging": "cyan",
}


def started_words(run: RunInfo) -> str:
    """The local start time, 'YYYY-MM-DD HH:MM'."""
    return datetime.fromtimestamp(run.started_at).strftime("%Y-%m-%d %H:%M")


def run_duration(run: RunInfo) -> str:
    if run.ended_at is None:
        return "—"
    return duration_words(max(0.0, run.ended_at - run.started_at))


class HistoryRuns(DataTable[str | Text]):
    """One row per run, newest first; the row key is the run id."""

    DEFAULT_CSS = "HistoryRuns { height: 1fr; }"

    def __init__(self, *, stable_output: bool = False, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.stable_output = stable_output

    def on_mount(self) -> None:
        self.add_columns(
            "Started",
            "Sent",
            "Mode",
            "Status",
            "Audience",
            "Sub.",
            "Upd.",
            "Unsub.",
            "Rej.",
            "Took",
        )

    def show_runs(self, runs: list[RunInfo]) -> None:
        """Replace the rows, keeping the cursor on the same run when it is still there."""
        current = self.current_run_id()
        self.clear()
        for run in runs:
            counts = run.counts
            what = f"{run.source_kind} {run.source_name}"
            self.add_row(
                "—" if self.stable_output else started_words(run),
                what,
                run.mode,
                Text(run.status, style=STATUS_STYLES.get(run.status, "")),
                f"{counts.audience:,}",
                f"{counts.subscribe:,}",
                f"{counts.update:,}",
                f"{counts.unsubscribe:,}",
                f"{counts.rejected:,}",
                "—" if self.stable_output else run_duration(run),
                key=run.run_id,
            )
        if current is not None:
            ids = [run.run_id for run in runs]
            if current in ids:
                self.move_cursor(row=ids.index(current))

    def current_run_id(self) -> str | None:
        """The run under the cursor."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return None if key.value is None else str(key.value)
