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
        items = [specs[spec_id] for spec_id in BAR_ACTIONS]
        labels = [f" {_key(spec, keymap).upper()} {spec.description} " for spec in items]
        bar = " ".join(self._item(spec, label) for spec, label in zip(items, labels, strict=True))
        used = sum(len(label) + 1 for label in labels)
        room = self.size.width - used
        place = _fitting(str(getattr(self.app, "sub_title", "") or ""), room - 1)
        if place:
            bar += " " * (room - len(place) - 1) + f"[dim]{escape(place)}[/]"
        return bar

    def on_mount(self) -> None:
        self.watch(self.app, "sub_title", self._title_changed, init=False)

    def _title_changed(self, _title: str) -> None:
        self.refresh()

    def _item(self, spec: ActionSpec, label: str) -> str:
        current = spec.action == f"app.switch_mode('{self.mode}')"
        text = f"[reverse bold]{escape(label)}[/]" if current else escape(label)
        return f"[@click={spec.action}]{text}[/]"


def _fitting(place: str, room: int) -> str:
    """The longest form of 'demo · database · step' that fits in ``room`` columns ('' if none).

    The first part (``demo`` on the demo) is kept longest, so the demo label stays at 80 columns.
    """
    parts = place.split(" · ")
    if parts[0] == "demo":
        candidates = [place, " · ".join([parts[0], parts[-1]]), parts[0]]
    else:
        candidates = [place, parts[-1], parts[0]]
    return next((text for text in candidates if text and len(text) <= room), "")


def _key(spec: ActionSpec, keymap: dict[str, str]) -> str:
    """The first key the user's keymap (or the default) gives the action."""
    return keymap.get(spec.id, spec.key).split(",")[0].strip()
