"""Pilot test of history: a send made in the app shows up with its counts and rejected emails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.widgets import DataTable

from actui.campaigns.model import parse_campaign
from actui.campaigns.store import save_campaign
from actui.credentials import add_credential, make_destination, save_destination
from actui.segments.model import parse_segment
from actui.segments.store import save_segment
from actui.sync.models import SendRequest
from actui.tui.screens.history import HistoryScreen
from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.history_rejected import HistoryRejected
from actui.tui.widgets.history_runs import HistoryRuns
from actui.tui.widgets.run_tracker import RunState, run_tracker


class HistoryApp(App[None]):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.services))


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_history_lists_the_run_and_opens_its_rejected_emails(
    sandbox_server: Any, make_services: Callable[..., Services]
) -> None:
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(make_destination(name="Sandbox", credential="sandbox", list="Unused"))
    everyone = {
        "name": "Everyone",
        "conditions": [{"attribute": "order_count", "operator": "greater than", "value": 3}],
    }
    save_segment(parse_segment(everyone))
    save_campaign(
        parse_campaign(
            {
                "name": "Loyal",
                "audience": "Everyone",
                "groups": [{"name": "All", "percent": 100, "destination": "Sandbox"}],
            }
        )
    )
    services = make_services()
    app = HistoryApp(services)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(HistoryRuns).row_count == 0
        await app.push_screen(SendScreen(services, SendRequest(campaign="Loyal")))
        await settle(pilot)
        await pilot.press("ctrl+s")
        run = run_tracker(app).latest()
        assert run is not None
        for _ in range(600):
            if run.state.is_over:
                break
            await pilot.pause(0.05)
        assert run.state in (RunState.FINISHED, RunState.PARTIAL), run.log
        await pilot.press("escape")  # back to history, which reloads
        await settle(pilot)
        runs = app.screen.query_one(HistoryRuns)
        assert runs.row_count == 1
        row = runs.get_row_at(0)
        assert row[1] == "campaign Loyal"
        assert str(row[2]) in ("completed", "partial")
        subscribed = int(str(row[3]).replace(",", ""))
        assert subscribed > 0
        runs.focus()
        await pilot.press("enter")
        await settle(pilot)
        from actui.sync.runner import rejected_rows

        expected = rejected_rows(run.run_id or "")
        assert expected, "the demo audience holds invalid emails, set aside with reasons"
        table: DataTable[str] = app.screen.query_one(HistoryRejected).query_one(DataTable)
        shown = [tuple(table.get_row_at(i)) for i in range(table.row_count)]
        assert shown == [
            (
                r.email or "(no email)",
                r.reason_code,
                r.reason,
                r.list_name or f"{r.group} (held out)",
                r.customer_key or "",
            )
            for r in expected
        ]
        assert int(str(row[6]).replace(",", "")) == len(expected)
        title = str(app.screen.query_one("#rejected-title").render())
        assert f"{len(expected):,} rejected row" in title
