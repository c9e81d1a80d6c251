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
    # the mode keys and the live send are on every main screen's top bar (ModeBar), so the
    # footer keeps its room for the screen's own keys at 80 columns
    ActionSpec("actui.mode.segments", "f2", "app.switch_mode('segments')", "Segments", False),
    ActionSpec("actui.mode.campaigns", "f3", "app.switch_mode('campaigns')", "Campaigns", False),
    ActionSpec(
        "actui.mode.destinations", "f4", "app.switch_mode('destinations')", "Destinations", False
    ),
    ActionSpec("actui.mode.history", "f5", "app.switch_mode('history')", "History", False),
    ActionSpec("actui.send.live", "f7", "app.show_live_send", "Live send", False),
    ActionSpec("actui.source", "f6", "app.show_source", "Source", False),
    ActionSpec("actui.quit", "ctrl+q", "app.quit", "Quit", show=False, priority=True),
)

#: the segment builder's actions
SEGMENT_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actui.segment.add_condition", "ctrl+n", "add_condition", "Condition"),
    ActionSpec("actui.segment.add_group", "ctrl+g", "add_group", "Group"),
    ActionSpec("actui.segment.remove", "ctrl+r", "remove_focused", "Remove", show=False),
    ActionSpec("actui.segment.sql_mode", "ctrl+t", "toggle_sql", "SQL"),
    ActionSpec("actui.segment.save", "ctrl+s", "save", "Save"),
    ActionSpec("actui.segment.rename", "f8", "rename", "Rename", show=False),
    ActionSpec("actui.segment.open", "ctrl+o", "open_saved", "Open"),
    ActionSpec("actui.segment.new", "ctrl+l", "new_segment", "Clear", show=False),
    ActionSpec("actui.segment.breakdown", "ctrl+b", "pick_breakdown", "Breakdown", show=False),
    ActionSpec("actui.segment.send", "f9", "send", "Send"),
)

#: the campaign editor's actions
CAMPAIGN_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actui.campaign.new", "ctrl+n", "new_campaign", "New"),
    ActionSpec("actui.campaign.save", "ctrl+s", "save", "Save"),
    ActionSpec("actui.campaign.preview", "f8", "preview", "Preview"),
    ActionSpec("actui.campaign.send", "f9", "send", "Send"),
    ActionSpec("actui.campaign.results", "ctrl+r", "results", "Results"),
    ActionSpec("actui.campaign.import", "ctrl+o", "import_file", "Import", show=False),
    ActionSpec("actui.campaign.export", "ctrl+e", "export_file", "Export", show=False),
    ActionSpec("actui.campaign.delete", "ctrl+d", "delete", "Delete", show=False),
)

#: the destinations and credentials screen's actions
DESTINATION_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actui.destinations.new", "ctrl+n", "new_destination", "New destination"),
    ActionSpec("actui.destinations.new_credential", "ctrl+k", "new_credential", "New credential"),
    ActionSpec("actui.destinations.save", "ctrl+s", "save", "Save"),
    ActionSpec("actui.destinations.test", "ctrl+t", "test", "Test"),
    ActionSpec("actui.destinations.delete", "ctrl+d", "delete", "Delete", show=False),
)

#: the history screen's actions (F7, the live send, is app-wide)
HISTORY_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actui.history.open", "enter", "open_run", "Rejected emails"),
    ActionSpec("actui.history.resume", "ctrl+r", "resume", "Resume"),
    ActionSpec("actui.history.refresh", "ctrl+l", "refresh_runs", "Refresh"),
)

#: every action spec the app declares, by where it applies (F1 lists them; the palette offers
#: those of the current screen)
ALL_ACTIONS: dict[str, tuple[ActionSpec, ...]] = {
    "Everywhere": APP_ACTIONS,
    "Segments": SEGMENT_ACTIONS,
    "Campaigns": CAMPAIGN_ACTIONS,
    "Destinations": DESTINATION_ACTIONS,
    "History": HISTORY_ACTIONS,
}
