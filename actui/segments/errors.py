"""The error a segment raises when it does not fit its source: every problem, each with its path."""

from __future__ import annotations

from dataclasses import dataclass

from actui.errors import ActuiError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a segment: where (``conditions[2].conditions[0]``) and what to do."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SegmentError(ActuiError):
    """A segment that cannot be read, validated or compiled; ``problems`` lists every reason.

    ``str()`` is a summary sentence followed by one line per problem, so the command line prints
    each problem, with its path, on its own line.
    """

    def __init__(self, summary: str, problems: list[Problem] | None = None) -> None:
        self.summary = summary
        self.problems = list(problems or [])
        lines = [summary, *(f"  {problem}" for problem in self.problems)]
        super().__init__("\n".join(lines))


def join_path(parent: str, child: str | int) -> str:
    """The path of ``child`` inside ``parent``: ``conditions`` + ``2`` -> ``conditions[2]``."""
    if isinstance(child, int):
        return f"{parent}[{child}]"
    return f"{parent}.{child}" if parent else child
