"""The table of past send runs: when, what, status, counts, duration, audience and mode.

The columns come by priority: at 80 columns everything up to the duration is on screen (the
start time drops its year and the name of what was sent is shortened), and the audience and the
mode are a horizontal scroll away.
"""

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


#: below this width the start time drops its year and long names are shortened
NARROW = 100

#: the columns, by priority, and the width every column but "Sent" needs at most
COLUMNS = (
    "Started",
    "Sent",
    "Status",
    "Sub.",
    "Upd.",
    "Unsub.",
    "Rej.",
    "Took",
    "Audience",
    "Mode",
)
SHORTEST_SENT = 12


def started_words(run: RunInfo, narrow: bool = False) -> str:
    """The local start time, 'YYYY-MM-DD HH:MM' ('MM-DD HH:MM' when ``narrow``)."""
    return datetime.fromtimestamp(run.started_at).strftime(
        "%m-%d %H:%M" if narrow else "%Y-%m-%d %H:%M"
    )


def shortened(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in '…' when cut."""
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


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
        self.runs: list[RunInfo] = []
        #: the layout the rows were made for: narrow or not, and the width "Sent" was cut to
        self._shown_layout: tuple[bool, int] | None = None

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)  # widths follow the content once runs are shown

    def on_resize(self) -> None:
        if self.runs and self._layout(self.runs) != self._shown_layout:
            self.show_runs(self.runs)

    def _layout(self, runs: list[RunInfo]) -> tuple[bool, int]:
        """Whether the table is narrow, and how wide "Sent" may be then (0: as wide as needed)."""
        width = self.size.width or self.app.size.width
        if width >= NARROW or not runs:
            return (False, 0)
        rows = [self._cells(run, True) for run in runs]
        # "Sent" takes what the columns up to "Took" leave (two cells of padding each)
        others = sum(
            max(len(COLUMNS[index]), *(len(str(row[index])) for row in rows)) + 2
            for index in range(len(COLUMNS[:8]))
            if index != 1
        )
        return (True, max(SHORTEST_SENT, width - others - 2 - 2))  # its padding, a scrollbar

    def _cells(self, run: RunInfo, narrow: bool) -> list[str | Text]:
        counts = run.counts
        return [
            "—" if self.stable_output else started_words(run, narrow),
            f"{run.source_kind} {run.source_name}",
            Text(run.status, style=STATUS_STYLES.get(run.status, "")),
            f"{counts.subscribe:,}",
            f"{counts.update:,}",
            f"{counts.unsubscribe:,}",
            f"{counts.rejected:,}",
            "—" if self.stable_output else run_duration(run),
            f"{counts.audience:,}",
            run.mode,
        ]

    def show_runs(self, runs: list[RunInfo]) -> None:
        """Replace the rows, keeping the cursor on the same run when it is still there."""
        current = self.current_run_id()
        self.runs = list(runs)
        narrow, room = self._shown_layout = self._layout(self.runs)
        rows = [self._cells(run, narrow) for run in runs]
        if narrow:
            for row in rows:
                row[1] = shortened(str(row[1]), room)
        # widths set here, from the cells, rather than measured later when the table is idle
        self.clear(columns=True)
        for index, label in enumerate(COLUMNS):
            widest = max([len(label), *(len(str(row[index])) for row in rows)])
            self.add_column(label, width=widest)
        for run, cells in zip(runs, rows, strict=True):
            self.add_row(*cells, key=run.run_id)
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
