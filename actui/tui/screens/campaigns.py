"""The campaign editor: audience, exclusions, sub-audiences, groups, mapping, preview, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from actui.campaigns.model import Campaign, campaign_to_dict, campaign_to_json, parse_campaign
from actui.errors import ActuiError
from actui.tui.actions import CAMPAIGN_ACTIONS, bindings
from actui.tui.widgets.campaign_file_dialog import CampaignFileDialog
from actui.tui.widgets.campaign_groups import CampaignGroups, GroupDraft
from actui.tui.widgets.campaign_mapping import CampaignMapping
from actui.tui.widgets.campaign_preview import (
    CampaignPreviewPanel,
    PreviewFigures,
    PreviewGroupRow,
)
from actui.tui.widgets.campaign_results import CampaignResultsPanel
from actui.tui.widgets.confirm_dialog import ConfirmDialog
from actui.tui.widgets.mode_bar import ModeBar

if TYPE_CHECKING:
    from actui.campaigns.preview import CampaignPreview
    from actui.tui.services import Services

EVERYONE_ELSE = "__everyone_else__"
INLINE_PREFIX = "__inline__:"


@dataclass
class SubAudienceDraft:
    """A sub-audience as the editor holds it; ``name == ''`` means "no sub-audiences"."""

    name: str
    segment: str | None
    groups: list[GroupDraft] = field(default_factory=list)


@dataclass
class CampaignDraft:
    """The campaign being edited, in the editor's terms."""

    id: str | None = None
    name: str = ""
    audience: str | None = None
    exclusions: list[str] = field(default_factory=list)
    sub_audiences: list[SubAudienceDraft] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=lambda: {"email": "email"})
    extra: dict[str, Any] = field(default_factory=dict)


def draft_from_campaign(campaign: Campaign, inline: dict[str, Any]) -> CampaignDraft:
    """Editor state for a saved campaign; inline segments are kept aside under a key."""
    data = campaign_to_dict(campaign)

    def ref(value: Any, where: str) -> str:
        if isinstance(value, dict):
            key = f"{INLINE_PREFIX}{where}"
            inline[key] = value
            return key
        return str(value)

    subs = [
        SubAudienceDraft(
            name=sub["name"],
            segment=ref(sub["segment"], f"sub:{sub['name']}") if sub.get("segment") else None,
            groups=[GroupDraft.from_json(g) for g in sub["groups"]],
        )
        for sub in data.get("sub_audiences", [])
    ]
    if not subs:
        subs = [
            SubAudienceDraft("", None, [GroupDraft.from_json(g) for g in data.get("groups", [])])
        ]
    extra = {
        key: data[key]
        for key in ("list_template", "attribute_table", "customer_key", "outcome")
        if data.get(key) is not None
    }
    return CampaignDraft(
        id=campaign.id,
        name=campaign.name,
        audience=ref(data["audience"], "audience"),
        exclusions=[
            ref(value, f"exclusion:{i}") for i, value in enumerate(data.get("exclusions", []))
        ],
        sub_audiences=subs,
        attributes=dict(campaign.attributes),
        extra=extra,
    )


def draft_to_json(draft: CampaignDraft, inline: dict[str, Any]) -> dict[str, Any]:
    """The draft in the campaign file format (what :func:`parse_campaign` validates)."""

    def ref(value: str) -> Any:
        return inline.get(value, value)

    data: dict[str, Any] = {"version": 1, "name": draft.name.strip()}
    if draft.id:
        data["id"] = draft.id
    data["audience"] = ref(draft.audience) if draft.audience else ""
    if draft.exclusions:
        data["exclusions"] = [ref(value) for value in draft.exclusions]
    if len(draft.sub_audiences) == 1 and not draft.sub_audiences[0].name:
        data["groups"] = [g.to_json() for g in draft.sub_audiences[0].groups]
    else:
        data["sub_audiences"] = [
            {
                "name": sub.name,
                **({"segment": ref(sub.segment)} if sub.segment else {}),
                "groups": [g.to_json() for g in sub.groups],
            }
            for sub in draft.sub_audiences
        ]
    data["attributes"] = dict(draft.attributes)
    data.update(draft.extra)
    return data


