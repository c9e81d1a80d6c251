"""The attribute-mapping editor: which Customer 360 column fills each ActiveCampaign field."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from actui.campaigns.model import FIELD_PREFIX, STANDARD_ATTRIBUTES


class MappingRow(Horizontal):
    """One ActiveCampaign field and the column that fills it."""

    DEFAULT_CSS = """
    MappingRow { height: 1; margin-bottom: 1; }
    MappingRow > Input { width: 1fr; max-width: 28; }
    MappingRow > Label { width: 3; }
    MappingRow > Select { width: 1fr; max-width: 40; }
    MappingRow > Button { width: 5; min-width: 5; margin-left: 1; }
    """

    def __init__(self, target: str, column: str | None, columns: list[str]) -> None:
        super().__init__(classes="mapping-row")
        self.target = target
        self.column = column
        self.columns = columns

    def compose(self) -> ComposeResult:
        is_email = self.target == "email"
        yield Input(
            self.target,
            placeholder="first_name, or field:<custom field title>",
            compact=True,
            disabled=is_email,
            suggester=SuggestFromList([*STANDARD_ATTRIBUTES, FIELD_PREFIX], case_sensitive=False),
            classes="mapping-target",
        )
        yield Label(" ← ")
        options = [(name, name) for name in self.columns]
        if self.column and self.column not in self.columns:
            options.append((f"{self.column} (missing)", self.column))
        yield Select(options, value=self.column or Select.NULL, prompt="Column", compact=True)
        yield Button("✕", compact=True, variant="error", disabled=is_email, tooltip="Remove")

    def read(self) -> tuple[str, str | None]:
        target = self.query_one(".mapping-target", Input).value.strip()
        column = self.query_one(Select).value
        return target, column if isinstance(column, str) else None


class CampaignMapping(Vertical):
    """Email → the email column by default; buttons add the other fields."""

    DEFAULT_CSS = """
    CampaignMapping { height: auto; }
    CampaignMapping > #mapping-rows { height: auto; }
    CampaignMapping > #mapping-problem { color: $error; height: auto; }
    CampaignMapping > Horizontal { height: auto; }
    CampaignMapping > Horizontal > Button { margin-right: 1; }
    """

    class Changed(Message):
        """The mapping was edited."""

    def __init__(
        self, attributes: dict[str, str], columns: list[str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._initial = dict(attributes)
        self.columns = columns

    def compose(self) -> ComposeResult:
        with Vertical(id="mapping-rows"):
            yield MappingRow("email", self._initial.get("email"), self.columns)
            for target, column in self._initial.items():
                if target != "email":
                    yield MappingRow(target, column, self.columns)
        yield Static("", id="mapping-problem")
        with Horizontal():
            yield Button("+ First name", id="add-first_name", compact=True)
            yield Button("+ Last name", id="add-last_name", compact=True)
            yield Button("+ Phone", id="add-phone", compact=True)
            yield Button("+ Custom", id="add-custom", compact=True)

    def attributes(self) -> dict[str, str]:
        """Field → column, for rows that name both."""
        mapping: dict[str, str] = {}
        for row in self.query(MappingRow):
            target, column = row.read()
            if target and column:
                mapping[target] = column
        return mapping

    def problem(self) -> str | None:
        """Why the mapping cannot be saved, in words; None when it can."""
        seen: set[str] = set()
        for row in self.query(MappingRow):
            target, column = row.read()
            if target == "email" and not column:
                return "Choose the column that holds the email address."
            if not target or target == FIELD_PREFIX:
                return f"Name the field each added column fills ({FIELD_PREFIX}<custom field>)."
            if target not in STANDARD_ATTRIBUTES and not target.startswith(FIELD_PREFIX):
                return f"{target!r} is not a contact field; use first_name, last_name, phone, " + (
                    f"tags or {FIELD_PREFIX}<custom field title>."
                )
            if target in seen:
                return f"The field {target!r} is mapped twice."
            if not column:
                return f"Choose a column for {target!r}."
            seen.add(target)
        return None

    def _refresh_problem(self) -> None:
        self.query_one("#mapping-problem", Static).update(self.problem() or "")
        self.post_message(self.Changed())

    def on_mount(self) -> None:
        self._refresh_problem()

    @on(Button.Pressed, "#add-first_name, #add-last_name, #add-phone, #add-custom")
    async def _add(self, event: Button.Pressed) -> None:
        event.stop()
        assert event.button.id is not None
        target = event.button.id.removeprefix("add-")
        target = FIELD_PREFIX if target == "custom" else target
        guess = next((c for c in self.columns if target and target.replace("_", "") in c), None)
        row = MappingRow(target, guess, self.columns)
        await self.query_one("#mapping-rows", Vertical).mount(row)
        (row.query_one(Input) if target == FIELD_PREFIX else row.query_one(Select)).focus()
        self._refresh_problem()

    @on(Button.Pressed, "MappingRow Button")
    async def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = next(a for a in event.button.ancestors if isinstance(a, MappingRow))
        await row.remove()
        self._refresh_problem()

    @on(Input.Changed)
    @on(Select.Changed)
    def _edited(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        self._refresh_problem()
