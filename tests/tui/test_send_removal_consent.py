"""The send screen asks before a mirror send unsubscribes more of a list than allowed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Button, Checkbox, Static

from actui.sync.models import SendRequest
from actui.sync.runner import run_send
from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.run_tracker import RunState
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import (
    people,
    setup_destination,
    subscribed,
    write_customers,
)


class BareApp(App[None]):
    """An empty app to push the modal on."""


async def test_the_send_screen_shows_the_removals_and_sends_only_once_ticked(
    sandbox_server: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    setup_destination(monkeypatch, sandbox_server.url, sandbox_server.api_key)
    crowd = people(50)
    db = write_customers(tmp_path / "c360.db", crowd)
    await asyncio.to_thread(run_send, SendRequest(campaign="Members"), db)
    for person in crowd[:20]:
        person.in_audience = 0
    write_customers(tmp_path / "c360.db", crowd)
    services = Services(db_url=db, source=None, stable_output=True)

    app = BareApp()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = SendScreen(services, SendRequest(campaign="Members"))
        await app.push_screen(screen)
        for _ in range(100):
            await pilot.pause(0.1)
            if screen.query("#send-allow-removal"):
                break
        warning = str(screen.query_one("#send-problem", Static).render())
        assert "20 of its 50 members (40.0 %)" in warning and "limit of 20 %" in warning
        allow = screen.query_one("#send-allow-removal", Checkbox)
        assert "Unsubscribe 20 of 50 members anyway" in str(allow.label)
        assert screen.query_one("#send-confirm", Button).disabled

        await pilot.press("ctrl+s")  # the key does not bypass the box
        await pilot.pause(0.2)
        assert screen.run is None
        assert len(subscribed(sandbox_server.sandbox.dump())) == 50

        await pilot.click("#send-allow-removal")
        await pilot.pause(0.1)
        assert not screen.query_one("#send-confirm", Button).disabled
        await pilot.click("#send-confirm")
        await pilot.pause(0.1)
        run = screen.run
        assert run is not None
        for _ in range(100):
            if run.state.is_over:
                break
            await pilot.pause(0.1)
        assert run.state is RunState.FINISHED
    assert subscribed(sandbox_server.sandbox.dump()) == {p.email for p in crowd[20:]}
