"""The treatment-group editor: a row per group (name, percent, control, destination, list)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from actui.wording import plural

NO_DESTINATION = ""


@dataclass
class GroupDraft:
    """A group as the editor holds it, before the campaign model validates it."""

    name: str
    percent: int = 100
    control: bool = False
    destination: str = NO_DESTINATION
    list_name: str = ""

    def to_json(self) -> dict[str, Any]:
        """The group in the campaign file's format."""
        data: dict[str, Any] = {"name": self.name, "percent": self.percent}
        if self.control:
            data["control"] = True
            return data
        if self.destination:
            data["destination"] = self.destination
        if self.list_name.strip():
            data["list"] = self.list_name.strip()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroupDraft:
        return cls(
            name=str(data.get("name", "")),
            percent=int(data.get("percent", 0)),
            control=bool(data.get("control", False)),
            destination=str(data.get("destination") or NO_DESTINATION),
            list_name=str(data.get("list") or ""),
        )


def percent_problem(groups: list[GroupDraft]) -> str | None:
    """Why the groups' percentages are not valid, in words; None when they add up to 100."""
    if not groups:
        return "Add at least one group."
    if any(group.percent < 0 or group.percent > 100 for group in groups):
        return "Each percentage must be between 0 and 100."
    total = sum(group.percent for group in groups)
    if total != 100:
        return f"Percentages add up to {total}; they must add up to 100."
    names = [group.name.strip() for group in groups]
    if any(not name for name in names):
        return "Every group needs a name."
    if len(set(names)) != len(names):
        return "Group names must differ."
    if all(group.control for group in groups):
        return "At least one group must be sent (not control)."
    missing = [g.name for g in groups if not g.control and not g.destination]
    if missing:
        return f"Choose a destination for {', '.join(missing)}."
    return None


class GroupRow(Horizontal):
    """One editable group."""

    DEFAULT_CSS = """
    GroupRow { height: 1; margin-bottom: 1; }
    GroupRow > .group-name { width: 1fr; min-width: 8; max-width: 20; }
    GroupRow > .group-percent { width: 5; margin-left: 1; }
    GroupRow > Checkbox { width: 12; border: none; padding: 0; height: 1; }
    GroupRow > Select { width: 1fr; min-width: 10; max-width: 26; }
    GroupRow > .group-list { width: 1fr; min-width: 8; margin-left: 1; }
    GroupRow > Button { width: 3; min-width: 3; }
    """

    def __init__(self, draft: GroupDraft, destinations: list[str]) -> None:
        super().__init__(classes="group-row")
        self.draft = draft
        self.destinations = destinations

    def compose(self) -> ComposeResult:
        draft = self.draft
        yield Input(draft.name, placeholder="Name", compact=True, classes="group-name")
        yield Input(
            str(draft.percent), type="integer", compact=True, classes="group-percent", max_length=3
        )
        yield Checkbox("Control", draft.control, compact=True)
        options = [(name, name) for name in self.destinations]
        if draft.destination and draft.destination not in self.destinations:
            options.append((f"{draft.destination} (missing)", draft.destination))
        yield Select(
            options,
            value=draft.destination or Select.NULL,
            prompt="Destination",
            compact=True,
            disabled=draft.control,
        )
        yield Input(
            draft.list_name,
            placeholder="List (default: {campaign} - {group})",
            compact=True,
            classes="group-list",
            disabled=draft.control,
        )
        yield Button("✕", compact=True, variant="error", tooltip="Remove this group")

    def read(self) -> GroupDraft:
        """The row's current values."""
        name = self.query_one(".group-name", Input).value.strip()
        percent_text = self.query_one(".group-percent", Input).value.strip()
        try:
            percent = int(percent_text)
        except ValueError:
            percent = 0
        destination = self.query_one(Select).value
        return GroupDraft(
            name=name,
            percent=percent,
            control=self.query_one(Checkbox).value,
            destination=destination if isinstance(destination, str) else NO_DESTINATION,
            list_name=self.query_one(".group-list", Input).value,
        )


class CampaignGroups(Vertical):
    """The groups of one sub-audience, with add/remove and the live percentage check."""

    DEFAULT_CSS = """
    CampaignGroups { height: auto; }
    CampaignGroups > #group-rows { height: auto; }
    CampaignGroups > #group-total { height: 1; margin-bottom: 1; }
    CampaignGroups > #group-total.-bad { color: $error; }
    CampaignGroups > #group-total.-good { color: $success; }
    CampaignGroups > #group-head { height: 1; color: $text-muted; }
    """

    class Changed(Message):
        """The groups were edited; ``problem`` is None when they are valid."""

        def __init__(self, editor: CampaignGroups, problem: str | None) -> None:
            super().__init__()
            self.editor = editor
            self.problem = problem

        @property
        def control(self) -> CampaignGroups:
            return self.editor

    def __init__(
        self, groups: list[GroupDraft], destinations: list[str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._initial = groups
        self.destinations = destinations

    def compose(self) -> ComposeResult:
        yield Label("Name, percent, control, destination and list of each group", id="group-head")
        with Vertical(id="group-rows"):
            for draft in self._initial:
                yield GroupRow(draft, self.destinations)
        yield Static("", id="group-total")
        with Horizontal(classes="buttons"):
            yield Button("Add group", id="add-group", compact=True)
            yield Button("Add control group", id="add-control", compact=True)

    def on_mount(self) -> None:
        self._refresh_total()

    def groups(self) -> list[GroupDraft]:
        """The groups as edited now."""
        return [row.read() for row in self.query(GroupRow)]

    def problem(self) -> str | None:
        return percent_problem(self.groups())

    def _refresh_total(self) -> None:
        groups = self.groups()
        problem = percent_problem(groups)
        total = self.query_one("#group-total", Static)
        total.update(problem or f"Percentages add up to 100 across {plural(len(groups), 'group')}.")
        total.set_class(problem is not None, "-bad")
        total.set_class(problem is None, "-good")
        self.post_message(self.Changed(self, problem))

    async def add_group(self, control: bool = False) -> None:
        existing = self.groups()
        taken = {g.name for g in existing}
        base = "Control" if control else "Group"
        index = 1
        name = base if control else f"{base} {chr(ord('A') + len(existing) % 26)}"
        while name in taken:
            index += 1
            name = f"{base} {index}"
        remaining = max(0, 100 - sum(g.percent for g in existing))
        destination = self.destinations[0] if self.destinations and not control else ""
        row = GroupRow(GroupDraft(name, remaining, control, destination), self.destinations)
        await self.query_one("#group-rows", Vertical).mount(row)
        row.query_one(".group-name", Input).focus()
        self._refresh_total()

    @on(Button.Pressed, "#add-group")
    async def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.add_group()

    @on(Button.Pressed, "#add-control")
    async def _add_control_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.add_group(control=True)

    @on(Button.Pressed, "GroupRow Button")
    async def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = next(a for a in event.button.ancestors if isinstance(a, GroupRow))
        await row.remove()
        self._refresh_total()

    @on(Checkbox.Changed)
    def _control_toggled(self, event: Checkbox.Changed) -> None:
        event.stop()
        row = next(a for a in event.checkbox.ancestors if isinstance(a, GroupRow))
        row.query_one(Select).disabled = event.value
        row.query_one(".group-list", Input).disabled = event.value
        self._refresh_total()

    @on(Input.Changed)
    @on(Select.Changed)
    def _edited(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        self._refresh_total()
