"""The dry-run panel of a send: what it would subscribe, update, unsubscribe; requests; time."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from actui.sync.estimates import estimated_seconds
from actui.sync.models import SendEstimate


def duration_words(seconds: float) -> str:
    """A duration a person reads at a glance: '< 1 s', '42 s', '3 min 5 s', '2 h 4 min'."""
    if seconds < 1:
        return "< 1 s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def estimate_table(estimate: SendEstimate, *, stable: bool = False) -> Table:
    """The dry-run counts as a two-column table, then one line per list.

    With ``stable`` (screenshots), the time is the throttle's alone: the part the dry run
    measured on this machine would change from one run to the next.
    """
    counts = estimate.counts
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    terms = estimate.accounting
    table.add_row("Customers", f"{terms.customers:,} = {terms.contacts:,} contacts")
    set_aside = [
        f"{terms.duplicate_email:,} duplicate email",
        f"{terms.missing_email:,} missing email",
        f"{terms.invalid_email:,} invalid email",
        f"{terms.excluded:,} excluded",
    ]
    if terms.not_in_any_sub_audience:
        set_aside.append(f"{terms.not_in_any_sub_audience:,} in no sub-audience")
    table.add_row("", Text(" + ".join(set_aside), style="dim"))
    table.add_row("Subscribe", f"{counts.subscribe:,}")
    table.add_row("Update", f"{counts.update:,}")
    table.add_row("Unsubscribe", f"{counts.unsubscribe:,}")
    table.add_row("Unchanged", f"{counts.unchanged:,}")
    table.add_row("Rejected", Text(f"{counts.rejected:,}", style="red" if counts.rejected else ""))
    if counts.unsubscribed_by_hand:
        table.add_row("Unsubscribed by hand (kept out)", f"{counts.unsubscribed_by_hand:,}")
    table.add_row("Requests", f"{estimate.requests:,} ({estimate.bulk_imports:,} bulk imports)")
    seconds = (
        estimated_seconds(estimate.requests, estimate.bulk_imports, estimate.limits)
        if stable
        else estimate.estimated_seconds
    )
    table.add_row("Estimated time", duration_words(seconds))
    for target in estimate.targets:
        groups = ", ".join(target.groups)
        where = f"{target.destination} > {target.list_name}"
        table.add_row(
            Text(where, style="dim"), Text(f"{target.counts.audience:,} ({groups})", style="dim")
        )
    return table


class SendEstimatePanel(Static):
    """Shows a :class:`SendEstimate` (or a waiting line before it arrives)."""

    DEFAULT_CSS = """
    SendEstimatePanel { height: auto; padding: 0 1; }
    """

    def show_estimate(self, estimate: SendEstimate, *, stable: bool = False) -> None:
        self.update(estimate_table(estimate, stable=stable))
        if estimate.note:
            self.tooltip = estimate.note
