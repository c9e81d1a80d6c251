"""The emulator's one object: an account's state, its rate limits and faults, behind one lock.

The HTTP app (``app.py``) and test code (``sandbox.dump()``, ``sandbox.set_faults(...)``) share a
``Sandbox`` across threads; every public method takes the lock. The account's API key is never
written to a dump or state file: ``Sandbox.load`` takes the key to use (or makes a new one).
"""

from __future__ import annotations

import hmac
import json
import random
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from actui.home import open_private
from actui.sandbox.faults import FaultInjector, FaultSettings
from actui.sandbox.imports import apply_batch
from actui.sandbox.limits import LimitSettings, SlidingWindow, parse_limits
from actui.sandbox.model import Batch, Exclusion, Membership
from actui.sandbox.state import AccountState

T = TypeVar("T")

#: seconds a bulk import stays "processing": a fixed number, or a (low, high) range drawn per batch
BatchDelay = float | tuple[float, float]
#: how long ActiveCampaign takes to process a small bulk import, so clients must poll
REALISTIC_BATCH_DELAY: tuple[float, float] = (1.0, 3.0)


def parse_batch_delay(value: object) -> BatchDelay:
    """A delay from ``2``, ``"1.5"``, ``"1-3"`` or ``[1, 3]``; ``ValueError`` on anything else."""
    if isinstance(value, list | tuple) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    elif isinstance(value, str) and "-" in value.strip().lstrip("-"):
        first, _, second = value.strip().partition("-")
        low, high = float(first), float(second)
    elif isinstance(value, int | float | str) and not isinstance(value, bool):
        seconds = float(value)
        if not 0 <= seconds < float("inf"):
            raise ValueError(f"a batch delay must be 0 or more seconds, not {value!r}")
        return seconds
    else:
        raise ValueError(f"{value!r} is not a batch delay")
    if not 0 <= low <= high < float("inf"):
        raise ValueError(f"a batch delay range must be LOW-HIGH with 0 <= LOW <= HIGH: {value!r}")
    return (low, high)


@dataclass
class Account:
    """The emulated account; ``api_key`` is left out of ``repr``."""

    name: str = "sandbox"
    user_email: str = "admin@sandbox.example.com"
    api_key: str = field(default="", repr=False)


@dataclass
class RequestCounts:
    """What the API side saw: every status answered, and why requests were refused."""

    by_status: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    storm_limited: int = 0
    import_rate_limited: int = 0
    dropped: int = 0
    forbidden: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": sum(self.by_status.values()) + self.dropped,
            "by_status": {str(code): n for code, n in sorted(self.by_status.items())},
            "status_429": self.by_status.get(429, 0),
            "rate_limited": self.rate_limited,
            "storm_limited": self.storm_limited,
            "import_rate_limited": self.import_rate_limited,
            "dropped": self.dropped,
            "forbidden": self.forbidden,
        }


