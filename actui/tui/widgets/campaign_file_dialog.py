"""A small modal that asks for a campaign file's path (to import from or export to)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static


class CampaignFileDialog(ModalScreen[str | None]):
    """Returns the path typed (``None`` when cancelled)."""

    DEFAULT_CSS = """
    CampaignFileDialog { align: center middle; }
    CampaignFileDialog > Vertical {
        width: 70; max-width: 95%; height: auto; border: thick $primary; background: $surface;
        padding: 1 2;
    }
    CampaignFileDialog Input { margin: 1 0; }
    CampaignFileDialog Horizontal { height: auto; align-horizontal: right; }
    CampaignFileDialog Horizontal Button { margin-left: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="actui.campaign_file.cancel")]

    def __init__(self, title: str, verb: str, path: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.verb = verb
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.title_text}[/b]")
            yield Input(self.path, placeholder="path/to/campaign.json", id="campaign-file-path")
            with Horizontal():
                yield Button(self.verb, id="campaign-file-ok", variant="primary")
                yield Button("Cancel", id="campaign-file-cancel")
        yield Footer()

    @on(Input.Submitted)
    @on(Button.Pressed, "#campaign-file-ok")
    def _ok(self) -> None:
        path = self.query_one(Input).value.strip()
        self.dismiss(path or None)

    @on(Button.Pressed, "#campaign-file-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
