"""The insights panel: audience size in large type, its share, emails, each condition's size,
a breakdown chart by a chosen attribute and sample rows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Digits, Select, Static

from actui.tui.messages import AudienceCounted, InsightsLoaded
from actui.tui.widgets.breakdown_chart import BreakdownChart
from actui.tui.widgets.sample_table import SampleTable


class InsightsPanel(VerticalScroll):
    """Shows the latest count; while a newer count runs, the old figures stay, marked as stale."""

    DEFAULT_CSS = """
    InsightsPanel { padding: 0 1; }
    InsightsPanel #audience-size { width: auto; color: $accent; }
    InsightsPanel #audience-size.-stale { color: $text-muted; }
    InsightsPanel .section { margin-top: 1; text-style: bold; }
    InsightsPanel #count-status { color: $text-muted; }
    InsightsPanel #count-problem { color: $error; }
    InsightsPanel #breakdown-attribute { width: 100%; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Audience", classes="section")
        yield Digits("-", id="audience-size")
        yield Static("", id="audience-share")
        yield Static("", id="audience-emails")
        yield Static("", id="count-status")
        yield Static("", id="count-problem")
        yield Static("Each condition alone", classes="section")
        yield Static("", id="condition-sizes")
        yield Static("Breakdown", classes="section")
        yield Select[str]([], prompt="by attribute", id="breakdown-attribute", compact=True)
        yield BreakdownChart(id="breakdown")
        yield Static("Sample members", classes="section")
        yield SampleTable(id="sample")

    def set_breakdown_attributes(self, names: list[str], current: str | None) -> None:
        """Offer ``names`` in the breakdown drop-down, selecting ``current``."""
        select = self.query_one("#breakdown-attribute", Select)
        select.set_options([(name, name) for name in names])
        if current in names:
            select.value = current

    def counting(self) -> None:
        """A newer count started: dim the figures until it lands."""
        self.query_one("#audience-size", Digits).add_class("-stale")
        self.query_one("#count-status", Static).update("counting…")

    def show_count(self, counted: AudienceCounted, descriptions: list[str]) -> None:
        """Show a finished count."""
        self.query_one("#audience-size", Digits).update(f"{counted.customers:,}")
        self.query_one("#audience-size", Digits).remove_class("-stale")
        share = counted.customers / counted.total if counted.total else 0.0
        self.query_one("#audience-share", Static).update(
            f"of {counted.total:,} customers ({share:.1%})"
        )
        self.query_one("#audience-emails", Static).update(
            f"{counted.contacts:,} contacts · {counted.duplicate_email:,} duplicate email · "
            f"{counted.missing_email:,} missing email · {counted.invalid_email:,} invalid email"
        )
        self.query_one("#count-status", Static).update("")
        self.query_one("#count-problem", Static).update("")
        lines = Text()
        for index, (text, size) in enumerate(
            zip(descriptions, counted.condition_sizes, strict=False)
        ):
            shown = "—" if size is None else f"{size:,}"
            if index:
                lines.append("\n")
            lines.append(f"{index + 1}. {text}", style="")
            lines.append(f"  {shown}", style="bold")
        if not descriptions:
            lines.append("no conditions: everyone", style="dim")
        self.query_one("#condition-sizes", Static).update(lines)

    def show_problem(self, reason: str, problems: list[tuple[str, str]]) -> None:
        """Say why the count cannot run (the figures stay, dimmed)."""
        self.query_one("#audience-size", Digits).add_class("-stale")
        self.query_one("#count-status", Static).update("")
        text = reason + "".join(
            f"\n• {path}: {message}" if path else f"\n• {message}" for path, message in problems
        )
        self.query_one("#count-problem", Static).update(Text(text))

    def show_insights(self, loaded: InsightsLoaded) -> None:
        """Show the breakdown and the sample rows."""
        self.query_one(BreakdownChart).show(loaded.breakdown)
        self.query_one(SampleTable).show(loaded.sample_columns, loaded.sample_rows)