class Sandbox:
    """One emulated ActiveCampaign account with its limits, faults and request counts."""

    def __init__(
        self,
        account: Account,
        state: AccountState,
        limits: str = "real",
        batch_delay: BatchDelay = REALISTIC_BATCH_DELAY,
    ) -> None:
        self.account = account
        self.lock = threading.RLock()
        self.state = state
        self.limits: LimitSettings = parse_limits(limits)
        self.batch_delay = batch_delay
        self.request_window = SlidingWindow(1.0)
        self.multi_import_window = SlidingWindow(60.0)
        self.single_import_window = SlidingWindow(60.0)
        self.faults = FaultInjector()
        self.counts = RequestCounts()
        self.pending_batches = [b for b in state.batches.values() if b.status == "processing"]

    def __repr__(self) -> str:
        return f"Sandbox(account={self.account.name!r}, limits={self.limits.spec!r})"

    @classmethod
    def create(
        cls,
        api_key: str | None = None,
        limits: str = "real",
        batch_delay: BatchDelay = REALISTIC_BATCH_DELAY,
    ) -> Sandbox:
        """A fresh account (group ``Admin``, a few custom fields) with the given or a new key."""
        account = Account(api_key=api_key or secrets.token_hex(36))
        return cls(account, AccountState.fresh(), limits, batch_delay)

    # -- used by the HTTP app --------------------------------------------------------------

    def key_matches(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key.encode(), self.account.api_key.encode())

    def admit_request(self) -> tuple[bool, int, int | None]:
        """Count a request against 5/s; returns (accepted, remaining, limit)."""
        with self.lock:
            limit = self.limits.requests_per_second
            accepted, remaining = self.request_window.try_accept(limit)
            if not accepted:
                self.counts.rate_limited += 1
            return accepted, remaining, limit

    def admit_import(self, contact_count: int) -> bool:
        """Count a bulk import against its per-minute limit (single- or multi-contact)."""
        with self.lock:
            if contact_count == 1:
                accepted, _ = self.single_import_window.try_accept(
                    self.limits.single_imports_per_minute
                )
            else:
                accepted, _ = self.multi_import_window.try_accept(
                    self.limits.multi_imports_per_minute
                )
            if not accepted:
                self.counts.import_rate_limited += 1
            return accepted

    def record(self, status: int) -> None:
        with self.lock:
            self.counts.by_status[status] += 1

    def record_refusal(self, kind: str) -> None:
        """Count a dropped connection, a 429 storm answer or a refused key."""
        with self.lock:
            if kind == "dropped":
                self.counts.dropped += 1
            elif kind == "storm":
                self.counts.storm_limited += 1
            elif kind == "forbidden":
                self.counts.forbidden += 1

    def run(self, operation: Callable[[AccountState], T]) -> T:
        """Run ``operation`` on the state under the lock, after applying every due batch."""
        with self.lock:
            self._settle()
            return operation(self.state)

    def _settle(self) -> None:
        if not self.pending_batches:
            return
        now = time.time()
        while self.pending_batches and self.pending_batches[0].ready_at <= now:
            apply_batch(self.state, self.pending_batches.pop(0))

    def submit_import(self, contacts: list[dict[str, Any]]) -> Batch:
        """Queue validated contacts; they are applied once ``batch_delay`` seconds passed."""
        with self.lock:
            now = time.time()
            batch = Batch(
                str(uuid.uuid4()),
                contacts,
                submitted_at=now,
                ready_at=now + self._draw_batch_delay(),
                queued_contacts=len(contacts),
            )
            self.state.batches[batch.id] = batch
            self.pending_batches.append(batch)
            self._settle()
            return batch

    def _draw_batch_delay(self) -> float:
        if isinstance(self.batch_delay, tuple):
            return random.uniform(*self.batch_delay)
        return self.batch_delay

    # -- test control ----------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh account (same key, limits and batch delay); faults and counts cleared."""
        with self.lock:
            self.state = AccountState.fresh()
            self.pending_batches = []
            self.request_window.clear()
            self.multi_import_window.clear()
            self.single_import_window.clear()
            self.faults.configure(FaultSettings())
            self.counts = RequestCounts()

    def set_faults(self, settings: FaultSettings | None = None, **values: Any) -> FaultSettings:
        """Replace the injected faults (``set_faults()`` clears them); returns what is in force."""
        chosen = settings if settings is not None else FaultSettings(**values)
        with self.lock:
            self.faults.configure(chosen)
        return chosen

    def set_limits(self, spec: str) -> None:
        """``"real"``, ``"off"`` or ``"xN"``; raises ``ValueError`` on anything else."""
        parsed = parse_limits(spec)
        with self.lock:
            self.limits = parsed

    def set_batch_delay(self, seconds: BatchDelay) -> None:
        """Seconds later imports stay "processing": a number, or a (low, high) range."""
        delay = parse_batch_delay(seconds)
        with self.lock:
            self.batch_delay = delay

    def add_exclusion(self, match_phrase: str, match_type: str = "exact") -> Exclusion:
        """Add an exclusion rule: an ``exact`` address or an address ``end`` (``@spam.example``)."""
        return self.run(lambda state: state.add_exclusion(match_phrase, match_type))

    def unsubscribe(self, email: str, list_id: int) -> Membership:
        """Simulate a person unsubscribing from a list by hand (from an email's footer)."""

        def operation(state: AccountState) -> Membership:
            contact = state.contact_by_email(email)
            if contact is None:
                raise KeyError(f"no contact with email {email!r}")
            return state.set_membership(contact.id, list_id, 2, "by_hand")

        return self.run(operation)

    def dump(self) -> dict[str, Any]:
        """The state as JSON-able data (no API key), with limits, faults and request counts."""
        with self.lock:
            self._settle()
            data = self.state.to_dict()
            data["account"] = {"name": self.account.name, "user_email": self.account.user_email}
            data["limits"] = self.limits.spec
            delay = self.batch_delay
            data["batch_delay"] = list(delay) if isinstance(delay, tuple) else delay
            data["faults"] = self.faults.settings.model_dump()
            data["requests"] = self.counts.to_dict()
            return data

    def save(self, path: str | Path) -> None:
        """Write ``dump()`` to ``path`` (owner-only), for ``actui sandbox --state FILE``."""
        data = self.dump()
        with open_private(Path(path)) as handle:
            handle.write(json.dumps(data, indent=1))

    @classmethod
    def load(
        cls,
        path: str | Path,
        api_key: str | None = None,
        limits: str | None = None,
        batch_delay: BatchDelay | None = None,
    ) -> Sandbox:
        """A sandbox holding the state saved at ``path`` (a fresh one when the file is missing)."""
        source = Path(path)
        if not source.exists():
            chosen = REALISTIC_BATCH_DELAY if batch_delay is None else batch_delay
            return cls.create(api_key, limits or "real", chosen)
        data = json.loads(source.read_text(encoding="utf-8"))
        account = Account(
            name=str(data.get("account", {}).get("name", "sandbox")),
            api_key=api_key or secrets.token_hex(36),
        )
        return cls(
            account,
            AccountState.from_dict(data),
            limits if limits is not None else str(data.get("limits", "real")),
            batch_delay
            if batch_delay is not None
            else parse_batch_delay(data.get("batch_delay", list(REALISTIC_BATCH_DELAY))),
        )
