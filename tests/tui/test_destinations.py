"""Pilot tests of the destinations screen: a credential and a destination added by keys, tested."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Button, Input, OptionList, Select

from actui.credentials import get_credential, get_destination, list_credentials
from actui.tui.screens.destinations import DestinationsScreen
from actui.tui.services import Services
from actui.tui.widgets.destination_checks import DestinationChecks


class DestinationsApp(App[None]):
    """Only the destinations screen, over services without a Customer 360."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def on_mount(self) -> None:
        self.push_screen(DestinationsScreen(self.services))


def bare_services() -> Services:
    return Services(db_url=None, source=None, stable_output=True)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def checks_text(app: App[None]) -> str:
    return str(app.screen.query_one(DestinationChecks).render())


async def add_credential_by_keys(pilot: Any, name: str, url: str, key: str) -> None:
    await pilot.press("ctrl+k")  # new credential
    await pilot.pause()
    await pilot.press(*name, "tab")  # the name by keys, then the pasted URL and key
    pilot.app.screen.query_one("#credential-url", Input).value = url
    await pilot.press("tab")
    pilot.app.screen.query_one("#credential-key", Input).value = key
    await pilot.press("ctrl+s")
    await settle(pilot)


async def add_destination_by_keys(pilot: Any, name: str, list_name: str) -> None:
    await pilot.press("ctrl+n")  # new destination: focus on its name
    await pilot.pause()
    await pilot.press(*name, "tab")  # -> credential select
    await pilot.press("enter", "down", "enter")  # open, first credential, choose
    await pilot.pause()
    await pilot.press("tab", "tab", *list_name)  # group stays Admin; -> list
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_add_credential_and_destination_by_keys_then_test_passes(sandbox_server: Any) -> None:
    app = DestinationsApp(bare_services())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await add_credential_by_keys(pilot, "sandbox", sandbox_server.url, sandbox_server.api_key)
        assert list_credentials() == ["sandbox"]
        stored = get_credential("sandbox")
        assert stored.api_key.get_secret_value() == sandbox_server.api_key
        # the key field is cleared once stored, and was masked while typed
        key_input = app.screen.query_one("#credential-key", Input)
        assert key_input.password and key_input.value == ""

        await add_destination_by_keys(pilot, "Spring", "Spring promo")
        saved = get_destination("Spring")
        assert (saved.credential, saved.group, saved.list_name) == (
            "sandbox",
            "Admin",
            "Spring promo",
        )
        listing = app.screen.query_one("#destination-list", OptionList)
        assert listing.option_count == 1

        await pilot.press("ctrl+t")
        await settle(pilot)
        text = checks_text(app)
        assert "✓ credential" in text
        assert "✓ api key" in text
        assert "✓ group" in text
        assert "does not exist yet" in text  # the list is created on the first send
        assert "✗" not in text


async def test_refused_key_offers_to_open_the_credential(sandbox_server: Any) -> None:
    app = DestinationsApp(bare_services())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await add_credential_by_keys(pilot, "wrong", sandbox_server.url, "not-the-key")
        await add_destination_by_keys(pilot, "Broken", "Any list")
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = checks_text(app)
        assert "✗ api key" in text
        assert "→" in text  # the fix is written under the failed check
        button = app.screen.query_one("#open-credential", Button)
        assert "wrong" in str(button.label)
        await pilot.click("#open-credential")
        await settle(pilot)
        assert app.screen.query_one("#credential-name", Input).value == "wrong"
        assert app.screen.query_one("#credential-url", Input).value.startswith(sandbox_server.url)
        assert app.screen.focused is app.screen.query_one("#credential-key", Input)


async def test_wrong_group_lists_the_groups_that_exist(sandbox_server: Any) -> None:
    app = DestinationsApp(bare_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await add_credential_by_keys(pilot, "sandbox", sandbox_server.url, sandbox_server.api_key)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*"Marketing", "tab", "enter", "down", "enter", "tab")
        group = app.screen.query_one("#destination-group", Input)
        group.value = ""
        await pilot.press(*"Sales team", "tab", *"A list")
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = checks_text(app)
        assert "✗ group" in text
        assert "'Admin'" in text  # the names that exist
        assert app.screen.query_one("#destination-credential", Select).value == "sandbox"


async def test_editing_a_destination_keeps_its_removal_limit_and_attributes(
    sandbox_server: Any,
) -> None:
    from actui.credentials import add_credential, make_destination, save_destination

    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(
        make_destination(
            name="Spring",
            credential="sandbox",
            list="Spring promo",
            max_removal=45,
            default_attributes={"Source": "actui"},
        )
    )
    app = DestinationsApp(bare_services())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one("#destination-list", OptionList)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")  # the form shows it
        await pilot.pause()
        list_input = app.screen.query_one("DestinationForm #destination-list", Input)
        assert list_input.value == "Spring promo"
        list_input.focus()
        list_input.value = "Spring promo 2"
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = get_destination("Spring")
    assert saved.list_name == "Spring promo 2"
    assert (saved.max_removal, saved.default_attributes) == (45, {"Source": "actui"})
