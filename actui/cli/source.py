"""``actui tables`` and ``actui picklist``: look at a Customer 360 from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from actui.cli.output import db_url_option, emit_json

if TYPE_CHECKING:
    from actui.source import Source


def _open(ctx: click.Context, db: str | None) -> Source:
    from actui.config import load_config
    from actui.source import Source

    return Source.connect(db_url_option(ctx, db), load_config().source)


@click.command(name="tables")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def tables(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """List the tables of a Customer 360 with their columns, kinds and row counts."""
    source = _open(ctx, db)
    try:
        catalog = [(name, source.row_count(name), source.columns(name)) for name in source.tables()]
    finally:
        source.dispose()
    if as_json:
        emit_json(
            {
                "database": source.display_url,
                "tables": [
                    {
                        "name": name,
                        "rows": rows.model_dump(),
                        "columns": [column.model_dump(mode="json") for column in columns],
                    }
                    for name, rows, columns in catalog
                ],
            }
        )
        return
    if not catalog:
        click.echo(f"{source.display_url} has no tables.")
    for name, rows, columns in catalog:
        about = "about " if rows.estimated else ""
        click.echo(f"{name}  ({about}{rows.rows:,} rows)")
        width = max((len(column.name) for column in columns), default=0)
        for column in columns:
            null = "" if column.nullable else "  not null"
            click.echo(f"  {column.name:<{width}}  {column.kind:<8}  {column.sql_type}{null}")


@click.command(name="picklist")
@click.argument("table")
@click.argument("column")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Values to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def picklist(
    ctx: click.Context, table: str, column: str, db: str | None, limit: int, as_json: bool
) -> None:
    """Show the most frequent values of a column, most frequent first."""
    source = _open(ctx, db)
    try:
        found = source.picklist(table, column, limit)
    finally:
        source.dispose()
    if as_json:
        emit_json(found.model_dump(mode="json"))
        return
    shown = ["(empty)" if entry.value is None else str(entry.value) for entry in found.entries]
    width = max((len(value) for value in shown), default=0)
    for value, entry in zip(shown, found.entries, strict=True):
        click.echo(f"{value:<{width}}  {entry.count:>10,}")
    if found.capped:
        click.echo(f"(top {limit} values; the column has more)")
    if found.note:
        click.echo(found.note)