def new_draft(destinations: list[str], email_column: str | None) -> CampaignDraft:
    """A fresh campaign: one sending group to the first destination and a 10 % control group."""
    destination = destinations[0] if destinations else ""
    return CampaignDraft(
        sub_audiences=[
            SubAudienceDraft(
                "",
                None,
                [GroupDraft("Treatment", 90, False, destination), GroupDraft("Control", 10, True)],
            )
        ],
        attributes={"email": email_column or "email"},
    )


def preview_figures(preview: CampaignPreview) -> PreviewFigures:
    """The core preview as the panel's figures."""
    return PreviewFigures(
        customers=preview.customers,
        contacts=preview.contacts,
        duplicate_email=preview.duplicate_email,
        missing_email=preview.missing_email,
        invalid_email=preview.invalid_email,
        excluded=preview.excluded,
        groups=[
            PreviewGroupRow(
                sub_audience=group.sub_audience or "",
                group=group.group,
                control=group.control,
                size=group.size,
                destination=group.destination,
                list_name=group.list_name,
            )
            for group in preview.groups
        ],
    )


@dataclass
class EditorChoices:
    """What the editor's pickers offer: saved segments, destinations, attribute columns."""

    segments: list[str]
    destinations: list[str]
    columns: list[str]
    email_column: str | None


@dataclass
class CampaignChoicesLoaded(Message):
    """The saved campaigns and the pickers' choices were read."""

    choices: EditorChoices
    names: list[str]
    select: str | None


@dataclass
class CampaignLoaded(Message):
    """A campaign to edit (None: start a new one)."""

    campaign: Campaign | None


def load_choices(services: Services) -> EditorChoices:
    """Saved segments, destinations and the attribute table's columns (blocking)."""
    from actui.credentials import list_destinations
    from actui.segments.store import list_segments

    segments = [summary.name for summary in list_segments()]
    destinations = [destination.name for destination in list_destinations()]
    columns: list[str] = []
    email_column: str | None = None
    if services.configured:
        source = services.require_source()
        table = source.attribute_table
        columns = [column.name for column in source.columns(table)]
        email_column = source.email_column(table)
    return EditorChoices(segments, destinations, columns, email_column)


