"""``actui send`` and ``actui runs``: headless sends for schedulers, a progress bar on a TTY."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from actui.cli.output import EXIT_ERROR, db_url_option, emit_json
from actui.errors import ActuiError
from actui.wording import plural

MODES = ("mirror", "upsert", "update-only")


@click.command(name="send")
@click.argument("campaign", required=False)
@click.option("--db", "db_url", metavar="URL", help="Customer 360 SQLAlchemy URL.")
@click.option("--group", metavar="G", help="Send only this treatment group.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="mirror",
    show_default=True,
    help="mirror: the list ends equal to the audience; upsert: never remove; "
    "update-only: touch only contacts already in ActiveCampaign.",
)
@click.option("--dry-run", is_flag=True, help="Count and estimate; write nothing.")
@click.option("--reconcile", is_flag=True, help="Re-read the lists from ActiveCampaign first.")
@click.option("--segment", metavar="NAME_OR_FILE", help="Send a segment instead of a campaign.")
@click.option("--destination", metavar="D", help="Destination of a --segment send.")
@click.option("--list", "list_name", metavar="L", help="List of a --segment send.")
@click.option("--resume", "resume", is_flag=True, help="Finish an interrupted run.")
@click.option("--rate", type=float, help="Requests a second (default 5, or ACTUI_SEND_RATE).")
@click.option(
    "--bulk-per-minute",
    type=float,
    help="Bulk imports a minute (default 100, or ACTUI_SEND_BULK_PER_MINUTE).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for another run sending to the same list (or resuming the same run) to end; "
    "without it, such a send exits 2 naming that run.",
)
@click.option(
    "--allow-removal",
    is_flag=True,
    help="Let a mirror send unsubscribe any share of a list (even all of it).",
)
@click.option(
    "--max-removal",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="Most of a list's members a mirror send may unsubscribe, in percent, for this run "
    "(default: the destination's, 20).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def send(
    ctx: click.Context,
    campaign: str | None,
    db_url: str | None,
    group: str | None,
    mode: str,
    dry_run: bool,
    reconcile: bool,
    segment: str | None,
    destination: str | None,
    list_name: str | None,
    resume: bool,
    rate: float | None,
    bulk_per_minute: float | None,
    wait: bool,
    allow_removal: bool,
    max_removal: float | None,
    as_json: bool,
) -> None:
    """Send a campaign (or --segment) to ActiveCampaign; --resume [RUN_ID] finishes a run.

    Exit code 0 when everything was sent, 1 when some emails were rejected, 2 on failure.
    """
    from actui.sync import runner
    from actui.sync.models import SendRequest

    limits = runner.limits_from_env(rate, bulk_per_minute)
    if resume:
        summary = _with_progress(
            as_json,
            lambda progress, cancel: runner.resume_run(
                campaign,
                db_url=_resume_url(ctx, db_url),
                on_progress=progress,
                cancel=cancel,
                limits=limits,
                wait=wait,
                allow_removal=allow_removal or None,
                max_removal=max_removal,
            ),
        )
        _print_summary(summary, as_json)
        ctx.exit(summary.exit_code)
    if bool(campaign) == bool(segment):
        raise ActuiError(
            "Name a campaign, or give --segment NAME_OR_FILE with --destination D "
            "(or --resume [RUN_ID])."
        )
    if segment and not destination:
        raise ActuiError("A --segment send needs --destination D (see 'actui destinations').")
    request = SendRequest(
        campaign=campaign,
        segment=segment,
        destination=destination,
        list_name=list_name,
        group=group,
        mode=mode,
        reconcile=reconcile,
        allow_removal=allow_removal,
        max_removal=max_removal,
    )
    url = db_url_option(ctx, db_url)
    if dry_run:
        estimate = runner.dry_run(request, url, limits=limits)
        if as_json:
            emit_json(estimate.model_dump(mode="json"))
        else:
            _print_estimate(estimate)
        return
    summary = _with_progress(
        as_json,
        lambda progress, cancel: runner.run_send(
            request, url, on_progress=progress, cancel=cancel, limits=limits, wait=wait
        ),
    )
    _print_summary(summary, as_json)
    ctx.exit(summary.exit_code)


def _resume_url(ctx: click.Context, explicit: str | None) -> str | None:
    root = ctx.find_root()
    return explicit or (root.obj or {}).get("db_url")


def _with_progress(as_json: bool, work: Callable[[Any, threading.Event], Any]) -> Any:
    """Run ``work`` with a progress display: rich's bar on a TTY, plain lines otherwise."""
    cancel = threading.Event()
    if as_json:
        return _interruptible(lambda: work(None, cancel), cancel)
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        with Progress(
            TextColumn("[bold]sending"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[reading]}"),
            TextColumn("{task.fields[rate]:>9} contacts/s"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[line]}"),
            transient=False,
        ) as bar:
            task = bar.add_task("send", total=None, rate="", line="", reading="")

            def show(progress: Any) -> None:
                bar.update(
                    task,
                    total=progress.total,
                    completed=progress.sent,
                    rate=_rate_words(progress),
                    line=progress.last_line[:60],
                    reading=f"read {progress.read:,} · staged {progress.staged:,}",
                )

            return _interruptible(lambda: work(show, cancel), cancel)
    last = [0.0]

    def plain(progress: Any) -> None:
        now = time.monotonic()
        if now - last[0] < 1.0 and progress.sent < progress.total:
            return
        last[0] = now
        eta = "" if progress.eta_seconds is None else f", ETA {progress.eta_seconds:,.0f}s"
        click.echo(
            f"read {progress.read}, staged {progress.staged}, {progress.sent}/{progress.total} "
            f"sent, {_rate_words(progress)}/s{eta}, 429s {progress.rate_limited}, "
            f"retries {progress.retries}: {progress.last_line}",
            err=True,
        )

    return _interruptible(lambda: work(plain, cancel), cancel)


