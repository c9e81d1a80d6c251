"""The first-run screen: nothing is configured yet, so say what to set up and how."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from actui.errors import ActuiError
from actui.tui.messages import ConnectFailed, SourceConnected

if TYPE_CHECKING:
    from actui.tui.services import Services

STEPS = """\
[b]1. Connect your Customer 360[/b]
   Enter a SQLAlchemy URL below, e.g. [i]sqlite:///customers.db[/i] or
   [i]postgresql+psycopg://user@host/db[/i]; actui only reads it.
   No data yet? Quit (Ctrl+Q) and run [b]actui demo[/b] for sample data and a sandbox.

[b]2. Add an ActiveCampaign credential[/b]
   F4 Destinations: the account URL and API key (kept in your OS keyring).

[b]3. Build a segment and send it[/b]
   F2 Segments: pick attributes, watch the audience size, press F9 to send.
"""


class WelcomeScreen(Screen[None]):
    """Shown when no Customer 360 is configured: the three set-up steps and a URL box."""

    def __init__(self, services: Services, *, url: str = "", problem: str = "") -> None:
        super().__init__()
        self.services = services
        self.url = url
        self.problem = problem

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="welcome"):
            yield Static("Welcome to actui", classes="title")
            yield Static(
                "Build Customer 360 segments and send them to ActiveCampaign lists.",
                classes="muted",
            )
            yield Static(STEPS, id="welcome-steps")
            with Horizontal(id="welcome-connect"):
                yield Input(self.url, placeholder="sqlite:///customers.db", id="db-url")
                yield Button("Connect", id="connect", variant="primary")
                yield Button("Source (F6)", id="source-settings")
            yield Static(
                f"[red]{escape(self.problem)}[/red]" if self.problem else "", id="welcome-error"
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#db-url", Input).focus()

    @on(Input.Submitted, "#db-url")
    @on(Button.Pressed, "#connect")
    def connect(self) -> None:
        url = self.query_one("#db-url", Input).value.strip()
        if not url:
            self.query_one("#welcome-error", Static).update("Enter a database URL first.")
            return
        self.query_one("#welcome-error", Static).update("Connecting...")
        self._connect(url)

    @on(Button.Pressed, "#source-settings")
    def source_settings(self) -> None:
        """The Source panel for the URL typed: its tables and key, or a reset of saved ones."""
        url = self.query_one("#db-url", Input).value.strip()
        if not url:
            self.query_one("#welcome-error", Static).update("Enter a database URL first.")
            return
        from actui.tui.screens.source import SourceScreen

        self.app.push_screen(SourceScreen(self.services, url))

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self, url: str) -> None:
        try:
            self.services.connect(url)
        except ActuiError as error:
            self.post_message(ConnectFailed(str(error)))
            return
        self.post_message(SourceConnected(url))

    def on_connect_failed(self, message: ConnectFailed) -> None:
        self.query_one("#welcome-error", Static).update(f"[red]{escape(message.reason)}[/red]")

    def on_source_connected(self, message: SourceConnected) -> None:
        from actui.tui.app import ActuiApp

        self.dismiss()
        if isinstance(self.app, ActuiApp):
            self.app.source_connected()
