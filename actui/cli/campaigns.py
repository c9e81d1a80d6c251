"""`actui campaigns list|show|import|export|delete|preview|results`: campaigns from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import click

from actui.campaigns.model import Campaign, CampaignError, campaign_to_json
from actui.cli.output import db_url_option, emit_json


@click.group()
def campaigns() -> None:
    """Manage and preview campaigns."""


@campaigns.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def list_command(as_json: bool) -> None:
    """List saved campaigns."""
    from actui.campaigns.store import list_campaigns

    saved = list_campaigns()
    if as_json:
        emit_json({"campaigns": [summary.model_dump() for summary in saved]})
        return
    if not saved:
        click.echo("No saved campaigns. Import one with: actui campaigns import FILE")
        return
    width = max(len(summary.name) for summary in saved)
    for summary in saved:
        click.echo(
            f"{summary.name:<{width}}  {summary.sub_audiences} sub-audiences  "
            f"{summary.groups} groups  id {summary.id}"
        )


@campaigns.command("show")
@click.argument("name")
def show_command(name: str) -> None:
    """Print a saved campaign's JSON."""
    from actui.campaigns.store import get_campaign

    click.echo(campaign_to_json(get_campaign(name)), nl=False)


@campaigns.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replace/--no-replace",
    default=True,
    show_default=True,
    help="Overwrite a saved campaign with the same id.",
)
def import_command(file: Path, replace: bool) -> None:
    """Save a campaign JSON file (its id is kept; a file without one keeps the saved id)."""
    from actui.campaigns.store import import_campaign
    from actui.jsonfiles import parse_json_text, read_json_file

    text, source_name = read_json_file(file, "campaign", CampaignError)
    data = parse_json_text(text, source_name, CampaignError)
    campaign = import_campaign(data, source_name, replace=replace)
    click.echo(f"Saved campaign {campaign.name!r} (id {campaign.id}).")


@campaigns.command("export")
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
def export_command(name: str, out: Path | None) -> None:
    """Write a saved campaign as JSON, id included (to stdout, or to --out FILE)."""
    from actui.campaigns.store import get_campaign

    text = campaign_to_json(get_campaign(name))
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}.")


@campaigns.command("delete")
@click.argument("name")
def delete_command(name: str) -> None:
    """Delete a saved campaign."""
    from actui.campaigns.store import delete_campaign

    deleted = delete_campaign(name)
    click.echo(f"Deleted campaign {deleted.name!r}.")


@campaigns.command("preview")
@click.argument("name_or_file")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--sample", default=5, show_default=True, help="Sample contacts per group.")
@click.pass_context
def preview_command(
    ctx: click.Context, name_or_file: str, db: str | None, as_json: bool, sample: int
) -> None:
    """Sizes per sub-audience and group, exclusions, bad emails and sample contacts."""
    from actui.campaigns.plan import build_plan
    from actui.campaigns.preview import preview
    from actui.segments.store import SavedSegmentResolver
    from actui.source import open_source

    campaign = _load(name_or_file)
    source = open_source(db_url_option(ctx, db))
    try:
        plan = build_plan(campaign, source, SavedSegmentResolver())
        result = preview(plan, sample=sample)
    finally:
        source.dispose()
    if as_json:
        emit_json(result.to_json())
        return
    click.echo(f"Campaign {result.campaign!r}  (id {result.id})")
    click.echo(
        f"  customers {result.customers:,} = contacts {result.contacts:,}"
        f" + duplicate_email {result.duplicate_email:,} + missing_email {result.missing_email:,}"
        f" + invalid_email {result.invalid_email:,} + excluded {result.excluded:,}"
        f" + in no sub-audience {result.not_in_any_sub_audience:,}"
    )
    click.echo(f"  contacts: to send {result.to_send:,}   held out {result.held_out:,}")
    rows = [
        (
            group.sub_audience or "",
            group.group,
            f"{group.percent:g}%",
            f"{group.size:,}",
            "control (not sent)" if group.control else (group.destination or ""),
            group.list_name or "",
        )
        for group in result.groups
    ]
    header = ("Sub-audience", "Group", "Share", "Size", "Destination", "List")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo(
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        )
    for group in result.groups:
        if not group.sample:
            continue
        label = f"{group.sub_audience} / {group.group}" if group.sub_audience else group.group
        click.echo(f"Sample of {label}:")
        for contact in group.sample:
            shown = {key: value for key, value in contact.items() if key != "customer_key"}
            click.echo(f"  {json.dumps(shown, ensure_ascii=False)}")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)


@campaigns.command("results")
@click.argument("name")
@click.option("--run", "run_id", metavar="RUN_ID", help="A run of the campaign (default: latest).")
@click.option("--window", "window_days", type=int, metavar="DAYS", help="Days after the send.")
@click.option("--db", "db", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def results_command(
    ctx: click.Context,
    name: str,
    run_id: str | None,
    window_days: int | None,
    db: str | None,
    as_json: bool,
) -> None:
    """Conversion and value per group over the window, and each group's lift against control."""
    from actui.campaigns.store import get_campaign
    from actui.cli.results import print_results
    from actui.results import campaign_results
    from actui.source import open_source
    from actui.state import state_engine

    campaign = get_campaign(name)
    source = open_source(db_url_option(ctx, db))
    try:
        result = campaign_results(
            campaign, source, state_engine(), run_id=run_id, window_days=window_days
        )
    finally:
        source.dispose()
    if as_json:
        emit_json(result.to_json())
        return
    print_results(result)


def _load(name_or_file: str) -> Campaign:
    from actui.campaigns.model import load_campaign_file
    from actui.campaigns.store import get_campaign

    path = Path(name_or_file)
    if path.suffix.lower() == ".json" or path.is_file():
        return load_campaign_file(path)
    return get_campaign(name_or_file)


__all__ = ["campaigns"]
