"""The app shell: first run, modes, F1 help, the command palette and rebinding keys by id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import ContentSwitcher, DataTable, Static

from actui.config import load_config
from actui.tui.app import ActuiApp
from actui.tui.services import Services


async def test_first_run_explains_setup_and_connects(
    make_services: Callable[..., Services], demo_sqlite_url: str
) -> None:
    services = make_services(None)
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        from actui.tui.screens.welcome import WelcomeScreen

        assert isinstance(app.screen, WelcomeScreen)
        steps = str(app.screen.query_one("#welcome-steps", Static).render())
        assert "Connect your Customer 360" in steps
        assert "actui demo" in steps
        await pilot.press("f2")  # segments need a source: the app stays here and says so
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press(*"sqlite:///nowhere/missing.db", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert str(app.screen.query_one("#welcome-error", Static).render()) not in (
            "",
            "Connecting...",
        )
        app.screen.query_one("#db-url").value = demo_sqlite_url  # type: ignore[attr-defined]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == "segments"
        assert type(app.screen).__name__ == "SegmentsScreen"
    assert load_config().last_db_url == demo_sqlite_url


async def test_f1_lists_the_keys_of_the_current_screen(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        actions = {row[1] for row in rows}
        assert {"Help", "Segments", "Campaigns", "Condition", "SQL", "Save"} <= actions
        assert ("ctrl+s" in {row[0].lower().replace("^", "ctrl+") for row in rows}) or any(
            "s" in row[0].lower() and row[1] == "Save" for row in rows
        )
        await pilot.press("escape")
        assert type(app.screen).__name__ == "SegmentsScreen"


async def test_modes_switch_by_function_keys_and_missing_screens_say_so(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actui.tui import app as app_module
    from actui.tui.screens import PlaceholderScreen

    screens = dict(app_module.MODE_SCREENS)
    for mode in ("campaigns", "destinations", "history"):
        screens[mode] = (f"actui.tui.screens.absent_{mode}", "Nothing", mode.title())
    monkeypatch.setattr(app_module, "MODE_SCREENS", screens)
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.current_mode == "segments"
        for key, mode in (("f3", "campaigns"), ("f4", "destinations"), ("f5", "history")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
            assert isinstance(app.screen, PlaceholderScreen)
            shown = " ".join(str(s.render()) for s in app.screen.query(Static))
            assert f"The {mode} screen is not available yet." in shown
        await pilot.press("f2")
        assert app.current_mode == "segments"
        assert type(app.screen).__name__ == "SegmentsScreen"


async def test_command_palette_runs_a_screen_action(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+p")
        await pilot.press(*"SQL")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        switcher = app.screen.query_one("#segment-mode", ContentSwitcher)
        assert switcher.current == "sql-pane"


async def test_keymap_rebinds_an_action_by_its_id(make_services: Callable[..., Services]) -> None:
    services = make_services(keymap={"actui.segment.sql_mode": "f8"})
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        switcher = app.screen.query_one("#segment-mode", ContentSwitcher)
        assert switcher.current == "sql-pane"
