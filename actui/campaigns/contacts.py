"""The send-ready contact: what a campaign group streams to the send pipeline, one per email."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple


class Contact(NamedTuple):
    """One normalized, mapped contact (email trimmed and lower-cased, attributes as strings).

    ``fields`` maps an ActiveCampaign custom field id (as a string) to its value; ``customer_key``
    is the Customer 360 key the contact came from (kept for logs, never sent, and left out of
    equality: two contacts are equal when everything sent is equal). A named tuple, because a
    stream builds one per audience member: it costs a third of a slotted class to create.
    """

    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    customer_key: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Contact):
            return NotImplemented
        return self[:6] == other[:6]

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self[:6])

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
