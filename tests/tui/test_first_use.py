"""What a first-time user meets: naming on save, renaming, delete confirmations, modal footers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widgets import Button, Input, Label
from textual.widgets._footer import FooterKey

from actui.campaigns.store import import_campaign, list_campaigns
from actui.segments.model import parse_segment
from actui.segments.store import list_segments, save_segment
from actui.tui.app import ActuiApp
from actui.tui.screens.help import HelpScreen
from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.confirm_dialog import ConfirmDialog
from actui.tui.widgets.name_dialog import NameDialog
from actui.tui.widgets.run_tracker import TrackedRun, run_tracker
from actui.tui.widgets.saved_segments import SavedSegmentsDialog
from tests.tui.conftest import settle_app
from tests.tui.test_app_wiring import LOYAL, until_stopped

GOLDS = {
    "version": 1,
    "name": "Golds",
    "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
}


def footer_keys(app: ActuiApp) -> list[str]:
    """The descriptions the footer at the bottom of the current screen shows."""
    return [key.description for key in app.screen.query(FooterKey)]


def shown(widget: Any) -> str:
    """The text a widget that renders markup puts on screen."""
    return Text.from_markup(str(widget.render())).plain


def saved_names() -> list[str]:
    return sorted(saved.name for saved in list_segments())


async def test_ctrl_s_on_an_untitled_segment_asks_for_its_name(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        label = app.screen.query_one("#segment-name-label", Label)
        assert str(label.content) == "Name (F8)"
        assert app.focused is app.screen.query_one("#segment-name", Input)  # first in tab order

        await pilot.press("ctrl+s")
        await settle_app(app, pilot)
        assert isinstance(app.screen, NameDialog)
        await pilot.press("escape")  # changed their mind: nothing is saved
        await settle_app(app, pilot)
        assert saved_names() == []

        await pilot.press("ctrl+s")
        await settle_app(app, pilot)
        await pilot.press("enter")  # a blank name is refused, the dialog stays
        assert isinstance(app.screen, NameDialog)
        await pilot.press(*"Everyone", "enter")
        await settle_app(app, pilot)
        assert not isinstance(app.screen, NameDialog)
        assert saved_names() == ["Everyone"]
        assert app.screen.query_one("#segment-name", Input).value == "Everyone"

        await pilot.press("ctrl+s")  # named now: saved again without asking
        await settle_app(app, pilot)
        assert not isinstance(app.screen, NameDialog)


async def test_f6_renames_the_saved_segment(services: Services) -> None:
    save_segment(parse_segment(GOLDS))
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        await app.screen.load_body(GOLDS)  # type: ignore[attr-defined]
        await settle_app(app, pilot)
        await pilot.press("f8")
        await settle_app(app, pilot)
        assert isinstance(app.screen, NameDialog)
        name = app.screen.query_one("#name-input", Input)
        assert name.value == "Golds"
        name.value = ""
        await pilot.press(*"Gold tier", "enter")
        await settle_app(app, pilot)
        assert saved_names() == ["Gold tier"]
        assert app.screen.query_one("#segment-name", Input).value == "Gold tier"


async def test_deleting_a_saved_segment_asks_first(services: Services) -> None:
    save_segment(parse_segment(GOLDS))
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        await pilot.press("ctrl+o")
        await settle_app(app, pilot)
        await pilot.press("x")
        await settle_app(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Golds" in str(app.screen.query_one("#confirm-question").content)
        assert app.focused is app.screen.query_one("#confirm-no", Button)
        await pilot.press("enter")  # Enter on the focused Cancel: nothing deleted
        await settle_app(app, pilot)
        assert isinstance(app.screen, SavedSegmentsDialog)
        assert saved_names() == ["Golds"]

        await pilot.press("x")
        await settle_app(app, pilot)
        await pilot.press("y")
        await settle_app(app, pilot)
        assert saved_names() == []


async def test_deleting_a_campaign_asks_first(services: Services) -> None:
    import_campaign(
        {
            "name": "Spring",
            "audience": GOLDS,
            "groups": [{"name": "All", "percent": 100, "destination": "Sandbox"}],
        }
    )
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_app(app, pilot)
        await pilot.press("f3")
        await settle_app(app, pilot)
        app.screen.open_campaign("Spring")  # type: ignore[attr-defined]
        await settle_app(app, pilot)
        await pilot.press("ctrl+d")
        await settle_app(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle_app(app, pilot)
        assert [c.name for c in list_campaigns()] == ["Spring"]
        await pilot.press("ctrl+d")
        await settle_app(app, pilot)
        await pilot.click("#confirm-yes")
        await settle_app(app, pilot)
        assert list_campaigns() == []


async def test_a_modal_footer_shows_the_modal_keys(
    make_services: Callable[..., Services], sandbox_server: Any
) -> None:
    from actui.credentials import add_credential, make_destination, save_destination

    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(make_destination(name="Sandbox", credential="sandbox", list="Loyal list"))
    app = ActuiApp(make_services(demo_destination="Sandbox"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        assert "Condition" in footer_keys(app)

        await pilot.press("ctrl+o")
        await settle_app(app, pilot)
        keys = footer_keys(app)
        assert {"Duplicate", "Delete", "Cancel"} <= set(keys) and "Condition" not in keys
        await pilot.press("escape")

        await pilot.press("f1")
        await settle_app(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Close" in footer_keys(app) and "Condition" not in footer_keys(app)
        await pilot.press("escape")

        await app.screen.load_body(LOYAL)  # type: ignore[attr-defined]
        await settle_app(app, pilot)
        await pilot.press("f9")
        await settle_app(app, pilot)
        assert isinstance(app.screen, SendScreen)
        for _ in range(100):
            if app.screen.estimate is not None:
                break
            await pilot.pause(0.05)
        await settle_app(app, pilot)
        keys = footer_keys(app)
        assert {"Send", "Hide"} <= set(keys) and "Condition" not in keys
        # nothing is sent yet: no way to cancel a send, neither a button nor a key
        assert "Cancel send" not in keys
        assert not app.screen.query_one("#send-cancel", Button).display


async def test_the_cancel_button_shows_only_while_the_send_runs(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        run: TrackedRun = run_tracker(app).start(app, "Send segment 'Gold'", until_stopped)
        await app.push_screen(SendScreen(services, run=run))
        await pilot.pause(0.2)
        cancel = app.screen.query_one("#send-cancel", Button)
        assert cancel.display and "Cancel send" in footer_keys(app)
        assert "Send" not in footer_keys(app)
        await pilot.press("ctrl+x")
        await app.workers.wait_for_complete()
        await pilot.pause(0.7)
        assert not cancel.display and "Cancel send" not in footer_keys(app)


async def test_f1_wraps_a_long_description(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        await pilot.press("f1")
        await settle_app(app, pilot)
        table = app.screen.query_one("#help-keys")
        rows = [table.get_row_at(index) for index in range(table.row_count)]  # type: ignore[attr-defined]
        long_rows = [row for row in rows if len(str(row[1])) > 34]
        assert long_rows  # the name field's editing keys include some
        heights = [table.rows[key].height for key in table.rows]  # type: ignore[attr-defined]
        assert max(heights) >= 2  # wrapped onto a second line rather than cut


async def test_the_demo_label_stays_at_80_columns(
    make_services: Callable[..., Services],
) -> None:
    from actui.tui.widgets.mode_bar import ModeBar

    app = ActuiApp(make_services(demo=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        bar = app.screen.query_one(ModeBar)
        assert shown(bar).rstrip().endswith("demo")
        app.sub_title = f"{app.sub_title} · writing the demo database, 40 %"
        await pilot.pause()
        assert shown(bar).rstrip().endswith("demo")  # the step needs more room
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert shown(bar).rstrip().endswith("demo · writing the demo database, 40 %")
