"""``actui tables``, ``picklist`` and ``source``: look at a Customer 360 from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from actui.cli.output import db_url_option, emit_json

if TYPE_CHECKING:
    from actui.source import Source


def _open(ctx: click.Context, db: str | None) -> Source:
    from actui.source import open_source

    return open_source(db_url_option(ctx, db))


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


@click.group(name="source")
def source_group() -> None:
    """Show and change how actui reads a Customer 360 (tables, customer key, email column)."""


@source_group.command("show")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def source_show(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Print each setting in effect, its value and where it came from."""
    source = _open(ctx, db)
    try:
        settings = source.describe_settings()
        warnings = source.warnings()
    finally:
        source.dispose()
    if as_json:
        data: dict[str, Any] = {"database": source.display_url}
        data.update({item.name: item.value for item in settings})
        data["origins"] = {item.name: item.origin for item in settings}
        data["default_schema"] = source.settings.default_schema
        data["warnings"] = warnings
        emit_json(data)
        return
    click.echo(f"Customer 360 {source.display_url}")
    width = max(len(SETTING_LABELS[item.name]) for item in settings)
    for item in settings:
        value = "(none)" if item.value is None else item.value
        click.echo(f"  {SETTING_LABELS[item.name]:<{width}}  {value}  ({item.origin})")
    if source.settings.default_schema:
        click.echo(f"  {'schema':<{width}}  {source.settings.default_schema}  (saved by you)")
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)


#: how ``actui source show`` names each setting
SETTING_LABELS = {
    "segment_table": "segment table",
    "attribute_table": "attribute table",
    "customer_key": "customer key",
    "email_column": "email column",
}


@source_group.command("set")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option("--segment-table", metavar="TABLE", help="The table segments filter.")
@click.option("--attribute-table", metavar="TABLE", help="The table attributes are read from.")
@click.option("--customer-key", metavar="COLUMN", help="The column naming a customer.")
@click.option("--email-column", metavar="COLUMN", help="The column holding email addresses.")
@click.option("--default-schema", metavar="SCHEMA", help="The schema whose tables are listed.")
@click.pass_context
def source_set(
    ctx: click.Context,
    db: str | None,
    segment_table: str | None,
    attribute_table: str | None,
    customer_key: str | None,
    email_column: str | None,
    default_schema: str | None,
) -> None:
    """Save settings for this database; the others stay as they are (or detected)."""
    from actui.errors import ActuiError
    from actui.source.door import save_source_settings

    changes = {
        "segment_table": segment_table,
        "attribute_table": attribute_table,
        "customer_key": customer_key,
        "email_column": email_column,
        "default_schema": default_schema,
    }
    given = {name: value for name, value in changes.items() if value is not None}
    if not given:
        raise ActuiError(
            "Nothing to set: give at least one of --segment-table, --attribute-table, "
            "--customer-key, --email-column or --default-schema."
        )
    warnings = save_source_settings(db_url_option(ctx, db), given)
    for name, value in given.items():
        shown = value if value.strip() else "(detect)"
        click.echo(f"Saved {name.replace('_', ' ')}: {shown}")
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)


@source_group.command("reset")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.pass_context
def source_reset(ctx: click.Context, db: str | None) -> None:
    """Drop the saved settings of this database: everything is detected again."""
    from actui.source.door import reset_source_settings

    reset_source_settings(db_url_option(ctx, db))
    click.echo("Saved settings dropped: tables, key and email column are detected again.")
