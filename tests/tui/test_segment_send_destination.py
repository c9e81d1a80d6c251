"""F9 on a segment outside the demo: it asks which destination, or says to add one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import OptionList

from actui.credentials import add_credential, make_destination, save_destination
from actui.tui.app import ActuiApp
from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.destination_picker import DestinationPicker
from tests.tui.conftest import settle_app
from tests.tui.test_app_wiring import LOYAL


async def _press_f9_on_a_segment(app: ActuiApp, pilot: Any) -> None:
    """Open the "loyal" segment in the builder and press F9 (send), waiting for each step."""
    await settle_app(app, pilot)
    await app.screen.load_body(LOYAL)  # type: ignore[attr-defined]
    await settle_app(app, pilot)
    await pilot.press("f9")
    await settle_app(app, pilot)


async def test_f9_without_any_destination_says_to_add_one(
    make_services: Callable[..., Services],
) -> None:
    app = ActuiApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await _press_f9_on_a_segment(app, pilot)
        assert not isinstance(app.screen, SendScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any("Add a destination first" in m for m in messages), messages


async def test_f9_with_two_destinations_asks_which(
    sandbox_server: Any, make_services: Callable[..., Services]
) -> None:
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(make_destination(name="Newsletter", credential="sandbox", list="News"))
    save_destination(make_destination(name="Promo", credential="sandbox", list="Promo list"))
    app = ActuiApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await _press_f9_on_a_segment(app, pilot)
        assert isinstance(app.screen, DestinationPicker)
        choices = app.screen.query_one(OptionList)
        assert [str(choices.get_option_at_index(i).prompt) for i in range(2)] == [
            "Newsletter",
            "Promo",
        ]
        await pilot.press("down", "enter")
        await settle_app(app, pilot)
        assert isinstance(app.screen, SendScreen)
        assert app.screen.request is not None
        assert app.screen.request.destination == "Promo"
        assert app.screen.request.segment == "Loyal openers"
