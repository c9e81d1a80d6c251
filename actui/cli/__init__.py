"""The ``actui`` command: a click group whose subcommands load lazily, so the app starts fast."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from actui import __version__
from actui.errors import ActuiError

#: subcommand name -> "module:attribute"; each package owns its module under actui.cli.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo-data": ("actui.cli.demo_data:demo_data", "Write a sample Customer 360 SQLite database."),
    "demo": ("actui.cli.app:demo", "Open the app on the demo database with the sandbox running."),
    "tables": ("actui.cli.source:tables", "List the tables and columns of a Customer 360."),
    "picklist": ("actui.cli.source:picklist", "Show a column's most frequent values."),
    "source": ("actui.cli.source:source_group", "Show or set a Customer 360's tables and keys."),
    "segments": ("actui.cli.segments:segments", "Manage saved segments."),
    "count": ("actui.cli.segments:count", "Audience size and insights of a segment."),
    "credentials": ("actui.cli.credentials:credentials", "Manage ActiveCampaign credentials."),
    "destinations": ("actui.cli.destinations:destinations", "Manage ActiveCampaign destinations."),
    "sandbox": ("actui.cli.sandbox:sandbox", "Serve the ActiveCampaign emulator on loopback."),
    "campaigns": ("actui.cli.campaigns:campaigns", "Manage and preview campaigns."),
    "send": ("actui.cli.send:send", "Send a campaign or segment to ActiveCampaign."),
    "runs": ("actui.cli.send:runs", "List past send runs."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            return _not_yet(cmd_name, entry[1])
        command = getattr(module, attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ActuiError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # any crash: exit 2, one sentence, the traceback in a log
            from actui.cli.crash import report_crash

            ctx.exit(report_crash(error))


def _not_yet(name: str, help_text: str) -> click.Command:
    @click.command(name=name, help=help_text)
    def command() -> None:
        raise ActuiError(f"'actui {name}' is not available in this build.")

    return command


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="actui")
@click.option(
    "--db", "db_url", metavar="URL", help="Customer 360 SQLAlchemy URL (default: last used)."
)
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """actui: build Customer 360 segments and send them to ActiveCampaign lists.

    Run without a command to open the app.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    if ctx.invoked_subcommand is None:
        from actui.cli.app import open_app

        open_app(db_url)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(standalone_mode=True)
    except ActuiError as error:  # raised outside a subcommand's invoke (e.g. opening the app)
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # a crash outside a subcommand: exit 2, never a bare traceback
        from actui.cli.crash import report_crash

        sys.exit(report_crash(error))
