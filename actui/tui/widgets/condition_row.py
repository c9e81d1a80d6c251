"""One condition of a segment: attribute, an operator valid for its type, and a fitting value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Select

from actui.tui.messages import ConditionRemoved, SegmentEdited
from actui.tui.services import SEGMENTS_GROUP, Attribute, PicklistValues
from actui.tui.widgets.value_input import ValueInput
from actui.wording import plural

if TYPE_CHECKING:
    from actui.tui.services import Services

SEGMENT_OPERATORS = ["in segment", "not in segment"]
#: the operator a new condition starts with, per kind
DEFAULT_OPERATORS = {
    "string": "is",
    "number": "at least",
    "date": "in the last",
    "datetime": "in the last",
    "boolean": "is true",
    "segment": "in segment",
}


def operators_for_kind(kind: str) -> list[str]:
    """The operators valid for ``kind`` (segment references have their own two)."""
    if kind == "segment":
        return list(SEGMENT_OPERATORS)
    from actui.segments.operators import operators_for

    return operators_for(kind)


class ConditionRow(Widget, can_focus=False):
    """A condition row; ``to_node()`` gives its JSON node for the segment file."""

    DEFAULT_CSS = """
    ConditionRow { height: auto; padding: 0 0 1 0; }
    ConditionRow > Horizontal { height: auto; }
    ConditionRow .attribute { width: 1fr; min-width: 12; }
    ConditionRow #operator { width: 18; }
    ConditionRow .remove { width: 3; min-width: 3; }
    ConditionRow ValueInput { margin-left: 2; }
    ConditionRow.-problem { border-left: thick $error; }
    """

    def __init__(
        self,
        services: Services,
        attribute: Attribute,
        operator: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.attribute = attribute
        self.operators = operators_for_kind(attribute.kind)
        chosen = operator if operator in self.operators else None
        self.operator = chosen or DEFAULT_OPERATORS.get(attribute.kind, self.operators[0])
        self.initial_value = value

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Button(self._label(), classes="attribute", compact=True, id="attribute")
            yield Select(
                [(name, name) for name in self.operators],
                value=self.operator,
                allow_blank=False,
                id="operator",
                compact=True,
            )
            yield _mouse_only(
                Button("✕", classes="remove", compact=True, tooltip="Remove (Ctrl+R)")
            )
        yield ValueInput(self.attribute.kind, self.operator, self.initial_value)

    def _label(self) -> str:
        if self.attribute.kind == "segment":
            return f"segment: {self.attribute.column}"
        return self.attribute.column

    def on_mount(self) -> None:
        if self.attribute.kind == "string":
            self._load_picklist()

    @work(thread=True, group="picklist", exit_on_error=False)
    def _load_picklist(self) -> None:
        picklist = self.services.picklist(self.attribute.table, self.attribute.column)
        self.app.call_from_thread(self._picklist_loaded, picklist)

    def _picklist_loaded(self, picklist: PicklistValues) -> None:
        if self.is_mounted:
            self.run_worker(self.query_one(ValueInput).rebuild(self.operator, picklist))

    @on(Select.Changed, "#operator")
    async def _operator_changed(self, event: Select.Changed) -> None:
        event.stop()
        operator = str(event.value)
        if operator == self.operator:
            return
        self.operator = operator
        await self.query_one(ValueInput).rebuild(operator)
        self.post_message(SegmentEdited())

    @on(Button.Pressed, ".remove")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(ConditionRemoved(self))

    def focus_first(self) -> None:
        """Put the keyboard on the operator drop-down (after the attribute was picked)."""
        self.query_one("#operator", Select).focus()

    def to_node(self) -> dict[str, Any]:
        """This condition as a segment-file node."""
        if self.attribute.kind == "segment":
            return {"segment": self.attribute.column, "operator": self.operator}
        node: dict[str, Any] = {"attribute": self.attribute.column, "operator": self.operator}
        value = self.query_one(ValueInput).value if self.is_mounted else self.initial_value
        if value is not None:
            node["value"] = value
        return node

    def describe(self) -> str:
        """A short sentence of this condition, e.g. ``state is one of CA, WA``."""
        return describe_node(self.to_node())


def describe_node(node: dict[str, Any]) -> str:
    """A short text of a segment-file node for the per-condition sizes."""
    if "segment" in node:
        return f"{node['operator']} {node['segment']}"
    if "conditions" in node:
        return f"{node.get('match', 'all')} of {plural(len(node['conditions']), 'condition')}"
    value = node.get("value")
    if isinstance(value, list):
        shown = ", ".join(map(str, value[:3])) + (" …" if len(value) > 3 else "")
    elif isinstance(value, dict):
        shown = f"{value.get('amount')} {value.get('unit')}"
    else:
        shown = "" if value is None else str(value)
    return f"{node['attribute']} {node['operator']} {shown}".strip()


__all__ = ["SEGMENTS_GROUP", "ConditionRow", "describe_node"]


def _mouse_only(button: Button) -> Button:
    """Keep a button out of the Tab order (its key binding does the same job)."""
    button.can_focus = False
    return button
