"""The send modal's background behaviour: hide and come back to a running send; cancel it safely."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.widgets import Button, ProgressBar, RichLog

from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.run_tracker import RunState, TrackedRun, run_tracker


class BareApp(App[None]):
    """An empty app to push the modal on."""


async def batches_until_cancelled(run: TrackedRun) -> str:
    """A stand-in send: 10 contacts a tick until its cancel event is set or 1,000 are done."""
    run.total = 1_000
    while run.done < run.total and not run.cancel_event.is_set():
        await asyncio.sleep(0.01)
        run.done += 10
        run.add_log(f"batch confirmed: {run.done} contacts")
    return "stopped" if run.cancel_event.is_set() else "done"


def services() -> Services:
    return Services(db_url=None, source=None, stable_output=True)


async def test_hidden_send_keeps_running_and_can_be_cancelled_when_shown_again() -> None:
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        tracker = run_tracker(app)
        run = tracker.start(app, "Send campaign 'Spring'", batches_until_cancelled)
        await app.push_screen(SendScreen(services(), run=run))
        await pilot.pause(0.1)
        assert isinstance(app.screen, SendScreen)
        await pilot.press("escape")  # hide: the send goes on
        await pilot.pause(0.1)
        assert not isinstance(app.screen, SendScreen)
        done_when_hidden = run.done
        await pilot.pause(0.1)
        assert run.done > done_when_hidden
        assert tracker.active() == [run]

        await app.push_screen(SendScreen(services(), run=tracker.latest()))  # come back
        await pilot.pause(0.3)
        bar = app.screen.query_one(ProgressBar)
        assert bar.total == 1_000 and 0 < (bar.progress or 0) <= 1_000
        assert app.screen.query_one(RichLog).lines  # the live log shows the batches so far
        await pilot.click("#send-cancel")
        await app.workers.wait_for_complete()
        await pilot.pause(0.6)
        assert run.cancel_event.is_set()
        assert run.state is RunState.CANCELLED
        assert run.done < 1_000
        assert app.screen.query_one("#send-cancel", Button).disabled
        assert str(app.screen.query_one("#send-hide", Button).label) == "Close"
        assert tracker.active() == []


async def test_failed_send_says_why() -> None:
    async def refuses(run: TrackedRun) -> None:
        raise RuntimeError("the list was deleted")

    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        run = run_tracker(app).start(app, "Send segment 'Gold'", refuses)
        await app.workers.wait_for_complete()
        await app.push_screen(SendScreen(services(), run=run))
        await pilot.pause(0.1)
        assert run.state is RunState.FAILED
        state = str(app.screen.query_one("#send-state").render())
        assert "Failed: the list was deleted" in state
