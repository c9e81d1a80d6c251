"""`actui segments list|show|import|export|delete` and `actui count`: segments from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from actui.cli.output import db_url_option, emit_json
from actui.segments.model import Segment, load_segment_file, segment_to_json


@click.group()
def segments() -> None:
    """Manage saved segments."""


@segments.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def list_command(as_json: bool) -> None:
    """List saved segments."""
    from actui.segments.store import list_segments

    saved = list_segments()
    if as_json:
        emit_json(
            {
                "segments": [
                    {
                        "name": item.name,
                        "kind": "sql" if item.segment.is_sql else "rules",
                        "created_at": item.created_at.isoformat(),
                        "updated_at": item.updated_at.isoformat(),
                    }
                    for item in saved
                ]
            }
        )
        return
    if not saved:
        click.echo("No saved segments. Import one with: actui segments import FILE")
        return
    width = max(len(item.name) for item in saved)
    for item in saved:
        kind = "sql" if item.segment.is_sql else "rules"
        stamp = item.updated_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{item.name:<{width}}  {kind:<5}  updated {stamp} UTC")


@segments.command("show")
@click.argument("name")
def show_command(name: str) -> None:
    """Print a saved segment's JSON."""
    from actui.segments.store import get_segment

    click.echo(segment_to_json(get_segment(name).segment), nl=False)


@segments.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Save under this name instead of the file's.")
def import_command(file: Path, name: str | None) -> None:
    """Save a segment JSON file (replacing a saved one of the same name)."""
    from actui.segments.store import save_segment

    segment = load_segment_file(file)
    if name:
        segment = segment.model_copy(update={"name": name})
    saved = save_segment(segment)
    click.echo(f"Saved segment {saved.name!r}.")


@segments.command("export")
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
def export_command(name: str, out: Path | None) -> None:
    """Write a saved segment as JSON (to stdout, or to --out FILE)."""
    from actui.segments.store import get_segment

    text = segment_to_json(get_segment(name).segment)
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}.")


@segments.command("delete")
@click.argument("name")
def delete_command(name: str) -> None:
    """Delete a saved segment."""
    from actui.segments.store import delete_segment

    delete_segment(name)
    click.echo(f"Deleted segment {name!r}.")


def _load(file_or_name: str) -> Segment:
    path = Path(file_or_name)
    if path.suffix.lower() == ".json" or path.is_file():
        return load_segment_file(path)
    from actui.segments.store import get_segment

    return get_segment(file_or_name).segment


@click.command("count")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.argument("file_or_name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--breakdown", "attribute", metavar="ATTR", help="Split members by an attribute.")
@click.pass_context
def count(
    ctx: click.Context, db: str | None, file_or_name: str, as_json: bool, attribute: str | None
) -> None:
    """Audience size and insights of a segment (a JSON file or a saved name)."""
    from actui.segments.insights import audience_size, breakdown, condition_sizes
    from actui.segments.store import SavedSegmentResolver
    from actui.segments.validate import validate_segment
    from actui.source import open_source

    segment = _load(file_or_name)
    source = open_source(db_url_option(ctx, db))
    resolver = SavedSegmentResolver()
    validate_segment(segment, source, resolver)
    size = audience_size(segment, source, resolver)
    sizes = condition_sizes(segment, source, resolver)
    split = breakdown(segment, source, resolver, attribute) if attribute else None
    if as_json:
        data: dict[str, Any] = {"segment": segment.name, **size.as_dict()}
        data["condition_sizes"] = [
            {"path": item.path, "condition": item.label, "customers": item.customers}
            for item in sizes
        ]
        if split is not None:
            data["breakdown"] = {
                "attribute": split.attribute,
                "members": split.members,
                "rows": [{"label": row.label, "customers": row.customers} for row in split.rows],
                "other": split.other,
            }
        emit_json(data)
        return
    click.echo(f"Segment {segment.name!r}")
    click.echo(f"  customers       {size.customers:>12,}  ({size.share:.1%} of {size.total:,})")
    click.echo(f"  contacts        {size.contacts:>12,}  (distinct valid emails)")
    click.echo(f"  duplicate_email {size.duplicate_email:>12,}")
    click.echo(f"  missing_email   {size.missing_email:>12,}")
    click.echo(f"  invalid_email   {size.invalid_email:>12,}")
    for reason, number in size.invalid_reasons.items():
        if number:
            click.echo(f"    {reason:<26}{number:>8,}")
    if sizes:
        click.echo("Each condition alone:")
        for item in sizes:
            click.echo(f"  {item.customers:>12,}  {item.path}  {item.label}")
    if split is not None:
        click.echo(f"By {split.attribute}:")
        for row in split.rows:
            click.echo(f"  {row.customers:>12,}  {row.label}")
        if split.other:
            click.echo(f"  {split.other:>12,}  other")


__all__ = ["count", "segments"]
