"""The campaign's results: a conversion bar per group, each lift with its interval, one sentence."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from actui.results import CampaignResults

#: characters of the longest bar (the highest conversion rate)
BAR_WIDTH = 28


class CampaignResultsPanel(VerticalScroll):
    """What a send did, measured against its control group, for the latest completed send."""

    DEFAULT_CSS = """
    CampaignResultsPanel { height: 1fr; padding: 0 1; }
    CampaignResultsPanel #results-bar { height: auto; margin-bottom: 1; }
    CampaignResultsPanel #results-bar Static { width: 1fr; padding: 0 1 0 0; }
    CampaignResultsPanel #results-groups, CampaignResultsPanel #results-lift { height: auto; }
    CampaignResultsPanel #results-lift { margin-top: 1; }
    CampaignResultsPanel #results-sentence { margin-top: 1; text-style: bold; height: auto; }
    CampaignResultsPanel #results-warnings { margin-top: 1; color: $warning; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="results-bar"):
            yield Static(
                "Press Ctrl+R (or Refresh) to measure the latest completed send.", id="results-head"
            )
            yield Button("Refresh", id="results-refresh", compact=True)
        yield Static("", id="results-groups")
        yield Static("", id="results-lift")
        yield Static("", id="results-sentence")
        yield Static("", id="results-warnings")

    def show_loading(self) -> None:
        self.query_one("#results-head", Static).update("Reading the outcomes of each group…")
        for name in ("groups", "lift", "sentence", "warnings"):
            self.query_one(f"#results-{name}", Static).update("")

    def show_failure(self, message: str) -> None:
        self.query_one("#results-head", Static).update(f"[red]No results:[/red] {message}")

    def show(self, result: CampaignResults) -> None:
        window = result.window
        state = f"{window.days_left} day(s) left" if window.open else "closed"
        self.query_one("#results-head", Static).update(
            f"Sent {result.sent_at[:10]} · outcome {result.outcome}\n"
            f"{window.days}-day window {window.start[:10]} to {window.end[:10]} ({state})"
        )
        self.query_one("#results-groups", Static).update(group_bars(result))
        self.query_one("#results-lift", Static).update(lift_lines(result))
        self.query_one("#results-sentence", Static).update(result.significance_sentence())
        self.query_one("#results-warnings", Static).update(
            "\n".join(f"⚠ {warning}" for warning in result.warnings)
        )


def group_bars(result: CampaignResults) -> str:
    """A bar per group, as long as its conversion rate (the highest fills the width)."""
    if not result.groups:
        return "No group was recorded for this send."
    top = max(group.conversion_rate for group in result.groups) or 1.0
    width = max(len(_label(group.group, group.sub_audience)) for group in result.groups)
    lines = ["[b]Conversion by group[/b]"]
    for group in result.groups:
        filled = round(group.conversion_rate / top * BAR_WIDTH)
        colour = "$text-muted" if group.control else "$success"
        value = (
            "" if group.value_per_member is None else f" · {group.value_per_member:,.2f} a member"
        )
        held = " (held out)" if group.control else ""
        lines.append(
            f"{_label(group.group, group.sub_audience):<{width}} "
            f"[{colour}]{'█' * filled}[/]{'░' * (BAR_WIDTH - filled)} "
            f"[b]{group.conversion_rate * 100:5.2f} %[/b]  "
            f"{group.converters:,} of {group.members:,}{value}{held}"
        )
    return "\n".join(lines)


def lift_lines(result: CampaignResults) -> str:
    """Each treatment group's lift against its control, with the 95 % intervals."""
    if not result.lift:
        return ""
    lines = ["[b]Lift against control (95 % intervals)[/b]"]
    for lift in result.lift:
        low, high = lift.ci95
        interval = (
            "unknown" if low is None or high is None else f"[{low * 100:+.2f}, {high * 100:+.2f}]"
        )
        relative = "" if lift.relative_lift is None else f" ({lift.relative_lift * 100:+.1f} %)"
        verdict = "[$success]significant[/]" if lift.significant else "not significant"
        line = (
            f"{lift.group} vs {lift.vs}: conversion {lift.conversion_rate_diff * 100:+.2f} "
            f"points{relative} {interval}, {verdict}"
        )
        if lift.value_per_member_diff is not None and lift.value_ci95 is not None:
            v_low, v_high = lift.value_ci95
            shown = (
                "unknown" if v_low is None or v_high is None else f"[{v_low:+,.2f}, {v_high:+,.2f}]"
            )
            line += f"\n  value a member {lift.value_per_member_diff:+,.2f} {shown}"
        lines.append(line)
    return "\n".join(lines)


def _label(group: str, sub_audience: str | None) -> str:
    return f"{sub_audience} / {group}" if sub_audience else group
