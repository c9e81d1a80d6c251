"""The campaign preview: campaign-wide counts, then one table row per sub-audience and group.

Columns by priority, so 80 columns show each group, its size and where it goes (destination and
list); the sub-audience is last, a horizontal scroll away when a long list name needs the room.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static


@dataclass(frozen=True)
class PreviewGroupRow:
    """One group of the preview, as the table shows it."""

    sub_audience: str
    group: str
    control: bool
    size: int
    destination: str | None
    list_name: str | None


@dataclass(frozen=True)
class PreviewFigures:
    """What the preview panel shows (read from the core preview)."""

    customers: int
    contacts: int
    duplicate_email: int
    missing_email: int
    invalid_email: int
    excluded: int
    groups: list[PreviewGroupRow]


PREVIEW_COLUMNS = ("Group", "Size", "Goes to (destination > list)", "Sub-audience")


class CampaignPreviewPanel(Vertical):
    """Sizes per group; the totals line says what was left out and why."""

    DEFAULT_CSS = """
    CampaignPreviewPanel { height: 1fr; }
    CampaignPreviewPanel > #preview-totals { height: auto; padding: 0 1; margin-bottom: 1; }
    CampaignPreviewPanel > DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Press F8 (or Preview) to count each group.", id="preview-totals")
        table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(*PREVIEW_COLUMNS)
        yield table

    def show_loading(self) -> None:
        self.query_one("#preview-totals", Static).update("Counting each group…")
        self.query_one(DataTable).loading = True

    def show_failure(self, message: str) -> None:
        self.query_one(DataTable).loading = False
        self.query_one("#preview-totals", Static).update(
            f"[red]The preview failed:[/red] {message}"
        )

    def show(self, figures: PreviewFigures) -> None:
        self.query_one("#preview-totals", Static).update(
            f"Customers [b]{figures.customers:,}[/b] = contacts {figures.contacts:,}"
            f" + duplicate email {figures.duplicate_email:,}"
            f" + missing email {figures.missing_email:,}"
            f" + invalid email {figures.invalid_email:,} + excluded {figures.excluded:,}"
        )
        table: DataTable[str] = self.query_one(DataTable)
        table.loading = False
        rows = [
            (
                row.group,
                f"{row.size:,}",
                "held out (control group)"
                if row.control
                else f"{row.destination or ''} > {row.list_name or ''}",
                row.sub_audience or "All",
            )
            for row in figures.groups
        ]
        # widths set from the cells now, not measured later when the table is idle
        table.clear(columns=True)
        for index, label in enumerate(PREVIEW_COLUMNS):
            table.add_column(label, width=max([len(label), *(len(row[index]) for row in rows)]))
        for cells in rows:
            table.add_row(*cells)
