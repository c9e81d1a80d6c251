"""The saved-segments dialog: pick one to load, duplicate or delete."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, OptionList, Static
from textual.widgets.option_list import Option

from actui.tui.widgets.confirm_dialog import ConfirmDialog

#: what the dialog returns: (verb, segment name) with verb "load", "duplicate" or "delete"
SavedChoice = tuple[str, str]


class SavedSegmentsDialog(ModalScreen[SavedChoice | None]):
    """Lists saved segments; Enter loads, the buttons (or d / x) duplicate or delete.

    A delete asks for confirmation first.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="actui.saved.cancel"),
        Binding("d", "choose('duplicate')", "Duplicate", id="actui.saved.duplicate"),
        Binding("x", "choose('delete')", "Delete", id="actui.saved.delete"),
    ]

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="saved-dialog"):
            yield Static("Saved segments", classes="title")
            if self.names:
                yield OptionList(*[Option(name, id=name) for name in self.names], id="saved-list")
            else:
                yield Static("No segment is saved yet: build one and press Ctrl+S.")
            with Horizontal(id="saved-buttons"):
                yield Button("Load", id="load", variant="primary", compact=True)
                yield Button("Duplicate", id="duplicate", compact=True)
                yield Button("Delete", id="delete", variant="error", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def _current(self) -> str | None:
        lists = self.query("#saved-list").results(OptionList)
        for options in lists:
            if options.highlighted is not None:
                return str(options.get_option_at_index(options.highlighted).id)
        return None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(("load", str(event.option.id)))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        elif event.button.id:
            self.action_choose(event.button.id)

    def action_choose(self, verb: str) -> None:
        name = self._current()
        if name is None:
            return
        if verb != "delete":
            self.dismiss((verb, name))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(("delete", name))

        self.app.push_screen(
            ConfirmDialog(f"Delete the saved segment {name!r}? This cannot be undone."), answered
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
