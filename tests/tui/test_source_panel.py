"""The Source panel (F6): what was detected and why, edited with pickers, saved per database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Select, Static

from actui.source.store import database_key, load_settings
from actui.tui.app import ActuiApp
from actui.tui.services import Services
from tests.fixtures.foreign import build
from tests.tui.conftest import settle_app


def _origin(app: ActuiApp, name: str) -> str:
    return str(app.screen.query_one(f"#origin-{name}", Static).render())


async def test_f6_shows_the_detected_shape_and_saves_a_new_key(
    make_services: Callable[..., Services], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'amperity.db'}"
    build("amperity", url)
    app = ActuiApp(make_services(url))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_app(app, pilot)
        segment_table = str(app.screen.query_one("#segment-table", Static).render())
        assert segment_table == "Customer_360"
        await pilot.press("f6")
        await settle_app(app, pilot)
        from actui.tui.screens.source import SourceScreen

        screen = app.screen
        assert isinstance(screen, SourceScreen)
        values = {
            name: screen.query_one(f"#source-{name}", Select).value
            for name in ("segment_table", "attribute_table", "customer_key", "email_column")
        }
        assert values == {
            "segment_table": "Customer_360",
            "attribute_table": "Merged_Customers",
            "customer_key": "Amperity_ID",
            "email_column": "Email",
        }
        assert _origin(app, "customer_key") == "name + uniqueness check"
        assert _origin(app, "segment_table") == "usual name"

        screen.query_one("#source-customer_key", Select).value = "Store_ID"
        await pilot.press("ctrl+s")
        await settle_app(app, pilot)
        saved = load_settings(database_key(url))
        assert saved.customer_key == "Store_ID"
        assert _origin(app, "customer_key") == "saved by you"
        status = str(screen.query_one("#source-status", Static).render())
        assert "is not unique" in status  # Store_ID repeats: the warning says by how much

        await pilot.press("ctrl+r")
        await settle_app(app, pilot)
        assert load_settings(database_key(url)).customer_key is None
        assert screen.query_one("#source-customer_key", Select).value == "Amperity_ID"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "SegmentsScreen"


async def test_the_first_run_screen_opens_the_panel_for_the_url_typed(
    make_services: Callable[..., Services], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    build("one_table", url)
    app = ActuiApp(make_services(None))
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#db-url").value = url  # type: ignore[attr-defined]
        await pilot.press("f6")
        await settle_app(app, pilot)
        from actui.tui.screens.source import SourceScreen

        assert isinstance(app.screen, SourceScreen)
        assert app.screen.query_one("#source-customer_key", Select).value == "id"
        assert _origin(app, "customer_key") == "declared primary key"
