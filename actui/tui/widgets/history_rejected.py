"""One run's rejected rows with their reason codes and reasons (and where each was going)."""

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
        yield Static("Open a run (Enter) to see its rejected rows.", id="rejected-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def show_rejected(self, run: RunInfo, rows: list[RejectedRow], *, label: str) -> None:
        """Show ``rows`` for ``run`` (``label`` names the run on screen)."""
        how = f"{run.status}" + (f": {run.message}" if run.message else "")
        count = plural(len(rows), "rejected row")
        title = Text.assemble((label, "bold"), f" · {how} · {count}")  # no markup in messages
        self.query_one("#rejected-title", Static).update(title)
        table: DataTable[str] = self.query_one(DataTable)
        table.clear(columns=True)
        # the email, its code and the list keep their length (up to a point); the reason wraps in
        # the rest; the customer key comes last, a horizontal scroll away on a narrow screen
        email = min(28, max([len("Email"), *(len(row.email or "(no email)") for row in rows)]))
        code = max([len("Code"), *(len(row.reason_code) for row in rows)])
        places = [row.list_name or f"{row.group} (held out)" for row in rows]
        list_width = min(20, max([len("List"), *(len(place) for place in places)]))
        room = (table.size.width or self.app.size.width) - email - code - list_width - 8 - 2
        table.add_column("Email", width=email)
        table.add_column("Code", width=code)
        table.add_column("Reason", width=max(20, room))
        table.add_column("List", width=list_width)
        table.add_column("Customer")
        for row in rows:
            where = row.list_name or f"{row.group} (held out)"
            table.add_row(
                row.email or "(no email)",
                row.reason_code,
                row.reason,
                where,
                row.customer_key or "",
                height=None,
            )
