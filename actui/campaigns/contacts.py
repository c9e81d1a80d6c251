"""The send-ready contact: what a campaign group streams to the send pipeline, one per email."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Contact:
    """One normalized, mapped contact (email trimmed and lower-cased, attributes as strings).

    ``fields`` maps an ActiveCampaign custom field id (as a string) to its value; ``customer_key``
    is the Customer 360 key the contact came from (kept for logs, never sent).
    """

    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    customer_key: str | None = field(default=None, compare=False)

    def digest(self) -> str:
        """A short fingerprint of everything sent: tells a changed contact from an unchanged one."""
        parts = [
            self.email,
            self.first_name or "",
            self.last_name or "",
            self.phone or "",
            "\x1e".join(f"{k}={v}" for k, v in sorted(self.fields)),
            "\x1e".join(sorted(self.tags)),
        ]
        return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class RejectedContact:
    """A row set aside before sending, with the reason a user can act on."""

    email: str
    reason: str
    customer_key: str | None = None
