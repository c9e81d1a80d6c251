"""The value part of a condition: a widget that fits the column's type and the chosen operator."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, Static

from actui.tui.messages import SegmentEdited
from actui.tui.services import PicklistValues

NO_VALUE_OPERATORS = frozenset(
    {"is empty", "is not empty", "is true", "is false", "in segment", "not in segment"}
)
RELATIVE_OPERATORS = frozenset({"in the last", "older than", "in the next"})
MULTI_OPERATORS = frozenset({"is one of", "is not one of"})
CHOICE_OPERATORS = frozenset({"is", "is not"})
UNITS = ("days", "weeks", "months", "years")
#: relative-date presets offered first: (label, amount, unit)
PRESETS = (("30 days", 30, "days"), ("90 days", 90, "days"), ("365 days", 365, "days"))


class ValueInput(Widget):
    """Edits one condition's value; ``value`` is the JSON value, or None while it is incomplete."""

    DEFAULT_CSS = """
    ValueInput { height: auto; }
    ValueInput Horizontal { height: auto; }
    ValueInput Input { width: 1fr; }
    ValueInput .between-and { width: auto; padding: 0 1; }
    ValueInput SelectionList { height: auto; max-height: 7; }
    ValueInput #preset { width: 16; }
    ValueInput #unit { width: 12; }
    """

    def __init__(
        self,
        kind: str,
        operator: str,
        value: Any = None,
        picklist: PicklistValues | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.kind = kind
        self.operator = operator
        self.initial = value
        self.picklist = picklist

    # -- building ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        operator, value = self.operator, self.initial
        if operator in NO_VALUE_OPERATORS:
            yield Static("", classes="no-value")
        elif operator in RELATIVE_OPERATORS:
            yield from self._relative(value)
        elif operator == "between":
            low, high = value if isinstance(value, list) and len(value) == 2 else (None, None)
            with Horizontal():
                yield self._scalar_input(low, "from", "low")
                yield Static("and", classes="between-and")
                yield self._scalar_input(high, "to", "high")
        elif self.kind == "string" and self._short_picklist() and operator in MULTI_OPERATORS:
            chosen = set(value) if isinstance(value, list) else set()
            yield SelectionList[str](
                *[(f"{text}  ({count:,})", text, text in chosen) for text, count in self._values()],
                id="choices",
                compact=True,
            )
        elif self.kind == "string" and self._short_picklist() and operator in CHOICE_OPERATORS:
            yield Select[str](
                [(f"{text}  ({count:,})", text) for text, count in self._values()],
                value=value if isinstance(value, str) else Select.NULL,
                prompt="choose a value",
                id="choice",
                compact=True,
            )
        elif operator in MULTI_OPERATORS:
            text = ", ".join(map(str, value)) if isinstance(value, list) else ""
            yield Input(text, placeholder="values, separated by commas", id="text", compact=True)
        else:
            yield self._scalar_input(value, self._placeholder(), "text")

    def _relative(self, value: Any) -> ComposeResult:
        amount, unit = 30, "days"
        if isinstance(value, dict):
            amount, unit = int(value.get("amount", 30)), str(value.get("unit", "days"))
        preset = next((label for label, a, u in PRESETS if (a, u) == (amount, unit)), Select.NULL)
        with Horizontal():
            yield Select[str](
                [(label, label) for label, _, _ in PRESETS],
                value=preset,
                prompt="custom",
                id="preset",
                compact=True,
            )
            yield Input(str(amount), type="integer", id="amount", compact=True)
            yield Select[str](
                [(u, u) for u in UNITS], value=unit, id="unit", compact=True, allow_blank=False
            )

    def _scalar_input(self, value: Any, placeholder: str, id: str) -> Input:
        text = "" if value is None else str(value)
        if self.kind == "number":
            return Input(text, placeholder=placeholder, type="number", id=id, compact=True)
        return Input(text, placeholder=placeholder, id=id, compact=True)

    def _placeholder(self) -> str:
        if self.kind == "number":
            return "a number"
        if self.kind in ("date", "datetime"):
            return "YYYY-MM-DD"
        return "text"

    def _values(self) -> list[tuple[str, int]]:
        return self.picklist.values if self.picklist else []

    def _short_picklist(self) -> bool:
        return bool(self.picklist and self.picklist.complete and self.picklist.values)

    async def rebuild(self, operator: str, picklist: PicklistValues | None = None) -> None:
        """Show the widget for ``operator`` (and a newly loaded picklist), keeping the value."""
        current = self.value
        if picklist is not None:
            self.picklist = picklist
        if operator != self.operator and not _compatible(self.operator, operator):
            current = None
        self.operator, self.initial = operator, current
        await self.recompose()

    # -- reading -------------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        """The condition's value as JSON (None when the operator takes none or it is incomplete)."""
        operator = self.operator
        if operator in NO_VALUE_OPERATORS:
            return None
        if not self.is_mounted or not self.children:
            return self.initial
        if operator in RELATIVE_OPERATORS:
            amount = self.query_one("#amount", Input).value.strip()
            unit = self.query_one("#unit", Select).value
            if not amount.lstrip("-").isdigit():
                return None
            return {"amount": int(amount), "unit": str(unit)}
        if operator == "between":
            low = self._scalar(self.query_one("#low", Input).value)
            high = self._scalar(self.query_one("#high", Input).value)
            return None if low is None or high is None else [low, high]
        if self.query("#choices"):
            return list(self.query_one("#choices", SelectionList).selected) or None
        if self.query("#choice"):
            choice = self.query_one("#choice", Select).value
            return None if choice is Select.NULL else str(choice)
        text = self.query_one("#text", Input).value
        if operator in MULTI_OPERATORS:
            items = [item.strip() for item in text.split(",") if item.strip()]
            return items or None
        return self._scalar(text)

    def _scalar(self, text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        if self.kind == "number":
            try:
                number = float(text)
            except ValueError:
                return text
            return int(number) if number.is_integer() else number
        return text

    # -- events --------------------------------------------------------------------------------

    @on(Select.Changed, "#preset")
    def _preset(self, event: Select.Changed) -> None:
        event.stop()
        for label, amount, unit in PRESETS:
            if label == event.value:
                self.query_one("#amount", Input).value = str(amount)
                self.query_one("#unit", Select).value = unit
        self.post_message(SegmentEdited())

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(
        self, event: Input.Changed | Select.Changed | SelectionList.SelectedChanged[str]
    ) -> None:
        event.stop()
        self.post_message(SegmentEdited())


#: operators whose values have the same shape, so switching between them keeps the value
SAME_SHAPE = (
    MULTI_OPERATORS,
    RELATIVE_OPERATORS,
    CHOICE_OPERATORS
    | {"contains", "does not contain", "starts with", "ends with"}
    | {"less than", "at most", "greater than", "at least", "is on", "before", "after"},
)


def _compatible(old: str, new: str) -> bool:
    return any(old in group and new in group for group in SAME_SHAPE)
