"""Sample members of the audience as a read-only table (the same rows while the segment holds)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

MAX_CELL = 24


class SampleTable(DataTable[str]):
    """Up to 20 sample rows; cells are shortened so the table stays readable."""

    DEFAULT_CSS = """
    SampleTable { height: auto; max-height: 24; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, cursor_type="row")

    def show(self, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Replace the table's contents.

        Each column is as wide as its longest (shortened) cell or its header, set when it is
        added: widths measured later, as rows arrive, depend on when the table is next laid out.
        """
        cells = [tuple(_cell(value) for value in row) for row in rows]
        self.clear(columns=True)
        for position, label in enumerate(columns):
            width = max([len(label), *(len(row[position]) for row in cells if position < len(row))])
            self.add_column(label, width=width)
        for row in cells:
            self.add_row(*row)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
