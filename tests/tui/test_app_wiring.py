"""The app-wide wiring: F9 from the segment builder, F7 live send, quit, errors as actions, F1."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from typing import Any

from textual.widgets import DataTable, Digits, Select, TabbedContent

from actui.activecampaign.errors import InvalidCredentials
from actui.credentials import add_credential, make_destination, save_destination
from actui.segments.insights import audience_size
from actui.segments.model import parse_segment
from actui.sync.models import SendRequest
from actui.sync.runner import dry_run
from actui.tui.app import ActuiApp
from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.breakdown_chart import BreakdownChart
from actui.tui.widgets.mode_bar import ModeBar
from actui.tui.widgets.run_tracker import TrackedRun, run_tracker
from actui.tui.widgets.send_errors import error_action
from tests.tui.conftest import settle_app

LOYAL = {
    "version": 1,
    "name": "Loyal openers",
    "match": "all",
    "conditions": [
        {"attribute": "order_count", "operator": "at least", "value": 3},
        {"attribute": "email_opt_in", "operator": "is true"},
    ],
}


def screen_text(app: ActuiApp) -> str:
    """The characters on screen (from the SVG export), to assert what a user reads."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg))


async def until_stopped(run: TrackedRun) -> str:
    """A stand-in send that runs until its cancel event is set."""
    run.total = 100
    while not run.cancel_event.is_set():
        await asyncio.sleep(0.01)
    return "stopped"


async def test_f9_opens_the_send_confirmation_with_the_dry_run_counts(
    sandbox_server: Any, make_services: Callable[..., Services], demo_sqlite_url: str
) -> None:
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(make_destination(name="Sandbox", credential="sandbox", list="Loyal list"))
    services = make_services(demo_destination="Sandbox")
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        await app.screen.load_body(LOYAL)  # type: ignore[attr-defined]
        await settle_app(app, pilot)
        segment = parse_segment(LOYAL)
        size = audience_size(segment, services.require_source(), services.segment_resolver())
        shown = int(app.screen.query_one("#audience-size", Digits).value.replace(",", ""))
        assert shown == size.customers > 0
        # the insights panel names the accounting's terms
        panel = re.sub(r"\s+", " ", str(app.screen.query_one("#audience-emails").render()))
        for figure, term in (
            (size.contacts, "contacts"),
            (size.duplicate_email, "duplicate email"),
            (size.missing_email, "missing email"),
            (size.invalid_email, "invalid email"),
        ):
            assert f"{figure:,} {term}" in panel

        await pilot.press("f9")  # saves the segment, then opens the confirmation
        await settle_app(app, pilot)
        assert isinstance(app.screen, SendScreen)
        for _ in range(100):
            if app.screen.estimate is not None:
                break
            await pilot.pause(0.05)
        estimate = app.screen.estimate
        assert estimate is not None
        request = SendRequest(segment="Loyal openers", destination="Sandbox")
        expected = await asyncio.to_thread(dry_run, request, demo_sqlite_url)
        assert estimate.counts == expected.counts
        # a new list: everyone sendable is a subscription, nothing to update or unsubscribe
        counts = estimate.counts
        assert 0 < counts.subscribe == counts.audience == size.contacts
        # the confirmation counts in the insights panel's terms, with the same numbers
        terms = estimate.accounting
        assert (
            terms.customers,
            terms.contacts,
            terms.duplicate_email,
            terms.missing_email,
            terms.invalid_email,
        ) == (
            size.customers,
            size.contacts,
            size.duplicate_email,
            size.missing_email,
            size.invalid_email,
        )
        assert counts.update == counts.unsubscribe == counts.unchanged == 0
        assert counts.rejected > 0  # the demo has invalid emails in this audience
        text = re.sub(r"\s+", " ", screen_text(app))
        assert f"Subscribe {counts.subscribe:,}" in text
        assert f"Customers {terms.customers:,} = {terms.contacts:,} contacts" in text
        assert "Sandbox > Loyal list" in text
        assert not app.screen.query_one("#send-confirm").disabled
        assert sandbox_server.sandbox.dump()["lists"] == []  # a dry run writes nothing


