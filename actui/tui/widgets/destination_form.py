"""The destination form: name, credential, user group, list name and verbose logs."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static


class DestinationForm(Vertical):
    """Edit one destination; Save, Test and Delete act on what the form holds."""

    DEFAULT_CSS = """
    DestinationForm { height: auto; padding: 0 1; }
    DestinationForm Label { margin-top: 1; }
    DestinationForm Input, DestinationForm Select { width: 1fr; }
    DestinationForm Checkbox { margin-top: 1; border: none; padding: 0; }
    DestinationForm Horizontal { height: auto; margin-top: 1; }
    DestinationForm Horizontal Button { margin-right: 1; }
    """

    def __init__(self, credentials: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.credentials = credentials
        #: the loaded destination's fields the form does not show, saved back as they were
        self.kept: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static("[b]Destination[/b]")
        yield Label("Name")
        yield Input(placeholder="e.g. ActiveCampaign", id="destination-name", compact=True)
        yield Label("Credential")
        yield Select(
            [(name, name) for name in self.credentials],
            prompt="Choose a credential",
            id="destination-credential",
            compact=True,
        )
        yield Label("User group that sees the list")
        yield Input("Admin", id="destination-group", compact=True)
        yield Label("List name (found, or created on the first send)")
        yield Input(placeholder="e.g. Spring promo", id="destination-list", compact=True)
        yield Checkbox(
            "Verbose logs (CSV of rejected emails)", id="destination-verbose", compact=True
        )
        with Horizontal():
            yield Button("Save", id="destination-save", variant="primary", compact=True)
            yield Button("Test", id="destination-test", compact=True)
            yield Button("Delete", id="destination-delete", variant="error", compact=True)

    def set_credentials(self, names: list[str]) -> None:
        """Refresh the credential choices, keeping the current one."""
        self.credentials = names
        select: Select[str] = self.query_one("#destination-credential", Select)
        current = select.value
        select.set_options([(name, name) for name in names])
        if isinstance(current, str) and current in names:
            select.value = current

    def load(self, fields: dict[str, Any]) -> None:
        """Show a saved destination (its JSON fields)."""
        self.kept = {
            key: fields[key] for key in ("default_attributes", "max_removal") if key in fields
        }
        self.query_one("#destination-name", Input).value = str(fields.get("name", ""))
        credential = fields.get("credential")
        select: Select[str] = self.query_one("#destination-credential", Select)
        if credential and credential not in self.credentials:
            self.set_credentials([*self.credentials, str(credential)])
        select.value = credential if credential else Select.NULL
        self.query_one("#destination-group", Input).value = str(fields.get("group", "Admin"))
        self.query_one("#destination-list", Input).value = str(fields.get("list", ""))
        self.query_one("#destination-verbose", Checkbox).value = bool(fields.get("verbose_logs"))

    def clear(self) -> None:
        self.load({"group": "Admin"})
        self.query_one("#destination-name", Input).focus()

    def read(self) -> dict[str, Any]:
        """The form's fields in the destination's JSON shape (blank ones left out)."""
        credential = self.query_one("#destination-credential", Select).value
        fields: dict[str, Any] = {
            **self.kept,
            "name": self.query_one("#destination-name", Input).value.strip(),
            "group": self.query_one("#destination-group", Input).value.strip(),
            "list": self.query_one("#destination-list", Input).value.strip(),
            "verbose_logs": self.query_one("#destination-verbose", Checkbox).value,
        }
        if isinstance(credential, str):
            fields["credential"] = credential
        return fields
