"""The destinations screen: keyring credentials, the destinations using them, and their tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from actui.credentials import (
    CheckResult,
    Destination,
    add_credential,
    delete_destination,
    get_credential,
    list_credentials,
    list_destinations,
    make_destination,
    remove_credential,
    save_destination,
    test_destination,
)
from actui.errors import ActuiError
from actui.tui.actions import DESTINATION_ACTIONS, bindings
from actui.tui.widgets.confirm_dialog import ConfirmDialog
from actui.tui.widgets.credential_form import CredentialDraft, CredentialForm
from actui.tui.widgets.destination_checks import DestinationChecks
from actui.tui.widgets.destination_form import DestinationForm
from actui.tui.widgets.mode_bar import ModeBar

if TYPE_CHECKING:
    from actui.tui.services import Services


class DestinationsScreen(Screen[None]):
    """Lists on the left; the destination or credential form, with test results, on the right."""

    DEFAULT_CSS = """
    DestinationsScreen #destinations-body { height: 1fr; }
    DestinationsScreen #destinations-side { width: 28; border-right: vkey $primary-darken-2; }
    DestinationsScreen #destinations-side OptionList { height: 1fr; border: none; }
    DestinationsScreen #destinations-side Static { padding: 0 1; text-style: bold; color: $accent; }
    DestinationsScreen #destinations-main { width: 1fr; }
    DestinationsScreen #check-actions { height: auto; padding: 0 1; }
    DestinationsScreen #check-actions Button { margin-right: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [*bindings(DESTINATION_ACTIONS)]

    def __init__(self, services: Services) -> None:
        super().__init__(name="Destinations")
        self.services = services
        self.destinations: list[Destination] = []
        self.credentials: list[str] = []
        self.last_results: list[CheckResult] = []
        self._tabs_ready = False
        self._requested_tab: str | None = None

    def compose(self) -> ComposeResult:
        yield ModeBar("destinations")
        with Horizontal(id="destinations-body"):
            with Vertical(id="destinations-side"):
                yield Static("Destinations")
                yield OptionList(id="destination-list")
                yield Static("Credentials")
                yield OptionList(id="credential-list")
            with TabbedContent(id="destinations-main", initial="tab-destination"):
                with TabPane("Destination", id="tab-destination"), VerticalScroll():
                    yield DestinationForm([], id="destination-form")
                    yield DestinationChecks(id="destination-checks")
                    yield Horizontal(id="check-actions")
                with TabPane("Credential", id="tab-credential"), VerticalScroll():
                    yield CredentialForm(id="credential-form")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#destination-list", OptionList).focus()
        self.reload()

    # -- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="destinations-load", exit_on_error=False)
    def reload(self, select: str | None = None) -> None:
        """Read credentials and destinations (keyring and state database) off the UI thread."""
        try:
            credentials = list_credentials()
            destinations = list_destinations()
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            credentials, destinations = [], []
        self.app.call_from_thread(self._show_lists, credentials, destinations, select)

    def _show_lists(
        self, credentials: list[str], destinations: list[Destination], select: str | None
    ) -> None:
        self.credentials, self.destinations = credentials, destinations
        destination_list = self.query_one("#destination-list", OptionList)
        destination_list.set_options(
            Option(f"{d.name}  [dim]{d.list_name}[/dim]", id=d.name) for d in destinations
        )
        credential_list = self.query_one("#credential-list", OptionList)
        credential_list.set_options(Option(name, id=name) for name in credentials)
        self.query_one(DestinationForm).set_credentials(credentials)
        if select is not None:
            index = next((i for i, d in enumerate(destinations) if d.name == select), None)
            if index is not None:
                destination_list.highlighted = index
        elif destinations and not self.query_one(DestinationForm).read()["name"]:
            destination_list.highlighted = 0
            self.open_destination(destinations[0])

    # -- choosing ------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#destination-list")
    def _destination_chosen(self, event: OptionList.OptionSelected) -> None:
        destination = next((d for d in self.destinations if d.name == event.option.id), None)
        if destination is not None:
            self.open_destination(destination)

    @on(OptionList.OptionSelected, "#credential-list")
    def _credential_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_credential(event.option.id)

    def open_destination(self, destination: Destination) -> None:
        """Show a saved destination in the form."""
        self.query_one(TabbedContent).active = "tab-destination"
        self.query_one(DestinationForm).load(destination.model_dump(by_alias=True))
        self.query_one(DestinationChecks).update("")
        self.query_one("#check-actions", Horizontal).remove_children()

    @on(TabbedContent.TabActivated, "#destinations-main")
    def _first_tab_shown(self) -> None:
        """The tabs' own first activation must not undo a tab chosen while they mounted."""
        if not self._tabs_ready:
            self._tabs_ready = True
            if self._requested_tab:
                self.query_one(TabbedContent).active = self._requested_tab

    def open_credential(self, name: str) -> None:
        """Show a credential to replace its key (the URL is read from the keyring)."""
        if not self._tabs_ready:  # opened from elsewhere (an error's action) as the screen mounts
            self._requested_tab = "tab-credential"
        self.query_one(TabbedContent).active = "tab-credential"
        self.query_one(CredentialForm).load(name)
        self._load_credential_url(name)

    @work(thread=True, exclusive=True, group="credential-url", exit_on_error=False)
    def _load_credential_url(self, name: str) -> None:
        try:
            url = get_credential(name).url
        except ActuiError:
            return
        self.app.call_from_thread(self.query_one(CredentialForm).load, name, url)

    # -- actions -------------------------------------------------------------------------------

    def action_new_destination(self) -> None:
        self.query_one(TabbedContent).active = "tab-destination"
        self.query_one(DestinationForm).clear()
        self.query_one(DestinationChecks).update("")

    def action_new_credential(self) -> None:
        self.query_one(TabbedContent).active = "tab-credential"
        form = self.query_one(CredentialForm)
        form.load("")
        form.query_one("#credential-name").focus()

    def action_save(self) -> None:
        if self.query_one(TabbedContent).active == "tab-credential":
            self.save_credential()
        else:
            self.save_destination()

    def action_test(self) -> None:
        self.test_destination()

    def action_delete(self) -> None:
        if self.query_one(TabbedContent).active == "tab-credential":
            self.remove_credential()
        else:
            self.delete_destination()

    @on(Button.Pressed, "#credential-save")
    def _credential_save_pressed(self) -> None:
        self.save_credential()

    @on(Button.Pressed, "#credential-remove")
    def _credential_remove_pressed(self) -> None:
        self.remove_credential()

    @on(Button.Pressed, "#destination-save")
    def _destination_save_pressed(self) -> None:
        self.save_destination()

    @on(Button.Pressed, "#destination-test")
    def _destination_test_pressed(self) -> None:
        self.test_destination()

    @on(Button.Pressed, "#destination-delete")
    def _destination_delete_pressed(self) -> None:
        self.delete_destination()

    @on(Button.Pressed, "#open-credential")
    def _open_credential_pressed(self, event: Button.Pressed) -> None:
        name = self.query_one(DestinationForm).read().get("credential")
        if isinstance(name, str):
            self.open_credential(name)

    # -- workers -------------------------------------------------------------------------------

    def save_credential(self) -> None:
        """Store the form's credential in the keyring."""
        draft = self.query_one(CredentialForm).read()
        if not draft.name or not draft.url or not draft.key:
            self.notify(
                "Give the credential a name, its account URL and its API key.", severity="warning"
            )
            return
        self._store_credential(draft)

    @work(thread=True, exclusive=True, group="credential-save", exit_on_error=False)
    def _store_credential(self, draft: CredentialDraft) -> None:
        """Blocking keyring write (a Secret Service may prompt), off the UI thread."""
        form = self.query_one(CredentialForm)
        try:
            add_credential(draft.name, draft.url, draft.key)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.app.call_from_thread(form.clear_key)
        self.app.call_from_thread(
            self.notify, f"Credential {draft.name!r} stored in the keyring.", title="Saved"
        )
        self.reload()

    def remove_credential(self) -> None:
        name = self.query_one(CredentialForm).read().name
        if not name:
            return
        users = [d.name for d in self.destinations if d.credential == name]
        if users:
            self.notify(
                f"Credential {name!r} is used by {', '.join(users)}; delete or change those first.",
                severity="warning",
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove_credential(name)

        self.app.push_screen(
            ConfirmDialog(
                f"Remove the credential {name!r}? Its API key is deleted from the keyring.",
                "Remove",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="credential-save", exit_on_error=False)
    def _remove_credential(self, name: str) -> None:
        try:
            remove_credential(name)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Credential {name!r} removed.")
        self.reload()

    def _form_destination(self) -> Destination | None:
        try:
            return make_destination(**self.query_one(DestinationForm).read())
        except ActuiError as error:
            self.notify(str(error), severity="error", timeout=10)
            return None

    def save_destination(self) -> None:
        destination = self._form_destination()
        if destination is not None:
            self._store_destination(destination)

    @work(thread=True, exclusive=True, group="destination-save", exit_on_error=False)
    def _store_destination(self, destination: Destination) -> None:
        try:
            save_destination(destination)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.app.call_from_thread(
            self.notify, f"Destination {destination.name!r} saved.", title="Saved"
        )
        self.reload(select=destination.name)

    def delete_destination(self) -> None:
        name = self.query_one(DestinationForm).read().get("name")
        if not name:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete_destination(name)

        self.app.push_screen(
            ConfirmDialog(f"Delete the destination {name!r}? This cannot be undone."), answered
        )

    @work(thread=True, exclusive=True, group="destination-save", exit_on_error=False)
    def _delete_destination(self, name: str) -> None:
        try:
            delete_destination(name)
        except ActuiError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Destination {name!r} deleted.")
        self.app.call_from_thread(self.query_one(DestinationForm).clear)
        self.reload()

    @work(exclusive=True, group="destination-test", exit_on_error=False)
    async def test_destination(self) -> None:
        """Run the checks (credential, API key, user group, list) and show each line."""
        destination = self._form_destination()
        if destination is None:
            return
        self.query_one(TabbedContent).active = "tab-destination"
        checks = self.query_one(DestinationChecks)
        checks.show_testing(destination.name)
        try:
            results = await test_destination(destination)
        except ActuiError as error:
            checks.show_failure(str(error))
            return
        self.last_results = results
        checks.show_results(results)
        await self._offer_fixes(destination, results)

    async def _offer_fixes(self, destination: Destination, results: list[CheckResult]) -> None:
        """Errors as actions: a refused or missing credential gets a button that opens it."""
        actions = self.query_one("#check-actions", Horizontal)
        await actions.remove_children()
        failed = {result.check for result in results if not result.ok and result.fix}
        if failed & {"credential", "api key"}:
            label = (
                f"Add credential {destination.credential!r}"
                if "credential" in failed
                else f"Open credential {destination.credential!r}"
            )
            await actions.mount(
                Button(label, id="open-credential", compact=True, variant="warning")
            )
        if all(result.ok for result in results):
            self.notify(f"{destination.name}: every check passed.", title="Test")
