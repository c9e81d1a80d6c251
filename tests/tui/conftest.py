"""TUI test set-up: services over the demo database, a fixed today, no cursor blink."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from actui.tui.services import Services

#: "today" for every TUI test, so relative dates and snapshots never drift
AS_OF = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs and text areas do not blink, so snapshots are stable."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)
    monkeypatch.setattr(TextArea, "cursor_blink", False, raising=False)


@pytest.fixture
def make_services(demo_sqlite_url: str) -> Iterator[Callable[..., Services]]:
    """Build Services over the session's demo SQLite database (closed after the test)."""
    from actui.tui.services import open_source

    built: list[Services] = []

    def make(db_url: str | None = demo_sqlite_url, **options: object) -> Services:
        source = open_source(db_url) if db_url else None
        services = Services(
            db_url=db_url,
            source=source,
            as_of=AS_OF,
            stable_output=True,
            count_delay=0.05,
        )
        for name, value in options.items():
            setattr(services, name, value)
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    """Services over the demo database."""
    return make_services()


async def settle_app(app: App[None], pilot: Pilot[None], rounds: int = 250) -> None:
    """Wait until no count is pending or running (debounce timers, workers, their messages)."""
    quiet = 0
    for _ in range(rounds):
        await pilot.pause(0.02)
        with contextlib.suppress(WorkerCancelled):  # a newer count replaced an older one
            await app.workers.wait_for_complete()
        pending = getattr(app.screen, "_debounce", None) is not None
        running = any(worker.is_running for worker in app.workers)
        quiet = 0 if pending or running else quiet + 1
        if quiet >= 3:
            break
    await pilot.pause()
