"""One run's rejected emails with their reasons (and the list each was meant for)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from actui.sync.models import RejectedRow, RunInfo


class HistoryRejected(Vertical):
    """A title line (which run, how it ended) above a table of rejected emails."""

    DEFAULT_CSS = """
    HistoryRejected { height: 1fr; }
    HistoryRejected > #rejected-title { height: auto; padding: 0 1; }
    HistoryRejected > DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Open a run (Enter) to see its rejected rows.", id="rejected-title")
        table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Email", "Code", "Reason", "List", "Customer")
        yield table

    def show_rejected(self, run: RunInfo, rows: list[RejectedRow], *, label: str) -> None:
        """Show ``rows`` for ``run`` (``label`` names the run on screen)."""
        how = f"{run.status}" + (f": {run.message}" if run.message else "")
        count = f"{len(rows):,} rejected row{'s' if len(rows) != 1 else ''}"
        title = Text.assemble((label, "bold"), f" · {how} · {count}")  # no markup in messages
        self.query_one("#rejected-title", Static).update(title)
        table: DataTable[str] = self.query_one(DataTable)
        table.clear()
        for row in rows:
            where = row.list_name or f"{row.group} (held out)"
            table.add_row(
                row.email or "(no email)",
                row.reason_code,
                row.reason,
                where,
                row.customer_key or "",
            )
