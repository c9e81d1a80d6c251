"""One run's rejected emails with their reasons (and the list each was meant for)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from actui.sync.models import RejectedRow, RunInfo
from actui.wording import plural


class HistoryRejected(Vertical):
    """A title line (which run, how it ended) above a table of rejected emails."""

    DEFAULT_CSS = """
    HistoryRejected { height: 1fr; }
    HistoryRejected > #rejected-title { height: auto; padding: 0 1; }
    HistoryRejected > DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Open a run (Enter) to see its rejected emails.", id="rejected-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def show_rejected(self, run: RunInfo, rows: list[RejectedRow], *, label: str) -> None:
        """Show ``rows`` for ``run`` (``label`` names the run on screen)."""
        how = f"{run.status}" + (f": {run.message}" if run.message else "")
        count = plural(len(rows), "rejected email")
        title = Text.assemble((label, "bold"), f" · {how} · {count}")  # no markup in messages
        self.query_one("#rejected-title", Static).update(title)
        table: DataTable[str] = self.query_one(DataTable)
        table.clear(columns=True)
        # the email and the list keep their length (up to a point); the reason wraps in the rest
        email = min(32, max([len("Email"), *(len(row.email) for row in rows)]))
        list_width = min(20, max([len("List"), *(len(row.list_name) for row in rows)]))
        room = (table.size.width or self.app.size.width) - email - list_width - 6 - 2
        table.add_column("Email", width=email)
        table.add_column("Reason", width=max(20, room))
        table.add_column("List", width=list_width)
        for row in rows:
            table.add_row(row.email, row.reason, row.list_name, height=None)
