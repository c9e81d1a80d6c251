"""The credential form: a name, the account URL and the API key (masked), stored in the keyring."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static


@dataclass(frozen=True)
class CredentialDraft:
    """What the form holds (the key leaves it only for the keyring)."""

    name: str
    url: str
    key: str


class CredentialForm(Vertical):
    """Add or replace a credential; the key is never shown, and cleared once stored."""

    DEFAULT_CSS = """
    CredentialForm { height: auto; padding: 0 1; }
    CredentialForm Label { margin-top: 1; }
    CredentialForm Input { width: 1fr; }
    CredentialForm #credential-note { color: $text-muted; margin-top: 1; height: auto; }
    CredentialForm Horizontal { height: auto; margin-top: 1; }
    CredentialForm Horizontal Button { margin-right: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("[b]Credential[/b]")
        yield Label("Name")
        yield Input(placeholder="e.g. acme", id="credential-name", compact=True)
        yield Label("Account URL (Settings > Developer)")
        yield Input(
            placeholder="https://youraccount.api-us1.com", id="credential-url", compact=True
        )
        yield Label("API key")
        yield Input(placeholder="paste the key", password=True, id="credential-key", compact=True)
        yield Static(
            "The key goes to your OS keyring; actui keeps only the name.", id="credential-note"
        )
        with Horizontal():
            yield Button("Save credential", id="credential-save", variant="primary", compact=True)
            yield Button("Remove", id="credential-remove", variant="error", compact=True)

    def load(self, name: str, url: str = "") -> None:
        """Show a stored credential to replace its key (the old key stays hidden)."""
        self.query_one("#credential-name", Input).value = name
        self.query_one("#credential-url", Input).value = url
        key = self.query_one("#credential-key", Input)
        key.value = ""
        key.focus()

    def read(self) -> CredentialDraft:
        return CredentialDraft(
            name=self.query_one("#credential-name", Input).value.strip(),
            url=self.query_one("#credential-url", Input).value.strip(),
            key=self.query_one("#credential-key", Input).value.strip(),
        )

    def clear_key(self) -> None:
        self.query_one("#credential-key", Input).value = ""
