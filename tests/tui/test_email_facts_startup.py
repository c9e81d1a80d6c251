"""On connecting, the app judges every row's email once in the background (email facts)."""

from __future__ import annotations

from collections.abc import Callable

from actui.segments.email_facts import fresh_email_facts
from actui.tui.app import ActuiApp
from actui.tui.services import Services
from tests.fixtures.demo import DEMO_ROWS
from tests.tui.conftest import settle_app


async def test_connecting_prepares_the_email_facts(make_services: Callable[..., Services]) -> None:
    services = make_services()
    assert services.source is not None
    services.source.dispose()
    services.source = None  # the app connects by itself, as on a real start
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_app(app, pilot)
        await app.workers.wait_for_complete()
        source = services.require_source()
        facts = fresh_email_facts(source, "customer_360")
        assert facts is not None
        assert facts.rows == DEMO_ROWS
