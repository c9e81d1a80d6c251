"""An AND/OR/NONE group of conditions and nested groups, editable with keys and the mouse."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Select, Static

from actui.tui.messages import ConditionRemoved, SegmentEdited
from actui.tui.services import SEGMENTS_GROUP, Attribute
from actui.tui.widgets.condition_row import ConditionRow, _mouse_only

if TYPE_CHECKING:
    from actui.tui.services import Services

MATCH_CHOICES = [("all of", "all"), ("any of", "any"), ("none of", "none")]


class GroupEditor(Widget):
    """A group: its match (all/any/none), then its conditions and nested groups in order."""

    DEFAULT_CSS = """
    GroupEditor { height: auto; }
    GroupEditor > .group-header { height: auto; }
    GroupEditor > .group-header #match { width: 12; }
    GroupEditor > .group-header Static { width: auto; padding: 0 1 0 1; }
    GroupEditor > .group-header Button { margin-left: 0; min-width: 0; width: auto; }
    GroupEditor > .group-body { height: auto; padding-left: 1; border-left: solid $primary 50%; }
    GroupEditor > .group-body > .empty { color: $text-muted; }
    """

    class AddRequested(Message):
        """The user asked to add a condition (``group=False``) or a group to ``editor``."""

        def __init__(self, editor: GroupEditor, group: bool) -> None:
            super().__init__()
            self.editor = editor
            self.group = group

    def __init__(
        self, services: Services, match: str = "all", *, root: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.services = services
        self.match = match
        self.root = root

    def compose(self) -> ComposeResult:
        with Horizontal(classes="group-header"):
            yield Static("Match" if self.root else "Group:")
            yield Select(
                MATCH_CHOICES, value=self.match, allow_blank=False, id="match", compact=True
            )
            if not self.root:  # before the add buttons, so it stays on screen at 80 columns
                yield _mouse_only(
                    Button("✕", classes="remove-group", compact=True, tooltip="Remove group")
                )
            yield _mouse_only(Button("+ Condition", classes="add-condition", compact=True))
            yield _mouse_only(Button("+ Group", classes="add-group", compact=True))
        with Vertical(classes="group-body"):
            yield Static("No conditions yet: add one (Ctrl+N).", classes="empty")

    @property
    def body(self) -> Vertical:
        return self.query_one(".group-body", Vertical)

    def nodes(self) -> list[ConditionRow | GroupEditor]:
        """The direct children (conditions and groups) in order."""
        return [
            child for child in self.body.children if isinstance(child, ConditionRow | GroupEditor)
        ]

    async def add_condition(
        self, attribute: Attribute, operator: str | None = None, value: Any = None
    ) -> ConditionRow:
        """Append a condition on ``attribute``."""
        row = ConditionRow(self.services, attribute, operator, value)
        await self._append(row)
        return row

    async def add_group(self, match: str = "any") -> GroupEditor:
        """Append an empty nested group."""
        group = GroupEditor(self.services, match)
        await self._append(group)
        return group

    async def _append(self, widget: Widget) -> None:
        await self.body.query(".empty").remove()
        await self.body.mount(widget)
        self.post_message(SegmentEdited())

    async def clear(self) -> None:
        """Remove every child."""
        await self.body.remove_children()
        await self.body.mount(Static("No conditions yet: add one (Ctrl+N).", classes="empty"))

    async def load(self, nodes: list[dict[str, Any]], attributes: dict[str, Attribute]) -> None:
        """Build the children from segment-file nodes (unknown attributes are kept as text)."""
        for node in nodes:
            if "conditions" in node:
                group = await self.add_group(str(node.get("match", "all")))
                await group.load(list(node["conditions"]), attributes)
            elif "segment" in node:
                attribute = Attribute(SEGMENTS_GROUP, str(node["segment"]), "segment")
                await self.add_condition(attribute, str(node.get("operator", "in segment")))
            else:
                name = str(node.get("attribute", ""))
                attribute = attributes.get(name) or Attribute("", name, "string")
                await self.add_condition(attribute, node.get("operator"), node.get("value"))

    def to_nodes(self) -> list[dict[str, Any]]:
        """The children as segment-file nodes."""
        return [child.to_node() for child in self.nodes()]

    def to_node(self) -> dict[str, Any]:
        """This group as a segment-file node."""
        return {"match": self.match, "conditions": self.to_nodes()}

    @on(Select.Changed, "#match")
    def _match_changed(self, event: Select.Changed) -> None:
        event.stop()
        if str(event.value) != self.match:
            self.match = str(event.value)
            self.post_message(SegmentEdited())

    @on(Button.Pressed, ".add-condition")
    def _add_condition(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.AddRequested(self, group=False))

    @on(Button.Pressed, ".add-group")
    def _add_group(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.AddRequested(self, group=True))

    @on(Button.Pressed, ".remove-group")
    def _remove_self(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(ConditionRemoved(self))

    @on(ConditionRemoved)
    async def _remove_child(self, event: ConditionRemoved) -> None:
        sender = event.control
        if sender is self or not isinstance(sender, ConditionRow | GroupEditor):
            return
        if sender.parent is not self.body:
            return
        event.stop()
        await self.remove_node(sender)

    async def remove_node(self, node: Widget) -> None:
        """Remove a direct child and say the segment changed."""
        await node.remove()
        if not self.nodes():
            await self.body.mount(Static("No conditions yet: add one (Ctrl+N).", classes="empty"))
        self.post_message(SegmentEdited())
