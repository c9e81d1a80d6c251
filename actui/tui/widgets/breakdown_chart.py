"""A horizontal bar chart of the audience broken down by one attribute's values."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

BAR = "█"
PARTIAL = " ▏▎▍▌▋▊▉"


class BreakdownChart(Widget):
    """Bars for ``(label, count)`` pairs, longest first as given; each bar shows its share."""

    DEFAULT_CSS = """
    BreakdownChart { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[tuple[str, int]] = []

    def show(self, rows: list[tuple[str, int]]) -> None:
        """Draw ``rows`` (value label, members)."""
        self.rows = list(rows)
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        if not self.rows:
            return Text("No breakdown yet.", style="dim")
        total = sum(count for _, count in self.rows) or 1
        largest = max(count for _, count in self.rows) or 1
        label_width = min(max(len(label) for label, _ in self.rows), 14)
        bar_width = max(self.size.width - label_width - 16, 4)
        table = Table.grid(padding=(0, 1))
        table.add_column(width=label_width, no_wrap=True, overflow="ellipsis")
        table.add_column(width=bar_width, no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        for label, count in self.rows:
            table.add_row(
                Text(label or "(empty)"),
                Text(_bar(count / largest * bar_width), style="cyan"),
                Text(f"{count:,} {count / total:>4.0%}", style="dim"),
            )
        return table


def _bar(cells: float) -> str:
    whole = int(cells)
    rest = int((cells - whole) * 8)
    return BAR * whole + (PARTIAL[rest] if rest else "")
