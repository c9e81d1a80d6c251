"""The attribute picker: search every column, grouped by table with its type, and pick one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from actui.tui.services import SEGMENTS_GROUP, Attribute

KIND_LABELS = {
    "string": "text",
    "number": "number",
    "date": "date",
    "datetime": "date-time",
    "boolean": "yes/no",
    "segment": "segment",
}


class AttributePicker(ModalScreen[Attribute | None]):
    """A search box over a list of attributes; Enter picks the highlighted one, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="actui.picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="actui.picker.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="actui.picker.previous"),
    ]

    def __init__(self, attributes: list[Attribute], title: str = "Pick an attribute") -> None:
        super().__init__()
        self.attributes = attributes
        self.title_text = title
        self.shown: list[Attribute] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self.title_text, classes="title")
            yield Input(placeholder="Search attributes", id="picker-search")
            yield OptionList(id="picker-options")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-search", Input).focus()

    @on(Input.Changed, "#picker-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        self.shown = []
        table: str | None = None
        for attribute in self.attributes:
            haystack = f"{attribute.table} {attribute.column} {attribute.kind}".lower()
            if not all(word in haystack for word in words):
                continue
            if attribute.table != table:
                table = attribute.table
                options.add_option(Option(Text(table, style="bold"), disabled=True))
            label = Text.assemble(
                ("  " + attribute.column, ""),
                ("  " + KIND_LABELS.get(attribute.kind, attribute.kind), "dim"),
            )
            options.add_option(Option(label, id=str(len(self.shown))))
            self.shown.append(attribute)
        if self.shown:
            options.highlighted = _first_enabled(options)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(Input.Submitted, "#picker-search")
    def _submit(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is not None:
            self.dismiss(self.shown[int(option.id)])

    @on(OptionList.OptionSelected, "#picker-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.shown[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _first_enabled(options: OptionList) -> int | None:
    for index in range(options.option_count):
        if not options.get_option_at_index(index).disabled:
            return index
    return None


__all__ = ["SEGMENTS_GROUP", "AttributePicker"]
