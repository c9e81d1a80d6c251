"""The Source panel: the tables, customer key and email column in use, where each came from, and
pickers to change them for this database (``actui source show|set|reset`` in the app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Select, Static

from actui.errors import ActuiError

if TYPE_CHECKING:
    from actui.source import Setting
    from actui.tui.services import Services

#: the settings the panel edits, in order, with their labels
FIELDS = (
    ("segment_table", "Segment table"),
    ("attribute_table", "Attribute table"),
    ("customer_key", "Customer key"),
    ("email_column", "Email column"),
)


@dataclass
class SourceShape:
    """What the panel shows: each setting, the choices for each, and warnings."""

    settings: list[Setting]
    tables: list[str]
    columns: list[str]
    warnings: list[str] = field(default_factory=list)


class SourceLoaded(Message):
    def __init__(self, shape: SourceShape) -> None:
        super().__init__()
        self.shape = shape


class SourceFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class SourceSaved(Message):
    def __init__(self, warnings: list[str], reset: bool) -> None:
        super().__init__()
        self.warnings = warnings
        self.reset = reset


class SourceScreen(ModalScreen[None]):
    """Show and change how actui reads the Customer 360 at ``url`` (default: the connected one)."""

    DEFAULT_CSS = """
    SourceScreen { align: center middle; }
    SourceScreen #source-dialog {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SourceScreen #source-grid {
        grid-size: 3; grid-columns: 16 1fr 1fr; grid-rows: 3; height: auto;
    }
    SourceScreen #source-grid Label { padding: 1 0 0 0; }
    SourceScreen .origin { padding: 1 0 0 1; color: $text-muted; }
    SourceScreen #source-buttons { height: 3; align-horizontal: right; }
    SourceScreen #source-status { height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="actui.source.save"),
        Binding("ctrl+r", "reset", "Detect again", id="actui.source.reset"),
        Binding("escape", "close", "Close", id="actui.source.close"),
    ]

    def __init__(self, services: Services, url: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.url = url or services.db_url or ""
        self.shape: SourceShape | None = None
        self.saved = False

    def compose(self) -> ComposeResult:
        from actui.tui.services import display_url

        with Vertical(id="source-dialog"):
            yield Static(f"[b]Customer 360[/b]  {escape(display_url(self.url))}", id="source-title")
            with Grid(id="source-grid"):
                for name, label in FIELDS:
                    yield Label(label)
                    yield Select[str]([], id=f"source-{name}", prompt="(detect)", compact=True)
                    yield Static("", id=f"origin-{name}", classes="origin")
            yield Static("Reading the tables...", id="source-status")
            with Horizontal(id="source-buttons"):
                yield Button("Detect again", id="source-reset")
                yield Button("Save", id="source-save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="source-settings", exit_on_error=False)
    def _load(self) -> None:
        from actui.source import open_source

        services = self.services
        borrowed = services.source is not None and services.db_url == self.url
        try:
            source = services.require_source() if borrowed else open_source(self.url)
        except ActuiError as error:
            self.post_message(SourceFailed(str(error)))
            return
        try:
            settings = source.describe_settings()
            table = settings[0].value or ""
            shape = SourceShape(
                settings=settings,
                tables=source.tables(),
                columns=[column.name for column in source.columns(table)],
                warnings=source.warnings(),
            )
        except ActuiError as error:
            self.post_message(SourceFailed(str(error)))
            return
        finally:
            if not borrowed:
                source.dispose()
        self.post_message(SourceLoaded(shape))

    def on_source_loaded(self, message: SourceLoaded) -> None:
        shape = self.shape = message.shape
        for setting in shape.settings:
            choices = shape.tables if setting.name.endswith("_table") else shape.columns
            options = list(dict.fromkeys([*choices, *([setting.value] if setting.value else [])]))
            select = self.query_one(f"#source-{setting.name}", Select)
            select.set_options([(option, option) for option in options])
            if setting.value:
                select.value = setting.value
            else:
                select.clear()
            origin = self.query_one(f"#origin-{setting.name}", Static)
            origin.update(escape(setting.origin))
        status = "\n".join(f"[yellow]{escape(item)}[/yellow]" for item in shape.warnings)
        self.query_one("#source-status", Static).update(
            status or "Change a setting and press Ctrl+S to save it for this database."
        )

    def on_source_failed(self, message: SourceFailed) -> None:
        self.query_one("#source-status", Static).update(
            f"[red]{escape(message.reason)}[/red]\nCtrl+R drops the saved settings."
        )

    def changes(self) -> dict[str, str | None]:
        """The settings the user changed on screen (unchanged ones stay detected or saved)."""
        if self.shape is None:
            return {}
        changed: dict[str, str | None] = {}
        for setting in self.shape.settings:
            value = self.query_one(f"#source-{setting.name}", Select).value
            chosen = value if isinstance(value, str) else None
            if chosen != setting.value and chosen is not None:
                changed[setting.name] = chosen
        return changed

    @on(Button.Pressed, "#source-save")
    def action_save(self) -> None:
        changes = self.changes()
        if not changes:
            self.notify("Nothing changed.")
            return
        self.query_one("#source-status", Static).update("Checking and saving...")
        self._save(changes)

    @on(Button.Pressed, "#source-reset")
    def action_reset(self) -> None:
        self.query_one("#source-status", Static).update("Detecting again...")
        self._save(None)

    def action_close(self) -> None:
        app = self.app
        self.dismiss()
        if self.saved:  # the screen below reads the catalog again, with the new settings
            source_changed = getattr(app.screen, "source_changed", None)
            if callable(source_changed):
                source_changed()

    @work(thread=True, exclusive=True, group="source-settings", exit_on_error=False)
    def _save(self, changes: dict[str, str | None] | None) -> None:
        from actui.source.door import reset_source_settings, save_source_settings

        try:
            if changes is None:
                reset_source_settings(self.url)
                warnings: list[str] = []
            else:
                warnings = save_source_settings(self.url, changes)
            if self.services.db_url == self.url and self.services.source is not None:
                self.services.connect(self.url)  # reopen with the new settings
        except ActuiError as error:
            self.post_message(SourceFailed(str(error)))
            return
        self.post_message(SourceSaved(warnings, reset=changes is None))

    def on_source_saved(self, message: SourceSaved) -> None:
        text = "Detecting every setting again." if message.reset else "Saved for this database."
        self.notify(text)
        for warning in message.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.saved = True
        self._load()