async def test_f7_shows_the_latest_send_from_any_screen_and_quit_cancels_it(
    services: Services,
) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert not isinstance(app.screen, SendScreen)  # nothing sent yet: a notification
        run = run_tracker(app).start(app, "Send segment 'Gold'", until_stopped)
        await pilot.press("f5")  # from History, and from any other screen
        await pilot.press("f7")
        await pilot.pause(0.1)
        assert isinstance(app.screen, SendScreen) and app.screen.run is run
        await pilot.press("escape")  # hide it: it keeps running
        await pilot.pause()
        assert not run.cancel_event.is_set()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert run.cancel_event.is_set()  # the journal resumes it next time


async def test_a_refused_key_opens_the_credential_in_destinations(
    services: Services,
) -> None:
    add_credential("shop", "https://shop.api-us1.com", "not-the-key")
    action = error_action(InvalidCredentials("refused"), "shop")
    assert action is not None and action.label == "Open the credential"
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        assert action.action is not None
        await app.run_action(action.action)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert app.current_mode == "destinations"
        assert app.screen.query_one(TabbedContent).active == "tab-credential"
        form_name = app.screen.query_one("#credential-name").value  # type: ignore[attr-defined]
        assert form_name == "shop"
        url_input = app.screen.query_one("#credential-url")
        for _ in range(40):  # the URL is read from the keyring by a worker
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            if url_input.value:  # type: ignore[attr-defined]
                break
        assert url_input.value.startswith("https://shop.api-us1.com")  # type: ignore[attr-defined]


async def test_f1_also_lists_the_keys_of_the_other_screens(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        table = app.screen.query_one("#help-keys", DataTable)
        rows = {tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)}
        wheres = {row[2] for row in rows}
        assert {"everywhere", "campaigns", "destinations", "history"} <= wheres
        assert any(row[1] == "Preview" and row[2] == "campaigns" for row in rows)
        assert any(row[1] == "Live send" and row[2] == "everywhere" for row in rows)
        conditions = [row for row in rows if row[1] == "Condition"]
        assert len(conditions) == 1  # the current screen's keys are listed once


async def test_the_first_screen_paints_before_connecting(demo_sqlite_url: str) -> None:
    services = Services(db_url=demo_sqlite_url, source=None, stable_output=True, count_delay=0.05)
    app = ActuiApp(services)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert type(app.screen).__name__ == "SegmentsScreen"
            await settle_app(app, pilot)
            assert services.source is not None  # connected by a worker after the first paint
            total = services.source.row_count(services.source.segment_table).rows
            shown = app.screen.query_one("#audience-size", Digits).value.replace(",", "")
            assert int(shown) == total
    finally:
        services.close()


async def test_a_database_that_cannot_be_opened_shows_the_first_run_screen(
    tmp_path: Any,
) -> None:
    url = f"sqlite:///{tmp_path}/gone.db"
    services = Services(db_url=url, source=None, stable_output=True)
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "WelcomeScreen" and app.screen.query("#db-url"):
                break
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        assert app.screen.query_one("#db-url").value == url  # type: ignore[attr-defined]
        assert "gone.db" in str(app.screen.query_one("#welcome-error").render())
        assert not services.configured


async def test_ctrl_b_picks_the_breakdown_attribute_by_keys(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(app, pilot)
        before = app.screen.breakdown_attribute  # type: ignore[attr-defined]
        await pilot.press("ctrl+b")
        select = app.screen.query_one("#breakdown-attribute", Select)
        assert select.expanded and select.has_focus_within
        await pilot.press("down", "enter")
        await settle_app(app, pilot)
        chosen = app.screen.breakdown_attribute  # type: ignore[attr-defined]
        assert chosen != before and select.value == chosen
        rows = app.screen.query_one("#breakdown", BreakdownChart).rows
        assert (
            rows
            and sum(count for _, count in rows)
            == services.require_source().row_count(services.require_source().segment_table).rows
        )


async def test_the_mode_bar_switches_screens_by_mouse(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = re.sub(r"\[[^\]]*\]", "", str(app.screen.query_one(ModeBar).render()))
        assert "F3 Campaigns" in bar and "F7 Live send" in bar
        await pilot.click(ModeBar, offset=(bar.index("F5 History") + 2, 0))
        await pilot.pause()
        assert app.current_mode == "history"
        await pilot.click(ModeBar, offset=(bar.index("F2 Segments") + 2, 0))
        await pilot.pause()
        assert app.current_mode == "segments"
