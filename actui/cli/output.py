"""Printing for the command line: plain text for people, one JSON object for scripts."""

from __future__ import annotations

import json
from typing import Any

import click

#: exit codes shared by every subcommand
EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_ERROR = 2


def emit_json(data: Any) -> None:
    """Print ``data`` as one JSON document on stdout."""
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def db_url_option(ctx: click.Context, explicit: str | None) -> str:
    """The Customer 360 URL for a subcommand: its own ``--db``, the group's, or the last used."""
    from actui.config import load_config
    from actui.errors import ActuiError

    root = ctx.find_root()
    url = explicit or (root.obj or {}).get("db_url") or load_config().last_db_url
    if not url:
        raise ActuiError(
            "No Customer 360 database given: pass --db URL (e.g. --db sqlite:///customers.db)."
        )
    return str(url)
