"""The top bar of every main screen: the modes with their keys (clickable) and the database."""

from __future__ import annotations

from rich.markup import escape
from textual.app import RenderResult
from textual.widget import Widget

from actui.tui.actions import APP_ACTIONS, ActionSpec

#: the app actions the bar shows, in order (mode switches, then the live send)
BAR_ACTIONS = (
    "actui.mode.segments",
    "actui.mode.campaigns",
    "actui.mode.destinations",
    "actui.mode.history",
    "actui.send.live",
)


class ModeBar(Widget):
    """One line: 'F2 Segments  F3 Campaigns ...' with the current mode highlighted.

    It replaces the header so the mode keys stay visible at 80 columns, where the footer has
    room only for the current screen's keys. Keys follow the user's keymap.
    """

    DEFAULT_CSS = """
    ModeBar { height: 1; dock: top; background: $panel; color: $text-muted; }
    """

    def __init__(self, mode: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = mode

    def render(self) -> RenderResult:
        keymap: dict[str, str] = getattr(getattr(self.app, "services", None), "keymap", {})
        specs = {spec.id: spec for spec in APP_ACTIONS}
        parts: list[str] = []
        for spec_id in BAR_ACTIONS:
            spec = specs[spec_id]
            parts.append(self._item(spec, keymap.get(spec.id, spec.key).split(",")[0].strip()))
        bar = " ".join(parts)
        used = sum(len(_plain(spec, keymap)) + 1 for spec in specs.values() if spec.id in BAR_ACTIONS)
        place = str(getattr(self.app, "sub_title", "") or "")
        if place and self.size.width - used > len(place) + 2:
            bar += " " * (self.size.width - used - len(place) - 1) + f"[dim]{escape(place)}[/]"
        return bar

    def _item(self, spec: ActionSpec, key: str) -> str:
        label = f" {key.upper()} {spec.description} "
        current = spec.action == f"app.switch_mode('{self.mode}')"
        style = "reverse bold" if current else ""
        link = f"@click={spec.action.removeprefix('app.')}"
        return f"[{link}]{f'[{style}]' if style else ''}{escape(label)}{'[/]' if style else ''}[/]"


def _plain(spec: ActionSpec, keymap: dict[str, str]) -> str:
    key = keymap.get(spec.id, spec.key).split(",")[0].strip()
    return f" {key.upper()} {spec.description} "
