"""Typed messages that workers and widgets post to the screens (results handed back to the UI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.widget import Widget


@dataclass
class SegmentEdited(Message):
    """Something in the segment builder changed; the audience size should refresh."""


@dataclass
class ConditionRemoved(Message):
    """A condition row or group (``node``) asked to be removed from its parent group."""

    node: Widget

    @property
    def control(self) -> Widget:
        return self.node


@dataclass
class AudienceCounted(Message):
    """A count finished: the audience size of the segment at edit number ``generation``."""

    generation: int
    customers: int
    contacts: int
    duplicate_email: int
    missing_email: int
    invalid_email: int
    total: int
    condition_sizes: list[int | None] = field(default_factory=list)


@dataclass
class InsightsLoaded(Message):
    """The breakdown and sample rows of the segment at edit number ``generation``."""

    generation: int
    breakdown_attribute: str | None
    breakdown: list[tuple[str, int]]
    sample_columns: list[str]
    sample_rows: list[tuple[Any, ...]]


@dataclass
class CountFailed(Message):
    """A count could not run: ``reason`` says why in words; ``problems`` lists bad conditions."""

    generation: int
    reason: str
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SourceConnected(Message):
    """The app connected to a Customer 360 (first run, or a new URL)."""

    db_url: str


@dataclass
class ConnectFailed(Message):
    """Connecting to a Customer 360 failed; ``reason`` is the sentence to show."""

    reason: str
