"""``actui sandbox``: serve the ActiveCampaign emulator on loopback until interrupted."""

from __future__ import annotations

import gc
import signal
import time
from pathlib import Path

import click

from actui.cli.output import emit_json
from actui.errors import ActuiError


@click.command("sandbox")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port (default: any free).")
@click.option("--api-key", "api_key", metavar="KEY", help="API key to accept (default: a new one).")
@click.option(
    "--limits",
    default="real",
    show_default=True,
    metavar="real|off|xN",
    help="ActiveCampaign's rate limits, none, or every rate times N.",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Load the account from FILE and save it there on exit.",
)
@click.option(
    "--batch-delay",
    "batch_delay_text",
    default="1-3",
    show_default=True,
    metavar="SECONDS|LOW-HIGH",
    help="Seconds a bulk import stays 'processing' (a range is drawn per import); 0 turns it off.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the URL and key as JSON.")
def sandbox(
    port: int,
    api_key: str | None,
    limits: str,
    state_file: Path | None,
    batch_delay_text: str,
    as_json: bool,
) -> None:
    """Serve the ActiveCampaign emulator on 127.0.0.1 and print its account URL and API key."""
    from actui.sandbox import Sandbox, SandboxServer
    from actui.sandbox.limits import parse_limits
    from actui.sandbox.sandbox import parse_batch_delay

    try:
        batch_delay = parse_batch_delay(batch_delay_text)
    except ValueError:
        raise ActuiError(
            f"--batch-delay {batch_delay_text!r} is not valid: use seconds (0 turns it off) or "
            "a range such as 1-3."
        ) from None
    try:
        parse_limits(limits)
    except ValueError:
        raise ActuiError(
            f"--limits {limits!r} is not valid: use real, off or xN (for example x10)."
        ) from None
    try:
        emulator = (
            Sandbox.load(state_file, api_key=api_key, limits=limits, batch_delay=batch_delay)
            if state_file is not None
            else Sandbox.create(api_key=api_key, limits=limits, batch_delay=batch_delay)
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ActuiError(
            f"Could not read the sandbox state file {state_file} ({type(error).__name__}): "
            "fix or delete it."
        ) from None
    server = SandboxServer(emulator, port=port)
    try:
        server.start()
    except OSError as error:
        raise ActuiError(
            f"Could not listen on 127.0.0.1:{port} ({error.strerror}): choose another --port."
        ) from None
    if as_json:
        emit_json({"url": server.url, "api_key": server.api_key, "limits": emulator.limits.spec})
    else:
        click.echo(f"ActiveCampaign sandbox at {server.url}")
        click.echo(f"API key: {server.api_key}")
        click.echo(f"Limits: {emulator.limits.spec}. Press Ctrl+C to stop.")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(FREEZE_SECONDS)
            _freeze_long_lived()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if state_file is not None:
            emulator.save(state_file)
            click.echo(f"Saved the sandbox state to {state_file}.", err=True)


#: how often the emulator's long-lived state is set aside from the cyclic garbage collector
FREEZE_SECONDS = 1.0


def _freeze_long_lived() -> None:
    """Move every object alive now out of the collector's reach (``gc.freeze``).

    The emulator keeps every contact, list and import for the life of the process; with a
    million contacts each full collection re-scans them all and stalls the server for hundreds
    of milliseconds, which a real ActiveCampaign does not do (and which a send benchmark would
    blame on the sender). Young garbage is collected first; what is frozen is freed by reference
    counting when deleted, as the emulator's state has no cycles.
    """
    gc.collect(1)
    gc.freeze()


def _interrupt(signum: int, frame: object) -> None:
    """Stop serving on SIGTERM as on Ctrl+C, so the state file is still saved."""
    raise KeyboardInterrupt