class CampaignsScreen(Screen[None]):
    """Saved campaigns on the left; the editor's tabs on the right."""

    DEFAULT_CSS = """
    CampaignsScreen #campaign-body { height: 1fr; }
    CampaignsScreen #campaign-side { width: 22; border-right: vkey $primary-darken-2; }
    CampaignsScreen #campaign-side OptionList { height: 1fr; border: none; }
    CampaignsScreen #campaign-side .title { padding: 0 1; }
    CampaignsScreen #campaign-tabs { width: 1fr; }
    CampaignsScreen Label { margin-top: 1; }
    CampaignsScreen #campaign-name, CampaignsScreen #campaign-audience { width: 1fr; }
    CampaignsScreen SelectionList { height: auto; max-height: 10; border: round $primary-darken-2; }
    CampaignsScreen #sub-bar, CampaignsScreen #sub-edit { height: auto; margin-bottom: 1; }
    CampaignsScreen #sub-bar Select { width: 1fr; max-width: 30; }
    CampaignsScreen #sub-bar Button { margin-left: 1; }
    CampaignsScreen #sub-edit Input { width: 24; }
    CampaignsScreen #sub-edit Select { width: 1fr; margin-left: 1; }
    CampaignsScreen #campaign-problem { color: $error; height: auto; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [*bindings(CAMPAIGN_ACTIONS)]

    def __init__(self, services: Services) -> None:
        super().__init__(name="Campaigns")
        self.services = services
        self.choices = EditorChoices([], [], [], None)
        self.draft = new_draft([], None)
        self.inline: dict[str, Any] = {}
        self.current_sub = 0
        self.saved_names: list[str] = []
        self.loaded = False

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar("campaigns")
        with Horizontal(id="campaign-body"):
            with Vertical(id="campaign-side"):
                yield Static("Campaigns", classes="title")
                yield OptionList(id="campaign-list")
            with TabbedContent(id="campaign-tabs"):
                with TabPane("Audience", id="tab-audience"), VerticalScroll():
                    yield Label("Name")
                    yield Input(placeholder="e.g. Spring promo", id="campaign-name", compact=True)
                    yield Label("Audience (a saved segment)")
                    yield Select(
                        [], prompt="Choose a segment", id="campaign-audience", compact=True
                    )
                    yield Label("Exclusions (always win: never sent)")
                    yield SelectionList[str](id="campaign-exclusions")
                with TabPane("Groups", id="tab-groups"), VerticalScroll(id="groups-scroll"):
                    with Horizontal(id="sub-bar"):
                        yield Select(
                            [("All members", 0)], allow_blank=False, id="sub-picker", compact=True
                        )
                        yield Button("+ Sub-audience", id="sub-add", compact=True)
                        yield Button("Remove", id="sub-remove", compact=True, variant="error")
                    with Horizontal(id="sub-edit"):
                        yield Input(placeholder="Sub-audience name", id="sub-name", compact=True)
                        yield Select([], prompt="Segment", id="sub-segment", compact=True)
                    yield CampaignGroups([], [], id="campaign-groups")
                with (
                    TabPane("Attributes", id="tab-attributes"),
                    VerticalScroll(id="attributes-scroll"),
                ):
                    yield CampaignMapping({"email": "email"}, [], id="campaign-mapping")
                with TabPane("Preview", id="tab-preview"):
                    yield CampaignPreviewPanel(id="campaign-preview")
                with TabPane("Results", id="tab-results"):
                    yield CampaignResultsPanel(id="campaign-results")
        yield Static("", id="campaign-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.load_everything()

    # -- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="campaigns-load", exit_on_error=False)
    def load_everything(self, select: str | None = None) -> None:
        """Read the saved campaigns and the pickers' choices off the UI thread."""
        from actui.campaigns.store import list_campaigns

        try:
            choices = load_choices(self.services)
            names = [summary.name for summary in list_campaigns()]
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.post_message(CampaignChoicesLoaded(choices, names, select))

    async def on_campaign_choices_loaded(self, message: CampaignChoicesLoaded) -> None:
        choices, names, select = message.choices, message.names, message.select
        first_load = not self.loaded
        self.loaded = True
        self.choices = choices
        self.saved_names = names
        listing = self.query_one("#campaign-list", OptionList)
        listing.set_options(Option(name, id=name) for name in names)
        if select in names:
            listing.highlighted = names.index(select)
        if not first_load:
            return
        if names:  # open the first saved campaign
            listing.highlighted = 0
            self.open_campaign(names[0])
            return
        self.draft = new_draft(choices.destinations, choices.email_column)
        await self._show_draft()

    @on(OptionList.OptionSelected, "#campaign-list")
    def _campaign_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_campaign(event.option.id)

    @work(thread=True, exclusive=True, group="campaign-open", exit_on_error=False)
    def open_campaign(self, name: str) -> None:
        """Load a saved campaign into the editor."""
        from actui.campaigns.store import get_campaign

        try:
            campaign = get_campaign(name)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.post_message(CampaignLoaded(campaign))

    async def on_campaign_loaded(self, message: CampaignLoaded) -> None:
        if message.campaign is None:
            await self.action_new_campaign()
            return
        self.inline = {}
        self.draft = draft_from_campaign(message.campaign, self.inline)
        await self._show_draft()

    # -- draft <-> widgets ---------------------------------------------------------------------

    def _segment_options(self, extra: list[str]) -> list[tuple[str, str]]:
        names = list(self.choices.segments)
        options = [(name, name) for name in names]
        for value in extra:
            if value and value not in names:
                label = (
                    "(inline segment)" if value.startswith(INLINE_PREFIX) else f"{value} (missing)"
                )
                options.append((label, value))
        return options

    async def _show_draft(self) -> None:
        draft = self.draft
        self.query_one("#campaign-name", Input).value = draft.name
        audience: Select[str] = self.query_one("#campaign-audience", Select)
        audience.set_options(self._segment_options([draft.audience or ""]))
        audience.value = draft.audience if draft.audience else Select.NULL
        exclusions: SelectionList[str] = self.query_one("#campaign-exclusions", SelectionList)
        exclusions.clear_options()
        exclusions.add_options(
            (label, value, value in draft.exclusions)
            for label, value in self._segment_options(draft.exclusions)
        )
        self.current_sub = 0
        await self._show_sub_audience()
        mapping_pane = self.query_one("#attributes-scroll", VerticalScroll)
        await mapping_pane.remove_children()
        await mapping_pane.mount(
            CampaignMapping(draft.attributes, self.choices.columns, id="campaign-mapping")
        )
        self._check()

    def _has_sub_audiences(self) -> bool:
        subs = self.draft.sub_audiences
        return not (len(subs) == 1 and not subs[0].name)

    async def _show_sub_audience(self) -> None:
        subs = self.draft.sub_audiences
        has_subs = self._has_sub_audiences()
        picker: Select[int] = self.query_one("#sub-picker", Select)
        labels = [(sub.name or "All members", index) for index, sub in enumerate(subs)]
        picker.set_options(labels)
        picker.value = self.current_sub
        self.query_one("#sub-remove", Button).disabled = not has_subs
        sub_edit = self.query_one("#sub-edit", Horizontal)
        sub_edit.display = has_subs
        sub = subs[self.current_sub]
        self.query_one("#sub-name", Input).value = sub.name
        segment: Select[str] = self.query_one("#sub-segment", Select)
        options = [("Everyone else", EVERYONE_ELSE), *self._segment_options([sub.segment or ""])]
        segment.set_options(options)
        segment.value = sub.segment or EVERYONE_ELSE
        scroll = self.query_one("#groups-scroll", VerticalScroll)
        await self.query_one(CampaignGroups).remove()
        await scroll.mount(
            CampaignGroups(sub.groups, self.choices.destinations, id="campaign-groups")
        )

    def _collect(self) -> CampaignDraft:
        """Copy the widgets' values into the draft and return it."""
        draft = self.draft
        draft.name = self.query_one("#campaign-name", Input).value.strip()
        audience = self.query_one("#campaign-audience", Select).value
        draft.audience = audience if isinstance(audience, str) else None
        draft.exclusions = list(self.query_one("#campaign-exclusions", SelectionList).selected)
        sub = draft.sub_audiences[self.current_sub]
        sub.groups = self.query_one(CampaignGroups).groups()
        if self._has_sub_audiences():
            sub.name = self.query_one("#sub-name", Input).value.strip()
            segment = self.query_one("#sub-segment", Select).value
            sub.segment = segment if isinstance(segment, str) and segment != EVERYONE_ELSE else None
        draft.attributes = self.query_one(CampaignMapping).attributes()
        return draft

    def _campaign(self) -> Campaign | None:
        """The edited campaign, validated; None with the problems shown when it is not valid."""
        draft = self._collect()
        problem = self._local_problem(draft)
        if problem is None:
            try:
                return parse_campaign(draft_to_json(draft, self.inline), "The campaign")
            except ActuiError as error:
                problem = str(error)
        self.query_one("#campaign-problem", Static).update(problem)
        return None

    def _local_problem(self, draft: CampaignDraft) -> str | None:
        if not draft.name:
            return "Name the campaign."
        if not draft.audience:
            return "Choose the audience segment."
        groups_problem = self.query_one(CampaignGroups).problem()
        if groups_problem:
            return groups_problem
        return self.query_one(CampaignMapping).problem()

    def _check(self) -> None:
        draft = self._collect()
        self.query_one("#campaign-problem", Static).update(self._local_problem(draft) or "")

    @on(CampaignGroups.Changed)
    @on(CampaignMapping.Changed)
    @on(Input.Changed, "#campaign-name")
    @on(Select.Changed, "#campaign-audience")
    def _edited(self) -> None:
        if self.is_mounted:
            self._check()

    # -- sub-audiences -------------------------------------------------------------------------

    @on(Select.Changed, "#sub-picker")
    async def _sub_picked(self, event: Select.Changed) -> None:
        index = event.value
        if not isinstance(index, int) or index == self.current_sub:
            return
        self._collect()
        self.current_sub = index
        await self._show_sub_audience()

    @on(Button.Pressed, "#sub-add")
    async def _sub_add(self) -> None:
        self._collect()
        subs = self.draft.sub_audiences
        destination = self.choices.destinations[0] if self.choices.destinations else ""
        if not self._has_sub_audiences():
            subs[0].name = "Everyone else"
        segment = self.choices.segments[0] if self.choices.segments else None
        new = SubAudienceDraft(
            f"Sub-audience {len(subs) + 1}",
            segment,
            [GroupDraft("All", 100, False, destination)],
        )
        subs.insert(max(0, len(subs) - 1), new)  # everyone else stays last
        self.current_sub = subs.index(new)
        await self._show_sub_audience()
        self.query_one("#sub-name", Input).focus()

    @on(Button.Pressed, "#sub-remove")
    async def _sub_remove(self) -> None:
        subs = self.draft.sub_audiences
        if not self._has_sub_audiences():
            return
        self._collect()
        del subs[self.current_sub]
        if len(subs) == 1:
            subs[0].name, subs[0].segment = "", None
        self.current_sub = min(self.current_sub, len(subs) - 1)
        await self._show_sub_audience()

    # -- actions -------------------------------------------------------------------------------

    async def action_new_campaign(self) -> None:
        self.inline = {}
        self.draft = new_draft(self.choices.destinations, self.choices.email_column)
        await self._show_draft()
        self.query_one(TabbedContent).active = "tab-audience"
        self.query_one("#campaign-name", Input).focus()

    def action_save(self) -> None:
        campaign = self._campaign()
        if campaign is not None:
            self.save_campaign(campaign)

    @work(thread=True, exclusive=True, group="campaign-save", exit_on_error=False)
    def save_campaign(self, campaign: Campaign, then_send: bool = False) -> None:
        from actui.campaigns.store import save_campaign

        try:
            saved = save_campaign(campaign)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.draft.id = saved.id
        self.app.call_from_thread(self.notify, f"Campaign {saved.name!r} saved.", title="Saved")
        self.load_everything(select=saved.name)
        if then_send:
            self.app.call_from_thread(self._open_send, saved.name)

    def action_preview(self) -> None:
        campaign = self._campaign()
        if campaign is None:
            return
        self.query_one(TabbedContent).active = "tab-preview"
        self.query_one(CampaignPreviewPanel).show_loading()
        self.run_preview(campaign)

    @work(thread=True, exclusive=True, group="campaign-preview", exit_on_error=False)
    def run_preview(self, campaign: Campaign) -> None:
        """Count each group in the database (a newer preview cancels an older one)."""
        from textual.worker import get_current_worker

        from actui.campaigns.plan import build_plan
        from actui.campaigns.preview import preview

        panel = self.query_one(CampaignPreviewPanel)
        try:
            plan = build_plan(
                campaign, self.services.require_source(), self.services.segment_resolver()
            )
            if get_current_worker().is_cancelled:
                return
            result = preview(plan, sample=0)
        except ActuiError as error:
            self.app.call_from_thread(panel.show_failure, str(error))
            return
        except Exception as error:  # a database error: shown in words, the screen stays usable
            self.app.call_from_thread(panel.show_failure, f"{type(error).__name__}: {error}")
            return
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(panel.show, preview_figures(result))

    def action_results(self) -> None:
        """Open the Results tab and measure the campaign's latest completed send."""
        campaign = self._campaign()
        if campaign is None:
            return
        self.query_one(TabbedContent).active = "tab-results"
        self.query_one(CampaignResultsPanel).show_loading()
        self.run_results(campaign)

    @on(Button.Pressed, "#results-refresh")
    def _refresh_results(self) -> None:
        self.action_results()

    @work(thread=True, exclusive=True, group="campaign-results", exit_on_error=False)
    def run_results(self, campaign: Campaign) -> None:
        """Total each recorded group's outcomes in the database, off the UI thread."""
        from textual.worker import get_current_worker

        from actui.results import campaign_results
        from actui.state import state_engine

        panel = self.query_one(CampaignResultsPanel)
        try:
            result = campaign_results(campaign, self.services.require_source(), state_engine())
        except ActuiError as error:
            self.app.call_from_thread(panel.show_failure, str(error))
            return
        except Exception as error:  # a database error: shown in words, the screen stays usable
            self.app.call_from_thread(panel.show_failure, f"{type(error).__name__}: {error}")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(panel.show, result)

    def action_send(self) -> None:
        """Save the campaign (when valid) and open the send confirmation with its dry run."""
        campaign = self._campaign()
        if campaign is None:
            self.notify("Fix the campaign before sending it.", severity="warning")
            return
        self.save_campaign(campaign, then_send=True)

    def _open_send(self, name: str) -> None:
        from actui.sync.models import SendRequest
        from actui.tui.screens.send import SendScreen

        self.app.push_screen(SendScreen(self.services, SendRequest(campaign=name, db_url=None)))

    def action_delete(self) -> None:
        name = self.draft.name
        campaign_id = self.draft.id
        if campaign_id is None or not name:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_campaign(campaign_id, name)

        self.app.push_screen(
            ConfirmDialog(f"Delete the campaign {name!r}? This cannot be undone."), answered
        )

    @work(thread=True, exclusive=True, group="campaign-save", exit_on_error=False)
    def delete_campaign(self, campaign_id: str, name: str) -> None:
        from actui.campaigns.store import delete_campaign

        try:
            delete_campaign(campaign_id)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, f"Campaign {name!r} deleted.")
        self.load_everything()
        self.post_message(CampaignLoaded(None))

    def action_import_file(self) -> None:
        self.app.push_screen(
            CampaignFileDialog("Import a campaign file", "Import"), self._import_path
        )

    def _import_path(self, path: str | None) -> None:
        if path:
            self.import_campaign(Path(path).expanduser())

    @work(thread=True, exclusive=True, group="campaign-save", exit_on_error=False)
    def import_campaign(self, path: Path) -> None:
        from actui.campaigns.model import CampaignError
        from actui.campaigns.store import import_campaign
        from actui.jsonfiles import parse_json_text, read_json_file

        try:
            text, source_name = read_json_file(path, "campaign", CampaignError)
            data = parse_json_text(text, source_name, CampaignError)
            campaign = import_campaign(data, source_name)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Imported {campaign.name!r}.", title="Import")
        self.post_message(CampaignLoaded(campaign))
        self.load_everything(select=campaign.name)

    def action_export_file(self) -> None:
        campaign = self._campaign()
        if campaign is None:
            return
        default = f"{campaign.name.lower().replace(' ', '-')}.json"
        self.app.push_screen(
            CampaignFileDialog("Export the campaign to a file", "Export", default),
            lambda path: self._export_to(campaign, path),
        )

    def _export_to(self, campaign: Campaign, path: str | None) -> None:
        if path:
            self._write_export(campaign, Path(path).expanduser())

    @work(thread=True, group="campaign-export", exit_on_error=False)
    def _write_export(self, campaign: Campaign, target: Path) -> None:
        """Write the campaign file off the UI thread (a slow or network path must not freeze it)."""
        try:
            target.write_text(campaign_to_json(campaign), encoding="utf-8")
        except OSError as error:
            message = f"Cannot write {target}: {error.strerror}."
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        self.app.call_from_thread(self.notify, f"Exported to {target}.", title="Export")
