"""``actui credentials``: add, list, test and remove named ActiveCampaign credentials."""

from __future__ import annotations

import asyncio
import sys

import click

from actui.cli.output import emit_json
from actui.errors import ActuiError


@click.group()
def credentials() -> None:
    """Manage ActiveCampaign credentials (API keys live in the OS keyring)."""


@credentials.command("add")
@click.argument("name")
@click.option("--url", required=True, help="Account URL from Settings > Developer.")
@click.option("--key-stdin", is_flag=True, help="Read the API key from stdin instead of a prompt.")
def add(name: str, url: str, key_stdin: bool) -> None:
    """Store credential NAME: the key comes from a hidden prompt (or stdin), never an argument."""
    from actui.credentials import add_credential

    if key_stdin:
        key = sys.stdin.readline().strip()
    else:
        key = click.prompt("API key", hide_input=True, err=True).strip()
    if not key:
        raise ActuiError("No API key given; paste it from Settings > Developer.")
    credential = add_credential(name, url, key)
    click.echo(f"Saved credential {credential.name!r} for {credential.url}.")
    click.echo(f"Check it with: actui credentials test {credential.name}")


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """List credential names (never keys)."""
    from actui.credentials import list_credentials

    names = list_credentials()
    if as_json:
        emit_json({"credentials": names})
        return
    if not names:
        click.echo("No credentials yet: add one with 'actui credentials add NAME --url URL'.")
    for name in names:
        click.echo(name)


@credentials.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def test(name: str, as_json: bool) -> None:
    """Check that credential NAME reaches its account."""
    from actui.credentials import client_for, get_credential

    credential = get_credential(name)

    async def check() -> str:
        async with client_for(credential) as client:
            user = await client.users_me()
            return user.email or user.username or f"user {user.id}"

    who = asyncio.run(check())
    if as_json:
        emit_json({"credential": name, "url": credential.url, "ok": True, "user": who})
    else:
        click.echo(f"OK: credential {name!r} reaches {credential.url} as {who}.")


@credentials.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete credential NAME from the keyring."""
    from actui.credentials import list_destinations, remove_credential

    users = [d.name for d in list_destinations() if d.credential == name]
    if users:
        raise ActuiError(
            f"Credential {name!r} is used by destinations {', '.join(users)}; remove or change "
            "them first with 'actui destinations remove NAME'."
        )
    remove_credential(name)
    click.echo(f"Removed credential {name!r}.")
