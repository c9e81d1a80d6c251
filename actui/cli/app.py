"""``actui [--db URL]`` and ``actui demo``: build the app's services and run the Textual app."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from actui.tui.services import Services


def open_app(db_url: str | None) -> None:
    """Run the app on ``db_url`` (or the last used Customer 360; the first-run screen if none)."""
    from actui.tui.services import build_services

    run_app(build_services(db_url))


def run_app(services: Services) -> None:
    """Run the app until the user quits, then release what the services hold."""
    from actui.cli.crash import exit_if_app_crashed
    from actui.tui.app import ActuiApp

    app = ActuiApp(services)
    try:
        app.run()
    finally:
        services.close()
    exit_if_app_crashed(*(app.crash or (None, None)))


@click.command()
@click.option(
    "--rows", type=click.IntRange(min=1), default=None, help="Rows of a new demo database."
)
@click.option(
    "--serve", is_flag=True, help="Serve the demo's sandbox without the app, until Ctrl+C."
)
@click.option("--json", "as_json", is_flag=True, help="With --serve: print the URLs as JSON.")
def demo(rows: int | None, serve: bool, as_json: bool) -> None:
    """Open the app on the demo database with the sandbox running and a demo destination.

    With --serve, only the sandbox runs (in the foreground), so that every actui command in
    another terminal can use the demo: its database is the default --db, and its destination
    is called demo.
    """
    if serve:
        serve_demo(rows, as_json)
        return
    if as_json:
        from actui.errors import ActuiError

        raise ActuiError("--json goes with --serve: 'actui demo --serve --json'.")
    from actui.demo.paths import DEMO_ROWS, ensure_demo_db
    from actui.demo.session import (
        DEMO_DESTINATION,
        demo_db_url,
        save_sample_results_campaign,
        start_demo,
    )
    from actui.tui.services import build_services

    services = build_services(demo_db_url(), demo=True)
    services.demo_destination = DEMO_DESTINATION
    total = rows if rows is not None else DEMO_ROWS

    def prepare(report: Callable[[str], None]) -> None:
        """After the first screen: the sandbox and destination, then the database if missing."""
        report("starting the sandbox")
        session = start_demo(build_database=False)
        services.closers.append(session.close)
        ensure_demo_db(
            total,
            on_progress=lambda done: report(f"writing the demo database, {done * 100 // total} %"),
        )
        save_sample_results_campaign(services.db_url or demo_db_url())

    services.prepare = prepare
    run_app(services)


def serve_demo(rows: int | None, as_json: bool) -> None:
    """Serve the demo sandbox in the foreground until Ctrl+C or SIGTERM, then save its state."""
    from actui.demo.session import sandbox_state_path, start_demo
    from actui.errors import ActuiError

    session = start_demo(rows=rows)
    if not session.serving:
        session.close()
        raise ActuiError(
            f"The demo is already running (its sandbox is at {session.sandbox_url}): use it, "
            "or stop it first."
        )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "db_url": session.db_url,
                        "sandbox_url": session.sandbox_url,
                        "destination": session.destination,
                    }
                )
            )
        else:
            click.echo(f"Demo Customer 360: {session.db_url} (the default --db now)")
            click.echo(f"ActiveCampaign sandbox: {session.sandbox_url}")
            click.echo(f"Destination: {session.destination}. Press Ctrl+C to stop.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
        click.echo(f"Saved the sandbox state to {sandbox_state_path()}.", err=True)


def _interrupt(signum: int, frame: object) -> None:
    """Stop serving on SIGTERM as on Ctrl+C, so the sandbox state is saved."""
    raise KeyboardInterrupt
