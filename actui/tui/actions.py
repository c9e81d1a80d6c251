"""Every key binding of the app declared as data, each with a stable id a keymap can rebind."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class ActionSpec:
    """One user action: its stable id, default key, the Textual action it runs and its label."""

    id: str
    key: str
    action: str
    description: str
    show: bool = True
    priority: bool = False

    def binding(self) -> Binding:
        """The Textual binding for this action (the id lets ``App.set_keymap`` rebind it)."""
        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.id,
        )


def bindings(specs: tuple[ActionSpec, ...]) -> list[BindingType]:
    """Textual bindings for a tuple of action specs (use as a screen's ``BINDINGS``)."""
    return [spec.binding() for spec in specs]


#: actions available everywhere: help, the palette, switching modes, quitting
APP_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actui.help", "f1", "app.show_help", "Help", priority=True),
    ActionSpec("actui.mode.segments", "f2", "app.switch_mode('segments')", "Segments"),
    ActionSpec("actui.mode.campaigns", "f3", "app.switch_mode('campaigns')", "Campaigns"),
    ActionSpec("actui.mode.destinations", "f4", "app.switch_mode('destinations')", "Destinations"),
    ActionSpec("actui.mode.history", "f5", "app.switch_mode('history')", "History"),
    ActionSpec("actui.quit", "ctrl+q", "app.quit", "Quit", show=False, priority=True),
)

#: the segment builder's actions
SEGMENT_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actui.segment.add_condition", "ctrl+n", "add_condition", "Condition"),
    ActionSpec("actui.segment.add_group", "ctrl+g", "add_group", "Group"),
    ActionSpec("actui.segment.remove", "ctrl+r", "remove_focused", "Remove", show=False),
    ActionSpec("actui.segment.sql_mode", "ctrl+t", "toggle_sql", "SQL"),
    ActionSpec("actui.segment.save", "ctrl+s", "save", "Save"),
    ActionSpec("actui.segment.open", "ctrl+o", "open_saved", "Open"),
    ActionSpec("actui.segment.new", "ctrl+l", "new_segment", "Clear", show=False),
    ActionSpec("actui.segment.breakdown", "ctrl+b", "pick_breakdown", "Breakdown", show=False),
    ActionSpec("actui.segment.send", "f9", "send", "Send"),
)

#: every action spec the app declares here (the help screen lists them by group)
ALL_ACTIONS: dict[str, tuple[ActionSpec, ...]] = {
    "Everywhere": APP_ACTIONS,
    "Segment builder": SEGMENT_ACTIONS,
}
