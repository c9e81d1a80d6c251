"""How ``actui campaigns results`` prints a campaign's results for people."""

from __future__ import annotations

import click

from actui.results import CampaignResults


def print_results(result: CampaignResults) -> None:
    """A table of the groups, a line per lift, then the warnings (on stderr)."""
    window = result.window
    state = f"{window.days_left} day(s) left" if window.open else "closed"
    click.echo(f"Campaign {result.campaign!r}  run {result.run_id}  sent {result.sent_at}")
    click.echo(
        f"Outcome: {result.outcome}; {window.days}-day window {window.start} to {window.end} "
        f"({state})"
    )
    header = ("Group", "Members", "Converters", "Conversion", "Value/member")
    rows = [
        (
            (f"{g.sub_audience} / {g.group}" if g.sub_audience else g.group)
            + (" (held out)" if g.control else ""),
            f"{g.members:,}",
            f"{g.converters:,}",
            f"{g.conversion_rate * 100:.2f} %",
            "" if g.value_per_member is None else f"{g.value_per_member:,.2f}",
        )
        for g in result.groups
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        click.echo("  " + "  ".join(cells))
    for lift in result.lift:
        low, high = lift.ci95
        shown = _interval(low, high, 100, " pts")
        relative = "" if lift.relative_lift is None else f" ({lift.relative_lift * 100:+.1f} %)"
        line = (
            f"  {lift.group} vs {lift.vs}: conversion {lift.conversion_rate_diff * 100:+.2f} pts"
            f"{relative}, 95 % interval {shown}"
        )
        if lift.value_per_member_diff is not None and lift.value_ci95 is not None:
            line += (
                f"; value/member {lift.value_per_member_diff:+,.2f}, 95 % interval "
                f"{_interval(lift.value_ci95[0], lift.value_ci95[1], 1, '')}"
            )
        click.echo(line + ("  significant" if lift.significant else "  not significant"))
    click.echo(result.significance_sentence())
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)


def _interval(low: float | None, high: float | None, scale: float, unit: str) -> str:
    if low is None or high is None:
        return "unknown (a group is empty)"
    return f"[{low * scale:+,.2f}, {high * scale:+,.2f}]{unit}"
