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
        """Replace the table's contents."""
        self.clear(columns=True)
        self.add_columns(*columns)
        for row in rows:
            self.add_row(*(_cell(value) for value in row))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
