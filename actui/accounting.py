"""The one accounting of a segment's or campaign's rows, shared by every count, preview and send.

For any segment or campaign::

    customers = contacts + duplicate_email + missing_email + invalid_email (+ excluded)

``customers`` are the member rows read, ``contacts`` the distinct sendable emails (one
ActiveCampaign contact each), ``duplicate_email`` the rows whose sendable email a kept row already
has, ``missing_email`` and ``invalid_email`` the rows set aside for their email, and, for a
campaign, ``excluded`` the rows excluded by customer or by email and ``not_in_any_sub_audience``
the rows no sub-audience takes. Every report prints these names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from actui.emails import REASON_DUPLICATE, REASON_MISSING

#: why a row was not sent, as a report's ``reason_code``
ReasonCode = Literal[
    "missing_email", "invalid_email", "duplicate_email", "refused", "unsubscribed_before"
]


def reason_code(reason: str) -> ReasonCode:
    """The code of a reason set aside before sending (missing, invalid or duplicate email)."""
    if reason == REASON_MISSING:
        return "missing_email"
    if reason.startswith(REASON_DUPLICATE):
        return "duplicate_email"
    return "invalid_email"


def duplicate_reason(kept_customer_key: str | None) -> str:
    """The reason of a row whose email a kept row already has, naming the kept customer."""
    if kept_customer_key is None:
        return REASON_DUPLICATE
    return f"{REASON_DUPLICATE}: kept customer {kept_customer_key}"


@dataclass(slots=True)
class Accounting:
    """The terms of the accounting (see the module docstring), counted as rows are classified."""

    customers: int = 0
    contacts: int = 0
    duplicate_email: int = 0
    missing_email: int = 0
    invalid_email: int = 0
    excluded: int = 0
    not_in_any_sub_audience: int = 0

    def count_set_aside(self, reason: str) -> None:
        """One more row set aside for its email (``reason`` as a stream gives it)."""
        code = reason_code(reason)
        setattr(self, code, getattr(self, code) + 1)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


__all__ = ["Accounting", "ReasonCode", "duplicate_reason", "reason_code"]
