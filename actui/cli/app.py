"""``actui [--db URL]`` and ``actui demo``: build the app's services and run the Textual app."""

from __future__ import annotations

import click

from actui.tui.services import Services, build_services


def open_app(db_url: str | None) -> None:
    """Run the app on ``db_url`` (or the last used Customer 360; the first-run screen if none)."""
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
@click.option("--rows", type=int, default=None, help="Rows of a newly written demo database.")
def demo(rows: int | None) -> None:
    """Open the app on the demo database with the sandbox running and a demo destination."""
    from actui.demo.session import start_demo

    session = start_demo(rows=rows)
    services = build_services(session.db_url, demo=True)
    services.demo_destination = session.destination
    services.closers.append(session.close)
    run_app(services)
