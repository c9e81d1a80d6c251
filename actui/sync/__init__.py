"""Sending: plan by diff against the list's last confirmed state, batch, journal, resume, report."""

from __future__ import annotations

from actui.sync.models import (
    Counts,
    Mode,
    Progress,
    RejectedRow,
    RunInfo,
    RunSummary,
    SendEstimate,
    SendLimits,
    SendRequest,
)

__all__ = [
    "Counts",
    "Mode",
    "Progress",
    "RejectedRow",
    "RunInfo",
    "RunSummary",
    "SendEstimate",
    "SendLimits",
    "SendRequest",
]
