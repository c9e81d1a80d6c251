"""The connection test's results, one line per check (✓ or ✗), each failure followed by its fix."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from actui.credentials import CheckResult


def checks_text(results: list[CheckResult]) -> Text:
    """The results as lines: a mark, the check, the detail; then the fix, indented."""
    text = Text()
    for index, result in enumerate(results):
        if index:
            text.append("\n")
        mark, style = ("✓", "green") if result.ok else ("✗", "red")
        text.append(f"{mark} {result.check}: ", style=f"bold {style}")
        text.append(result.detail)
        if result.fix:
            text.append("\n   → ", style="yellow")
            text.append(result.fix, style="yellow")
    return text


class DestinationChecks(Static):
    """Shows the last test of a destination, or what is being tested."""

    DEFAULT_CSS = """
    DestinationChecks { height: auto; padding: 0 1; margin-top: 1; }
    """

    def show_testing(self, name: str) -> None:
        self.update(Text(f"Testing {name}…", style="italic"))

    def show_results(self, results: list[CheckResult]) -> None:
        self.update(checks_text(results))

    def show_failure(self, message: str) -> None:
        self.update(Text(f"✗ {message}", style="red"))
