"""SVG snapshots of campaigns, destinations, send and History at 120x36 and 80x24."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from actui.campaigns.model import parse_campaign
from actui.campaigns.store import save_campaign
from actui.credentials import add_credential, make_destination, save_destination
from actui.segments.model import parse_segment
from actui.segments.store import save_segment
from actui.tui.screens.campaigns import CampaignsScreen
from actui.tui.screens.destinations import DestinationsScreen
from actui.tui.screens.send import SendScreen
from actui.tui.services import Services
from actui.tui.widgets.run_tracker import TrackedRun, run_tracker

SIZES = [(120, 36), (80, 24)]


class ScreenApp(App[None]):
    """Shows one screen built from the services (the shell's modes, without the shell)."""

    def __init__(self, build: Callable[[App[None]], Any]) -> None:
        super().__init__()
        self.build = build

    async def on_mount(self) -> None:
        await self.push_screen(self.build(self))


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def stored_setup() -> None:
    """A credential (a fixed, non-loopback URL), a destination, two segments and a campaign."""
    add_credential("acme", "https://acme.api-us1.com", "not-a-real-key")
    save_destination(make_destination(name="Spring", credential="acme", list="Spring promo"))
    save_segment(
        parse_segment(
            {
                "name": "High value",
                "conditions": [
                    {"attribute": "lifetime_value", "operator": "greater than", "value": 500}
                ],
            }
        )
    )
    save_segment(
        parse_segment(
            {
                "name": "Opted out",
                "conditions": [{"attribute": "email_opt_in", "operator": "is false"}],
            }
        )
    )
    save_campaign(
        parse_campaign(
            {
                "id": "spring-promo",
                "name": "Spring promo",
                "audience": "High value",
                "exclusions": ["Opted out"],
                "groups": [
                    {"name": "A", "percent": 45, "destination": "Spring"},
                    {"name": "B", "percent": 45, "destination": "Spring", "list": "Spring B"},
                    {"name": "Control", "percent": 10, "control": True},
                ],
                "attributes": {"email": "email", "first_name": "given_name"},
            }
        )
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_destinations_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    stored_setup()
    services = Services(db_url=None, source=None, stable_output=True)
    app = ScreenApp(lambda _: DestinationsScreen(services))
    assert snap_compare(app, run_before=settle, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_campaign_editor_groups_tab(
    snap_compare: Any, size: tuple[int, int], make_services: Callable[..., Services]
) -> None:
    stored_setup()
    services = make_services()
    app = ScreenApp(lambda _: CampaignsScreen(services))

    async def groups_tab(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#campaign-tabs").active = "tab-groups"  # type: ignore[attr-defined]
        await settle(pilot)

    assert snap_compare(app, run_before=groups_tab, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_campaign_editor_audience_tab(
    snap_compare: Any, size: tuple[int, int], make_services: Callable[..., Services]
) -> None:
    stored_setup()
    services = make_services()
    app = ScreenApp(lambda _: CampaignsScreen(services))
    assert snap_compare(app, run_before=settle, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_send_progress_of_a_finished_send(snap_compare: Any, size: tuple[int, int]) -> None:
    services = Services(db_url=None, source=None, stable_output=True)

    async def sends_500(run: TrackedRun) -> None:
        run.read, run.staged, run.total = 512, 500, 500
        for batch in range(2):
            run.done += 250
            run.add_log(f"Batch {batch + 1} of 2 confirmed: 250 contacts.")
        run.add_log("Run completed: 500 sent, 0 rejected, 2 requests.")

    def build(app: App[None]) -> SendScreen:
        run = run_tracker(app).start(app, "Send campaign 'Spring promo' (mirror)", sends_500)
        return SendScreen(services, run=run)

    assert snap_compare(ScreenApp(build), run_before=settle, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_without_runs(snap_compare: Any, size: tuple[int, int]) -> None:
    from actui.tui.screens.history import HistoryScreen

    services = Services(db_url=None, source=None, stable_output=True)
    app = ScreenApp(lambda _: HistoryScreen(services))
    assert snap_compare(app, run_before=settle, terminal_size=size)


GOLD_MEMBERS = {
    "version": 1,
    "name": "Gold members",
    "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
}


def sandbox_destination(sandbox_server: Any) -> None:
    """Destination 'Sandbox' (list 'Spring') on the loopback sandbox, and the segment to send."""
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(make_destination(name="Sandbox", credential="sandbox", list="Spring"))
    save_segment(parse_segment(GOLD_MEMBERS))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_with_a_run_and_its_rejected_emails(
    snap_compare: Any, size: tuple[int, int], sandbox_server: Any, demo_sqlite_url: str
) -> None:
    from actui.sync.models import SendRequest
    from actui.sync.runner import run_send
    from actui.tui.screens.history import HistoryScreen

    sandbox_destination(sandbox_server)
    run_send(SendRequest(segment="Gold members", destination="Sandbox"), demo_sqlite_url)
    services = Services(db_url=None, source=None, stable_output=True)
    app = ScreenApp(lambda _: HistoryScreen(services))

    async def open_run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, run_before=open_run, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_campaign_preview(
    snap_compare: Any, size: tuple[int, int], make_services: Callable[..., Services]
) -> None:
    stored_setup()
    services = make_services()
    app = ScreenApp(lambda _: CampaignsScreen(services))

    async def preview(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)

    assert snap_compare(app, run_before=preview, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_send_confirmation(
    snap_compare: Any,
    size: tuple[int, int],
    sandbox_server: Any,
    make_services: Callable[..., Services],
) -> None:
    from actui.sync.models import SendRequest

    sandbox_destination(sandbox_server)
    services = make_services()
    request = SendRequest(segment="Gold members", destination="Sandbox")
    app = ScreenApp(lambda _: SendScreen(services, request))

    async def estimated(pilot: Pilot[None]) -> None:
        for _ in range(200):
            if getattr(pilot.app.screen, "estimate", None) is not None:
                break
            await pilot.pause(0.05)
        await settle(pilot)

    assert snap_compare(app, run_before=estimated, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_campaign_editor_results_tab(
    snap_compare: Any,
    size: tuple[int, int],
    make_services: Callable[..., Services],
    demo_sqlite_url: str,
) -> None:
    from actui.demo.sample_send import save_sample_campaign

    save_sample_campaign(demo_sqlite_url)
    services = make_services()
    app = ScreenApp(lambda _: CampaignsScreen(services))

    async def results_tab(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(app, run_before=results_tab, terminal_size=size)