def _rate_words(progress: Any) -> str:
    """Contacts a second, or a dash until the first batch is confirmed."""
    rate = progress.contacts_per_second
    return "—" if rate is None else f"{rate:,.0f}"


def _interruptible(call: Callable[[], Any], cancel: threading.Event) -> Any:
    """Run ``call`` in a thread so Ctrl+C stops the send cleanly (journal kept for --resume)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="actui-send", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        click.echo("Stopping: finishing the journal (resume with 'actui send --resume').", err=True)
        cancel.set()
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _print_estimate(estimate: Any) -> None:
    counts = estimate.counts
    click.echo(f"Dry run of {estimate.request.source_kind} {estimate.request.source_name!r}:")
    for target in estimate.targets:
        state = "exists" if target.list_id else "will be created"
        click.echo(f"  {target.destination} / {target.list_name} (list {state})")
    click.echo(f"  {accounting_line(estimate.accounting)}")
    click.echo(
        f"  subscribe {counts.subscribe}, update {counts.update}, unsubscribe "
        f"{counts.unsubscribe}, unchanged {counts.unchanged}, reject {counts.rejected}"
    )
    if counts.unsubscribed_by_hand:
        click.echo(
            f"  {counts.unsubscribed_by_hand} unsubscribed by hand: they will not be re-subscribed"
        )
    if counts.not_in_activecampaign:
        click.echo(f"  {counts.not_in_activecampaign} not in ActiveCampaign (update-only skips)")
    click.echo(
        f"  {estimate.requests} requests ({estimate.bulk_imports} bulk imports), about "
        f"{estimate.estimated_seconds:,.0f} s at {estimate.limits.rate:g} requests/s and "
        f"{estimate.limits.bulk_per_minute:g} imports/min"
    )
    click.echo(f"  {estimate.note}")


def accounting_line(terms: Any) -> str:
    """customers = contacts + duplicate_email + ... with the figures, in the accounting's terms."""
    line = (
        f"customers {terms.customers:,} = contacts {terms.contacts:,}"
        f" + duplicate_email {terms.duplicate_email:,} + missing_email {terms.missing_email:,}"
        f" + invalid_email {terms.invalid_email:,} + excluded {terms.excluded:,}"
    )
    if terms.not_in_any_sub_audience:
        line += f" + in no sub-audience {terms.not_in_any_sub_audience:,}"
    return line


def _print_summary(summary: Any, as_json: bool) -> None:
    if as_json:
        emit_json(summary.model_dump(mode="json"))
        return
    click.echo(
        f"Run {summary.run_id} {summary.status}: {summary.sent} sent, {summary.rejected} "
        f"rejected, {summary.requests} requests, {summary.retries} retries, "
        f"{summary.rate_limited} answered 429, {summary.unavailable} answered 503, "
        f"{summary.duration_seconds:,.1f} s."
    )
    click.echo(accounting_line(summary.accounting))
    if summary.planned.unsubscribed_by_hand:
        by_hand = summary.planned.unsubscribed_by_hand
        click.echo(
            f"{plural(by_hand, 'contact')} unsubscribed by hand "
            f"{'was' if by_hand == 1 else 'were'} left unsubscribed."
        )
    if summary.message:
        click.echo(summary.message)
    if summary.rejected_path:
        click.echo(f"Rejected emails: {summary.rejected_path}")
    if summary.exit_code == EXIT_ERROR and summary.status == "failed":
        click.echo(f"Finish it with: actui send --resume {summary.run_id}", err=True)


@click.command(name="runs")
@click.argument("run_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--limit", type=int, default=50, show_default=True)
def runs(run_id: str | None, as_json: bool, limit: int) -> None:
    """List past send runs, newest first; with RUN_ID, that run and its rejected emails."""
    from actui.sync.runner import list_runs

    if run_id is not None:
        _show_run(run_id, as_json)
        return
    found = list_runs(limit)
    if as_json:
        emit_json({"runs": [run.model_dump(mode="json") for run in found]})
        return
    if not found:
        click.echo("No runs yet.")
        return
    for run in found:
        started = datetime.fromtimestamp(run.started_at, UTC).strftime("%Y-%m-%d %H:%M")
        c = run.counts
        click.echo(
            f"{run.run_id}  {started}  {run.status:<9}  {run.source_kind} {run.source_name!r} "
            f"({run.mode}) -> {', '.join(run.targets)}: +{c.subscribe} ~{c.update} "
            f"-{c.unsubscribe} ={c.unchanged} !{c.rejected}"
        )


def _show_run(run_id: str, as_json: bool) -> None:
    """One run's summary and every email it did not deliver, with the reason."""
    from actui.sync.runner import get_run, rejected_rows

    summary = get_run(run_id)
    rejected = rejected_rows(run_id)
    if as_json:
        emit_json(
            {
                "run": summary.model_dump(mode="json"),
                "rejected": [row.model_dump(mode="json") for row in rejected],
            }
        )
        return
    _print_summary(summary, as_json=False)
    if rejected:
        click.echo(f"\nRejected rows ({len(rejected)}):")
        emails = [row.email or "(no email)" for row in rejected]
        width = max(len(email) for email in emails)
        for email, row in zip(emails, rejected, strict=True):
            where = row.list_name or f"{row.group} (held out)"
            key = f" [customer {row.customer_key}]" if row.customer_key else ""
            click.echo(f"  {email:<{width}}  {row.reason_code:<19} {where}: {row.reason}{key}")
