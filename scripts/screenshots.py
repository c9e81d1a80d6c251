"""Write SVG screenshots of every main screen into screenshots/ (headless and deterministic).

Run: .venv/bin/python scripts/screenshots.py [--out screenshots] [--size 120x36]
Uses a private ACTUI_HOME, a fixed demo database (2,000 rows, seed 7), a fixed "today" and a
sandbox on loopback (one send of a saved segment, for the send confirmation and History). The
Results tab is shot last, on a larger demo database (20,000 rows, seed 42) with the demo's sample
campaign and its recorded send.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (120, 36)
AS_OF = date(2026, 6, 1)
EXAMPLE = {
    "version": 1,
    "name": "West coast, high value",
    "match": "all",
    "conditions": [
        {"attribute": "state", "operator": "is one of", "value": ["CA", "OR", "WA"]},
        {"attribute": "lifetime_value", "operator": "at least", "value": 250},
        {
            "match": "any",
            "conditions": [
                {
                    "attribute": "last_order_date",
                    "operator": "in the last",
                    "value": {"amount": 365, "unit": "days"},
                },
                {"attribute": "loyalty_tier", "operator": "is", "value": "gold"},
            ],
        },
    ],
}

#: the segment the History screenshot shows as sent (to the sandbox, on a fresh list)
SENT = {
    "version": 1,
    "name": "Gold members",
    "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
}
SANDBOX_CREDENTIAL = "sandbox"
SANDBOX_DESTINATION = "Sandbox"
#: a destination with a list of its own, for the first send of the example (confirm, progress)
PROGRESS_DESTINATION = "Sandbox-West"

Step = Callable[[Any, Any], Awaitable[None]]


async def settle(app: Any, pilot: Any) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(6):
        await pilot.pause(0.1)
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # a newer count replaced an older one
            continue
    await pilot.pause()


async def shoot(
    services: Any, out: Path, name: str, steps: list[Step], size: tuple[int, int] = SIZE
) -> Path:
    from actui.tui.app import ActuiApp

    app = ActuiApp(services)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for step in steps:
            await step(app, pilot)
            await settle(app, pilot)
        app.screen.set_focus(None)
        await pilot.pause()
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
    return path


def wait_for_estimate() -> Step:
    """Wait until the send confirmation shows its dry run."""

    async def step(app: Any, pilot: Any) -> None:
        for _ in range(200):
            if getattr(app.screen, "estimate", None) is not None:
                break
            await pilot.pause(0.05)

    return step


def wait_for_send() -> Step:
    """Wait until the send started from the confirmation is over (its progress view stays)."""

    async def step(app: Any, pilot: Any) -> None:
        for _ in range(600):
            run = getattr(app.screen, "run", None)
            if run is not None and run.state.is_over:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.6)  # the view copies the run's last figures on its timer

    return step


def sandbox_send(url: str, sandbox_url: str, api_key: str) -> None:
    """A destination on the sandbox and one finished send of the example, for History."""
    from actui.credentials import make_destination, save_destination
    from actui.credentials.keyring_store import ENV_KEY, ENV_NAME, ENV_URL
    from actui.segments.model import parse_segment
    from actui.segments.store import save_segment
    from actui.sync.models import SendRequest
    from actui.sync.runner import run_send

    # the environment credential (as 'actui demo' uses): no OS keyring needed here
    os.environ.update({ENV_URL: sandbox_url, ENV_KEY: api_key, ENV_NAME: SANDBOX_CREDENTIAL})
    save_destination(
        make_destination(name=SANDBOX_DESTINATION, credential=SANDBOX_CREDENTIAL, list="Spring")
    )
    save_destination(
        make_destination(
            name=PROGRESS_DESTINATION, credential=SANDBOX_CREDENTIAL, list="West coast"
        )
    )
    save_segment(parse_segment(SENT))
    run_send(SendRequest(segment=SENT["name"], destination=SANDBOX_DESTINATION), url)


def press(*keys: str) -> Step:
    async def step(app: Any, pilot: Any) -> None:
        await pilot.press(*keys)

    return step


def load(body: dict[str, Any]) -> Step:
    async def step(app: Any, pilot: Any) -> None:
        await app.screen.load_body(body)

    return step


async def main_async(out: Path, size: tuple[int, int] = SIZE) -> list[Path]:
    from textual.widgets import Input, TextArea

    from actui.demo.data import write_demo_sqlite
    from actui.demo.sample_send import save_sample_campaign
    from actui.sandbox import Sandbox, SandboxServer
    from actui.tui.services import Services, open_source

    Input.cursor_blink = False  # type: ignore[assignment]
    TextArea.cursor_blink = False  # type: ignore[assignment]
    work = Path(tempfile.mkdtemp(prefix="actui-shots-"))
    os.environ["ACTUI_HOME"] = str(work / "home")
    db = work / "customer360.db"
    write_demo_sqlite(db, 2_000, 7)
    url = f"sqlite:///{db}"

    results_db = work / "results.db"
    write_demo_sqlite(results_db, 20_000, 42)
    results_url = f"sqlite:///{results_db}"

    def services(connected: bool | str = True, destination: str = SANDBOX_DESTINATION) -> Services:
        chosen = connected if isinstance(connected, str) else url
        return Services(
            db_url=chosen if connected else None,
            source=open_source(chosen) if connected else None,
            as_of=AS_OF,
            stable_output=True,
            count_delay=0.05,
            demo_destination=destination,
        )

    shots: list[tuple[Any, ...]] = [
        ("welcome", False, []),
        ("segments", True, [load(EXAMPLE)]),
        (
            "segments-sql",
            True,
            [
                load(
                    {
                        "version": 1,
                        "name": "Big spenders",
                        "sql": "SELECT email FROM customer_360\nWHERE lifetime_value > 1000",
                    }
                )
            ],
        ),
        ("attribute-picker", True, [press("ctrl+n"), press(*"date")]),
        ("help", True, [press("f1")]),
        ("campaigns", True, [press("f3")]),
        ("destinations", True, [press("f4")]),
        (
            "send-confirmation",
            True,
            [load(EXAMPLE), press("f9"), wait_for_estimate()],
            PROGRESS_DESTINATION,
        ),
        ("history", True, [press("f5"), press("enter")]),
        (
            "send-progress",
            True,
            [load(EXAMPLE), press("f9"), wait_for_estimate(), press("ctrl+s"), wait_for_send()],
            PROGRESS_DESTINATION,
        ),
        ("campaign-results", results_url, [press("f3"), press("ctrl+r")]),
    ]
    sandbox = Sandbox.create(limits="off", batch_delay=0)
    server = SandboxServer(sandbox).start()
    written = []
    try:
        await asyncio.to_thread(sandbox_send, url, server.url, sandbox.account.api_key)
        for name, connected, steps, *destination in shots:
            if name == "campaign-results":  # saved last: the earlier shots show no campaign
                await asyncio.to_thread(save_sample_campaign, results_url)
            built = services(connected, *destination)
            try:
                written.append(await shoot(built, out, name, steps, size))
            finally:
                built.close()
    finally:
        server.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="120x36", help="terminal size, COLUMNSxROWS")
    args = parser.parse_args()
    columns, rows = (int(part) for part in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(main_async(args.out, (columns, rows))):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
