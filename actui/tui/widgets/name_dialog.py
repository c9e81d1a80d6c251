"""Asks for a name (a new segment's before its first save, or a new name for one)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static


class NameDialog(ModalScreen[str | None]):
    """A labelled name field; Enter accepts a non-blank name, Escape returns None."""

    DEFAULT_CSS = """
    NameDialog { align: center middle; }
    NameDialog > #name-dialog {
        width: 60; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    NameDialog #name-title { text-style: bold; margin-bottom: 1; }
    NameDialog #name-problem { color: $error; height: auto; }
    NameDialog #name-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    NameDialog #name-buttons Button { margin-left: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="actui.name.cancel"),
    ]

    def __init__(self, title: str, value: str = "", accept_label: str = "Save") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.accept_label = accept_label

    def compose(self) -> ComposeResult:
        with Vertical(id="name-dialog"):
            yield Static(self.title_text, id="name-title")
            yield Label("Name")
            yield Input(self.value, placeholder="e.g. West coast, high value", id="name-input")
            yield Static("", id="name-problem")
            with Horizontal(id="name-buttons"):
                yield Button(self.accept_label, id="name-accept", variant="primary", compact=True)
                yield Button("Cancel", id="name-cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    @on(Input.Submitted, "#name-input")
    @on(Button.Pressed, "#name-accept")
    def _accept(self) -> None:
        name = self.query_one("#name-input", Input).value.strip()
        if not name:
            self.query_one("#name-problem", Static).update("Type a name first.")
            return
        self.dismiss(name)

    @on(Button.Pressed, "#name-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
