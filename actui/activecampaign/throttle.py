"""One request spacer per ActiveCampaign account, shared by every request of the process.

ActiveCampaign allows 5 requests a second per account, counted over a sliding 1-second window,
with no burst; bulk imports have their own per-minute limits on top. ``aiolimiter`` is a leaky
bucket that lets the first ``max_rate`` requests through at once, which such a server counts
against us, so this module keeps a small spacer of its own: each request reserves the next free
slot, one every ``1.01 / rate`` seconds, and sleeps until it comes. Reservation happens under a
thread lock and never awaits, so one throttle serves every event loop and thread of the process.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from dataclasses import dataclass
from typing import Literal

#: the server counts a sliding window; space slightly wider than the limit
SAFETY_MARGIN = 1.01

RequestKind = Literal["request", "bulk", "single_import"]


@dataclass
class ThrottleStats:
    """Counters for reports: requests let through, 429/503s seen, retries, waits and time waited."""

    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    waits: int = 0
    waited_seconds: float = 0.0


def _interval(per_second: float) -> float:
    return 0.0 if math.isinf(per_second) or per_second <= 0 else SAFETY_MARGIN / per_second


class AccountThrottle:
    """Spaces every request to one account evenly; bulk imports also to their per-minute limit.

    A rate of ``math.inf`` (or 0) turns that limit off.
    """

    def __init__(
        self,
        rate: float = 5.0,
        bulk_per_minute: float = 100,
        single_import_per_minute: float = 20,
    ) -> None:
        self.rate = rate
        self.bulk_per_minute = bulk_per_minute
        self.single_import_per_minute = single_import_per_minute
        self._spacing: dict[RequestKind, float] = {
            "request": _interval(rate),
            "bulk": _interval(bulk_per_minute / 60),
            "single_import": _interval(single_import_per_minute / 60),
        }
        self._next_free: dict[RequestKind, float] = dict.fromkeys(self._spacing, 0.0)
        self._lock = threading.Lock()
        self.stats = ThrottleStats()

    def __repr__(self) -> str:
        return (
            f"AccountThrottle(rate={self.rate}, bulk_per_minute={self.bulk_per_minute}, "
            f"single_import_per_minute={self.single_import_per_minute})"
        )

    def reserve(self, kind: RequestKind = "request") -> float:
        """Reserve the next slot for a request of ``kind``; returns the seconds to wait for it."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_free["request"])
            if kind != "request":
                slot = max(slot, self._next_free[kind])
                self._next_free[kind] = slot + self._spacing[kind]
            self._next_free["request"] = slot + self._spacing["request"]
            self.stats.requests += 1
            wait = slot - now
            if wait > 0:
                self.stats.waits += 1
                self.stats.waited_seconds += wait
            return wait

    async def acquire(self, kind: RequestKind = "request") -> None:
        """Wait for this request's turn."""
        wait = self.reserve(kind)
        if wait > 0:
            await asyncio.sleep(wait)

    def penalize(self, seconds: float, kind: RequestKind = "request") -> None:
        """Pause every request (or only imports of ``kind``) for ``seconds``: a Retry-After."""
        with self._lock:
            until = time.monotonic() + seconds
            self._next_free[kind] = max(self._next_free[kind], until)
            self.stats.rate_limited += 1

    def count_retry(self) -> None:
        """Record one retried request."""
        with self._lock:
            self.stats.retries += 1


_throttles: dict[str, AccountThrottle] = {}
_registry_lock = threading.Lock()


def throttle_for(
    account_url: str,
    *,
    rate: float = 5.0,
    bulk_per_minute: float = 100,
    single_import_per_minute: float = 20,
) -> AccountThrottle:
    """The process-wide throttle of an account (created with these rates on first use)."""
    from actui.activecampaign.account import normalize_account_url

    key = normalize_account_url(account_url)
    with _registry_lock:
        throttle = _throttles.get(key)
        if throttle is None:
            throttle = AccountThrottle(rate, bulk_per_minute, single_import_per_minute)
            _throttles[key] = throttle
        return throttle


def reset_throttles() -> None:
    """Forget every account's throttle (tests)."""
    with _registry_lock:
        _throttles.clear()
