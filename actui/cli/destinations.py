"""``actui destinations``: add, list, test and remove ActiveCampaign destinations."""

from __future__ import annotations

import asyncio

import click

from actui.cli.output import EXIT_ERROR, emit_json
from actui.errors import ActuiError


@click.group()
def destinations() -> None:
    """Manage ActiveCampaign destinations (credential, user group, list)."""


@destinations.command("add")
@click.argument("name")
@click.option("--credential", required=True, help="Name of a saved credential.")
@click.option("--group", default="Admin", show_default=True, help="User group that sees the list.")
@click.option("--list", "list_name", help="List name, existing or to create [default: NAME].")
@click.option("--verbose-logs/--no-verbose-logs", default=False, help="Keep rejected emails.")
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A default attribute for every contact (repeatable).",
)
@click.option(
    "--max-removal",
    type=click.FloatRange(0, 100),
    default=20.0,
    show_default=True,
    metavar="PCT",
    help="Most of the list's members a mirror send may unsubscribe unasked, in percent.",
)
def add(
    name: str,
    credential: str,
    group: str,
    list_name: str | None,
    verbose_logs: bool,
    attributes: tuple[str, ...],
    max_removal: float,
) -> None:
    """Save destination NAME (replacing one of the same name)."""
    from actui.credentials import list_credentials, make_destination, save_destination

    known = list_credentials()
    if credential not in known:
        names = ", ".join(repr(n) for n in known) or "none yet"
        raise ActuiError(
            f"No credential named {credential!r} (credentials: {names}); add it with "
            f"'actui credentials add {credential} --url URL'."
        )
    defaults: dict[str, str] = {}
    for item in attributes:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise ActuiError(f"--attribute {item!r} must look like FIELD=VALUE.")
        defaults[field.strip()] = value
    destination = make_destination(
        name=name,
        credential=credential,
        group=group,
        list=list_name or name,
        verbose_logs=verbose_logs,
        default_attributes=defaults,
        max_removal=max_removal,
    )
    save_destination(destination)
    click.echo(
        f"Saved destination {name!r}: list {destination.list_name!r}, group "
        f"{destination.group!r}, credential {credential!r}."
    )
    click.echo(f"Check it with: actui destinations test {name}")


@destinations.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """List saved destinations."""
    from actui.credentials import list_destinations

    saved = list_destinations()
    if as_json:
        emit_json({"destinations": [d.model_dump(mode="json", by_alias=True) for d in saved]})
        return
    if not saved:
        click.echo(
            "No destinations yet: add one with 'actui destinations add NAME --credential C'."
        )
    for d in saved:
        logs = ", verbose logs" if d.verbose_logs else ""
        click.echo(
            f"{d.name}: list {d.list_name!r}, group {d.group!r}, credential {d.credential!r}{logs}"
        )


@destinations.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def test(ctx: click.Context, name: str, as_json: bool) -> None:
    """Check destination NAME line by line; exit 2 when any check fails."""
    from actui.credentials import get_destination, test_destination

    destination = get_destination(name)
    results = asyncio.run(test_destination(destination))
    failed = any(not r.ok for r in results)
    if as_json:
        emit_json(
            {"destination": name, "ok": not failed, "checks": [r.model_dump() for r in results]}
        )
    else:
        for r in results:
            click.echo(f"{'ok    ' if r.ok else 'FAILED'} {r.check}: {r.detail}")
            if r.fix:
                click.echo(f"       fix: {r.fix}")
    if failed:
        ctx.exit(EXIT_ERROR)


@destinations.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete destination NAME."""
    from actui.credentials import delete_destination

    delete_destination(name)
    click.echo(f"Removed destination {name!r}.")
