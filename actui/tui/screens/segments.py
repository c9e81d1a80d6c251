"""The segment builder: condition groups or SQL on the left, live audience insights on the right."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Input,
    Label,
    Select,
    Static,
    TextArea,
)
from textual.worker import get_current_worker

from actui.errors import ActuiError
from actui.tui.actions import SEGMENT_ACTIONS, bindings
from actui.tui.counting import stop_count
from actui.tui.messages import (
    AudienceCounted,
    CountFailed,
    InsightsLoaded,
    SegmentEdited,
)
from actui.tui.services import SEGMENTS_GROUP, Attribute
from actui.tui.widgets.attribute_picker import AttributePicker
from actui.tui.widgets.condition_row import ConditionRow, describe_node
from actui.tui.widgets.group_editor import GroupEditor
from actui.tui.widgets.insights_panel import InsightsPanel
from actui.tui.widgets.mode_bar import ModeBar
from actui.tui.widgets.name_dialog import NameDialog
from actui.tui.widgets.saved_segments import SavedChoice, SavedSegmentsDialog

if TYPE_CHECKING:
    from actui.segments.model import Segment
    from actui.tui.services import Services

UNTITLED = "Untitled segment"
#: the breakdown the panel starts with, first one the table has
BREAKDOWN_DEFAULTS = ("loyalty_tier", "state", "gender", "country")


class SegmentsScreen(Screen[None]):
    """Build a segment by conditions or SQL; the audience size follows every edit."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(SEGMENT_ACTIONS)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.attributes: list[Attribute] = []
        self.table = services.segment_table or ""
        self.generation = 0
        self.breakdown_attribute: str | None = None
        self._debounce: Timer | None = None
        self._descriptions: list[str] = []
        #: what the latest started count counts, its edit number and its result once known
        self._count_key: tuple[str, str | None] | None = None
        self._count_generation = 0
        self._count_result: AudienceCounted | CountFailed | None = None
        self._insights_result: InsightsLoaded | None = None

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar("segments")
        with Horizontal(id="segments-main"):
            with Vertical(id="builder-pane"):
                with Horizontal(id="segment-bar"):
                    yield Label("Name", id="segment-name-label")
                    yield Input(
                        UNTITLED, placeholder="Segment name", id="segment-name", compact=True
                    )
                    yield Static(self.table, id="segment-table")
                with ContentSwitcher(initial="builder", id="segment-mode"):
                    with VerticalScroll(id="builder"):
                        yield GroupEditor(self.services, root=True, id="root-group")
                    with Vertical(id="sql-pane"):
                        yield TextArea(id="sql", soft_wrap=True, show_line_numbers=False)
                        yield Input(
                            placeholder="email column (optional)", id="email-column", compact=True
                        )
            yield InsightsPanel(id="insights")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Segments"
        rename_key = self.services.keymap.get("actui.segment.rename", "f8").split(",")[0]
        shown = self.app.get_key_display(Binding(rename_key.strip(), "rename"))
        shown = shown.upper() if shown[:1] == "f" and shown[1:].isdigit() else shown  # as F2..F7
        self.query_one("#segment-name-label", Label).update(f"Name ({shown})")
        # after the first paint: the worker connects and imports the database layer, which
        # would otherwise compete with drawing this screen
        self.call_after_refresh(self._load_catalog)

    @property
    def root(self) -> GroupEditor:
        return self.query_one("#root-group", GroupEditor)

    @property
    def sql_mode(self) -> bool:
        return self.query_one("#segment-mode", ContentSwitcher).current == "sql-pane"

    # -- catalog -------------------------------------------------------------------------------

    def source_changed(self) -> None:
        """A (new) Customer 360 was connected: read its catalog and count again."""
        self._count_key = None
        self.table = ""  # the new source's segment table, once its catalog is read
        self._load_catalog()

    @work(thread=True, exclusive=True, group="catalog", exit_on_error=False)
    def _load_catalog(self) -> None:
        try:
            attributes = self.services.catalog()
            segments = self.services.saved_segment_names()
        except ActuiError as error:
            if self.services.source is not None:  # else the app shows the first-run screen
                self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        saved = [Attribute(SEGMENTS_GROUP, name, "segment") for name in segments]
        self.app.call_from_thread(self._catalog_loaded, attributes + saved)

    def _catalog_loaded(self, attributes: list[Attribute]) -> None:
        self.attributes = attributes
        if not self.table and self.services.segment_table:
            self.table = self.services.segment_table
            self.query_one("#segment-table", Static).update(self.table)
        names = [item.column for item in attributes if item.table == self.table]
        current = self.breakdown_attribute or next(
            (name for name in BREAKDOWN_DEFAULTS if name in names), names[0] if names else None
        )
        self.breakdown_attribute = current
        self.query_one(InsightsPanel).set_breakdown_attributes(names, current)
        self.schedule_count(delay=0.0)

    def _attributes_by_name(self) -> dict[str, Attribute]:
        return {item.column: item for item in self.attributes if item.table == self.table}

    # -- building ------------------------------------------------------------------------------

    def _target_group(self) -> GroupEditor:
        node: Widget | None = self.focused
        while node is not None:
            if isinstance(node, GroupEditor):
                return node
            parent = node.parent
            node = parent if isinstance(parent, Widget) else None
        return self.root

    def action_add_condition(self) -> None:
        """Pick an attribute, then add a condition on it to the focused group."""
        self._pick_and_add(self._target_group())

    def _pick_and_add(self, group: GroupEditor, replace: ConditionRow | None = None) -> None:
        if self.sql_mode:
            self.notify("Switch back to conditions (Ctrl+T) to add one.")
            return

        async def picked(attribute: Attribute | None) -> None:
            if attribute is None:
                return
            if not self._accept_table(attribute):
                return
            row = await group.add_condition(attribute)
            if replace is not None:
                group.body.move_child(row, before=replace)
                await group.remove_node(replace)
            row.focus_first()

        self.app.push_screen(AttributePicker(self.attributes), picked)

    def _accept_table(self, attribute: Attribute) -> bool:
        if attribute.table in (SEGMENTS_GROUP, self.table):
            return True
        if self.root.to_nodes():
            self.notify(
                f"Conditions use the table {self.table!r}; {attribute.column!r} is in "
                f"{attribute.table!r}. Remove the conditions first to switch tables.",
                severity="warning",
            )
            return False
        self.table = attribute.table
        self.query_one("#segment-table", Static).update(self.table)
        self._catalog_loaded(self.attributes)
        return True

    async def action_add_group(self) -> None:
        """Add a nested group (match any) to the focused group."""
        if self.sql_mode:
            return
        group = await self._target_group().add_group()
        group.query_one("#match", Select).focus()

    async def action_remove_focused(self) -> None:
        """Remove the condition (or group) that holds the keyboard focus."""
        node: Widget | None = self.focused
        while node is not None and not isinstance(node, ConditionRow | GroupEditor):
            parent = node.parent
            node = parent if isinstance(parent, Widget) else None
        if node is None or node is self.root:
            return
        owner = node.parent.parent if node.parent is not None else None
        if isinstance(owner, GroupEditor):
            await owner.remove_node(node)
            owner.query_one("#match", Select).focus()

    @on(GroupEditor.AddRequested)
    async def _add_requested(self, event: GroupEditor.AddRequested) -> None:
        event.stop()
        if event.group:
            group = await event.editor.add_group()
            group.query_one("#match", Select).focus()
        else:
            self._pick_and_add(event.editor)

    @on(Button.Pressed, "#attribute")
    def _change_attribute(self, event: Button.Pressed) -> None:
        row = event.button.parent.parent if event.button.parent else None
        owner = row.parent.parent if row is not None and row.parent is not None else None
        if isinstance(row, ConditionRow) and isinstance(owner, GroupEditor):
            event.stop()
            self._pick_and_add(owner, replace=row)

    async def action_toggle_sql(self) -> None:
        """Switch between the condition builder and SQL mode."""
        switcher = self.query_one("#segment-mode", ContentSwitcher)
        if self.sql_mode:
            switcher.current = "builder"
            self.root.query_one("#match", Select).focus()
        else:
            switcher.current = "sql-pane"
            self.query_one("#sql", TextArea).focus()
        self.schedule_count()

    def action_pick_breakdown(self) -> None:
        """Open the breakdown's attribute drop-down (Ctrl+B)."""
        select = self.query_one("#breakdown-attribute", Select)
        select.focus()
        select.expanded = True

    async def action_new_segment(self) -> None:
        """Start over with an empty, untitled segment."""
        await self.load_body({"version": 1, "name": UNTITLED, "conditions": []})

    # -- the segment ---------------------------------------------------------------------------

    def segment_name(self) -> str:
        return self.query_one("#segment-name", Input).value.strip() or UNTITLED

    def segment_body(self) -> dict[str, Any]:
        """The segment on screen as a segment-file object."""
        body: dict[str, Any] = {"version": 1, "name": self.segment_name()}
        if self.sql_mode:
            body["sql"] = self.query_one("#sql", TextArea).text
            email_column = self.query_one("#email-column", Input).value.strip()
            if email_column:
                body["email_column"] = email_column
            return body
        if self.table and self.table != self.services.segment_table:
            body["table"] = self.table
        body["match"] = self.root.match
        body["conditions"] = self.root.to_nodes()
        if self.services.as_of is not None:
            body["as_of"] = self.services.as_of.isoformat()
        return body

    def current_segment(self) -> Segment:
        """The segment on screen, parsed (raises SegmentError when it is not valid)."""
        from actui.segments.model import parse_segment

        return parse_segment(self.segment_body())

    async def load_body(self, body: dict[str, Any]) -> None:
        """Show a segment-file object in the builder (or SQL mode)."""
        self.query_one("#segment-name", Input).value = str(body.get("name", UNTITLED))
        switcher = self.query_one("#segment-mode", ContentSwitcher)
        await self.root.clear()
        if "sql" in body:
            self.query_one("#sql", TextArea).text = str(body["sql"])
            self.query_one("#email-column", Input).value = str(body.get("email_column") or "")
            switcher.current = "sql-pane"
        else:
            self.table = str(body.get("table") or self.services.segment_table or "")
            self.query_one("#segment-table", Static).update(self.table)
            match = str(body.get("match", "all"))
            self.root.match = match
            self.root.query_one("#match", Select).value = match
            await self.root.load(list(body.get("conditions", [])), self._attributes_by_name())
            switcher.current = "builder"
        self.schedule_count(delay=0.0)

    # -- counting ------------------------------------------------------------------------------

    @on(SegmentEdited)
    def _edited(self, event: SegmentEdited) -> None:
        event.stop()
        self.schedule_count()

    @on(TextArea.Changed, "#sql")
    @on(Input.Changed, "#email-column")
    def _sql_edited(self) -> None:
        self.schedule_count()

    @on(Select.Changed, "#breakdown-attribute")
    def _breakdown_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.breakdown_attribute:
            return
        self.breakdown_attribute = str(event.value)
        self.schedule_count(delay=0.0)

    def schedule_count(self, delay: float | None = None) -> None:
        """Count again after the debounce; a newer edit restarts the wait and wins."""
        if not self.services.configured or not self.is_mounted:
            return
        self.generation += 1
        if self._debounce is not None:
            self._debounce.stop()
        wait = self.services.count_delay if delay is None else delay
        self.query_one(InsightsPanel).counting()
        self._debounce = self.set_timer(max(wait, 0.001), self._start_count)

    def _start_count(self) -> None:
        """Start the count of the segment on screen, unless it is the one already counted."""
        self._debounce = None
        body = self.segment_body()
        key = (json.dumps(body, sort_keys=True, default=str), self.breakdown_attribute)
        if key == self._count_key:
            # an edit that changed nothing (a widget settling after a load): keep that count
            self.generation = self._count_generation
            if self._count_result is not None:
                self._show_result(self._count_result)
            if self._insights_result is not None:
                self.query_one(InsightsPanel).show_insights(self._insights_result)
            return
        if self._count_key is not None:
            stop_count(self.services, (id(self), self._count_generation))
        self._count_key, self._count_generation = key, self.generation
        self._count_result, self._insights_result = None, None
        nodes = body.get("conditions", [])
        self._descriptions = [describe_node(node) for node in nodes]
        self._count(self.generation, body, self.breakdown_attribute)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(
        self, generation: int, body: dict[str, Any], breakdown_attribute: str | None
    ) -> None:
        from actui.tui.counting import run_count, tagged_count

        worker = get_current_worker()
        with tagged_count(self.services, (id(self), generation)):
            for message in run_count(
                self.services, generation, body, breakdown_attribute, lambda: worker.is_cancelled
            ):
                if worker.is_cancelled:
                    return
                self.post_message(message)

    def _show_result(self, message: AudienceCounted | CountFailed) -> None:
        panel = self.query_one(InsightsPanel)
        if isinstance(message, AudienceCounted):
            panel.show_count(message, self._descriptions)
        else:
            panel.show_problem(message.reason, message.problems)

    # Results of the latest started count are kept even while a newer edit waits for its
    # debounce (that edit may change nothing); they are shown once no newer edit is pending.

    def on_audience_counted(self, message: AudienceCounted) -> None:
        if message.generation == self._count_generation:
            self._count_result = message
            if message.generation == self.generation:
                self._show_result(message)

    def on_insights_loaded(self, message: InsightsLoaded) -> None:
        if message.generation == self._count_generation:
            self._insights_result = message
            if message.generation == self.generation:
                self.query_one(InsightsPanel).show_insights(message)

    def on_count_failed(self, message: CountFailed) -> None:
        if message.generation == self._count_generation:
            if self._count_result is None:
                self._count_result = message
            if message.generation == self.generation:
                self._show_result(message)

    # -- saved segments ------------------------------------------------------------------------

    def action_save(self) -> None:
        """Save the segment under the name at the top; an untitled one is named first."""
        self._named_then(self._save, "Cannot save")

    def _named_then(self, then: Callable[[Segment], object], failed: str) -> None:
        """Check the segment on screen; ask for a name when it has none; then call ``then``."""
        try:
            self.current_segment()
        except ActuiError as error:
            self.notify(str(error), title=failed, severity="error", timeout=8)
            return
        if self.segment_name() != UNTITLED:
            then(self.current_segment())
            return

        def named(name: str | None) -> None:
            if name is None:
                return
            self.query_one("#segment-name", Input).value = name
            try:
                segment = self.current_segment()
            except ActuiError as error:
                self.notify(str(error), title=failed, severity="error", timeout=8)
                return
            then(segment)

        self.app.push_screen(NameDialog("Name this segment before saving it"), named)

    def action_rename(self) -> None:
        """Give the segment a new name (a saved segment is renamed where it is saved)."""
        old = self.segment_name()
        shown = "" if old == UNTITLED else old

        def renamed(name: str | None) -> None:
            if name is None or name == old:
                return
            self.query_one("#segment-name", Input).value = name
            if old != UNTITLED:
                self._rename_saved(old, name)

        self.app.push_screen(NameDialog("Rename this segment", shown, "Rename"), renamed)

    @work(thread=True, group="store", exit_on_error=False)
    def _rename_saved(self, old: str, new: str) -> None:
        from actui.segments.store import rename_segment

        if old not in self.services.saved_segment_names():
            return  # never saved: the new name is used on the next save
        try:
            rename_segment(old, new)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=8)
            return
        self.app.call_from_thread(self.notify, f"Renamed {old!r} to {new!r}.")
        self._load_catalog()

    @work(thread=True, group="store", exit_on_error=False)
    def _save(self, segment: Segment) -> None:
        from actui.segments.store import save_segment

        try:
            save_segment(segment)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=8)
            return
        self.app.call_from_thread(self.notify, f"Saved {segment.name!r}.")
        self._load_catalog()

    def action_open_saved(self) -> None:
        """Open the saved segments: load, duplicate or delete one."""
        self._open_saved()

    @work(thread=True, group="store", exit_on_error=False)
    def _open_saved(self) -> None:
        names = self.services.saved_segment_names()
        self.app.call_from_thread(
            self.app.push_screen, SavedSegmentsDialog(names), self._saved_chosen
        )

    def _saved_chosen(self, choice: SavedChoice | None) -> None:
        if choice is not None:
            self._apply_saved(choice)

    @work(thread=True, group="store", exit_on_error=False)
    def _apply_saved(self, choice: SavedChoice) -> None:
        from actui.segments.model import segment_to_dict
        from actui.segments.store import delete_segment, duplicate_segment, get_segment

        verb, name = choice
        try:
            if verb == "delete":
                delete_segment(name)
                self.app.call_from_thread(self.notify, f"Deleted {name!r}.")
                self._load_catalog()
                return
            if verb == "duplicate":
                names = set(self.services.saved_segment_names())
                copy = next(
                    candidate
                    for number in range(1, 1000)
                    if (candidate := f"{name} copy" + (f" {number}" if number > 1 else ""))
                    not in names
                )
                saved = duplicate_segment(name, copy)
                self.app.call_from_thread(self.notify, f"Saved a copy as {copy!r}.")
                self._load_catalog()
            else:
                saved = get_segment(name)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=8)
            return
        body = segment_to_dict(saved.segment)
        self.app.call_from_thread(self._load_saved_body, body)

    def _load_saved_body(self, body: dict[str, Any]) -> None:
        self.run_worker(self.load_body(body), group="load", exclusive=True)

    # -- send ----------------------------------------------------------------------------------

    def action_send(self) -> None:
        """Save the segment on screen (named first if untitled), then open the send (F9)."""
        self._named_then(self._save_and_send, "Cannot send")

    @work(thread=True, group="store", exit_on_error=False)
    def _save_and_send(self, segment: Segment) -> None:
        from actui.segments.store import save_segment
        from actui.sync.models import SendRequest

        try:
            save_segment(segment)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=8)
            return
        destination = self.services.demo_destination
        if destination is None:
            from actui.credentials import list_destinations

            names = [d.name for d in list_destinations()]
            if not names:
                self.app.call_from_thread(
                    self.notify,
                    "Add a destination first (F4: credential, user group and list), then press "
                    "F9 again.",
                    title="No destination",
                    severity="warning",
                    timeout=10,
                )
                return
            if len(names) > 1:
                self.app.call_from_thread(self._pick_destination, segment.name, names)
                return
            destination = names[0]
        request = SendRequest(segment=segment.name, destination=destination)
        self.app.call_from_thread(self._open_send, request)

    def _pick_destination(self, segment_name: str, names: list[str]) -> None:
        from actui.sync.models import SendRequest
        from actui.tui.widgets.destination_picker import DestinationPicker

        def chosen(name: str | None) -> None:
            if name:
                self._open_send(SendRequest(segment=segment_name, destination=name))

        self.app.push_screen(DestinationPicker(names), chosen)

    def _open_send(self, request: Any) -> None:
        try:
            module = importlib.import_module("actui.tui.screens.send")
        except ModuleNotFoundError:
            self.notify("Sending from the app is not available yet.", severity="warning")
            return
        self.app.push_screen(module.SendScreen(self.services, request))
