"""One request throttle per ActiveCampaign account, shared by every request of the process.

ActiveCampaign allows 5 requests a second per account, counted over a sliding 1-second window,
and bulk imports have their own per-minute limits on top (see ``actui.sandbox.limits``, which
emulates them). Two rules, both per lane (all requests; bulk imports; single imports):

* **slots**: each request reserves the next free slot, one every ``1.01 / rate`` seconds, and
  waits for it, so requests leave evenly spaced with no initial burst. Slots follow one another
  whatever happens: a request that wakes late does not push the ones after it back, and slots
  left unused in the last quarter second (the event loop was busy) are still handed out, so a
  busy moment costs no throughput;
* **window**: a request never leaves while the last ``limit`` requests of its lane left less than
  ``1.01 x`` the window ago (1 s for requests, 60 s for imports). This is the server's own rule,
  so catching up after a late wake-up can never be answered 429.

``aiolimiter`` is a leaky bucket that lets the first ``max_rate`` requests through at once and
keeps no window of past sends, so this module is a small scheduler of its own. Both steps run
under a thread lock and never await, so one throttle serves every event loop and thread.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

#: the server counts a sliding window; space slightly wider than the limit
SAFETY_MARGIN = 1.01
#: how far back unused slots are still handed out (see ``AccountThrottle._reserve``)
CATCH_UP_SECONDS = 0.25

RequestKind = Literal["request", "bulk", "single_import"]


@dataclass
class ThrottleStats:
    """Counters for reports: requests let through, 429s and 503s, retries, waits, time waited."""

    requests: int = 0
    #: answers 429 (and bulk imports refused for their rate)
    rate_limited: int = 0
    #: answers 503: the service unavailable, counted apart from the rate limit
    unavailable: int = 0
    retries: int = 0
    waits: int = 0
    waited_seconds: float = 0.0


def _interval(per_second: float, margin: float) -> float:
    return 0.0 if math.isinf(per_second) or per_second <= 0 else margin / per_second


def _window(per_second: float, seconds: float, margin: float) -> tuple[int, float]:
    """(at most this many sends, in this many seconds) for a lane; (0, 0.0) when unlimited.

    The server's window (1 s, or 60 s), widened by ``margin``, with the lane's whole sends in
    it: 4.5 requests a second allow 4 in any 1.01 s, never 4 in 0.9 s (8 in one second).
    """
    if math.isinf(per_second) or per_second <= 0:
        return 0, 0.0
    return max(1, math.floor(per_second * seconds + 1e-9)), seconds * margin


class AccountThrottle:
    """Spaces every request to one account evenly; bulk imports also to their per-minute limit.

    A rate of ``math.inf`` (or 0) turns that limit off. ``margin`` widens the spacing (1.01: 1 %).
    """

    def __init__(
        self,
        rate: float = 5.0,
        bulk_per_minute: float = 100,
        single_import_per_minute: float = 20,
        *,
        margin: float = SAFETY_MARGIN,
    ) -> None:
        self.rate = rate
        self.bulk_per_minute = bulk_per_minute
        self.single_import_per_minute = single_import_per_minute
        per_second: dict[RequestKind, tuple[float, float]] = {
            "request": (rate, 1.0),
            "bulk": (bulk_per_minute / 60, 60.0),
            "single_import": (single_import_per_minute / 60, 60.0),
        }
        self._spacing: dict[RequestKind, float] = {
            lane: _interval(lane_rate, margin) for lane, (lane_rate, _) in per_second.items()
        }
        self._windows: dict[RequestKind, tuple[int, float]] = {
            lane: _window(lane_rate, seconds, margin)
            for lane, (lane_rate, seconds) in per_second.items()
        }
        #: the next slot to hand out, per lane (orders waiters so they wake one by one)
        self._next_slot: dict[RequestKind, float] = dict.fromkeys(self._spacing, -math.inf)
        #: when the last ``limit`` requests of each lane really left (the server's window)
        self._sent: dict[RequestKind, deque[float]] = {
            lane: deque(maxlen=max(1, limit)) for lane, (limit, _) in self._windows.items()
        }
        #: no request of the lane leaves before this (a Retry-After)
        self._paused_until: dict[RequestKind, float] = dict.fromkeys(self._spacing, -math.inf)
        self._lock = threading.Lock()
        self.stats = ThrottleStats()

    def __repr__(self) -> str:
        return (
            f"AccountThrottle(rate={self.rate}, bulk_per_minute={self.bulk_per_minute}, "
            f"single_import_per_minute={self.single_import_per_minute})"
        )

    def _lanes(self, kind: RequestKind) -> tuple[RequestKind, ...]:
        return ("request",) if kind == "request" else ("request", kind)

    def _reserve(self, kind: RequestKind) -> float:
        """Take the next slot of ``kind``; the seconds until it comes."""
        with self._lock:
            now = time.monotonic()
            # a slot left unused in the last CATCH_UP_SECONDS (a busy moment) is still given out;
            # an older one is not (no burst after a pause); the window check keeps either safe
            slot = max(
                planned if planned >= now - CATCH_UP_SECONDS else now
                for planned in (self._next_slot[lane] for lane in self._lanes(kind))
            )
            for lane in self._lanes(kind):
                self._next_slot[lane] = slot + self._spacing[lane]
            return slot - now

    def _try_send(self, kind: RequestKind) -> float:
        """0.0 and the request counts as sent now, or the seconds still to wait.

        The check is the server's: the request may leave once the ``limit``-th last request of
        each of its lanes left a (widened) window ago, and no Retry-After pause is running.
        """
        with self._lock:
            now = time.monotonic()
            lanes = self._lanes(kind)
            ready = -math.inf
            for lane in lanes:
                limit, seconds = self._windows[lane]
                sent = self._sent[lane]
                ready = max(ready, self._paused_until[lane])
                if limit and len(sent) >= limit:
                    ready = max(ready, sent[0] + seconds)
            if ready - now > 1e-4:
                return ready - now
            for lane in lanes:
                if self._windows[lane][0]:
                    self._sent[lane].append(now)
            self.stats.requests += 1
            return 0.0

    async def acquire(self, kind: RequestKind = "request") -> None:
        """Wait for this request's turn, then count it as sent."""
        started = time.monotonic()
        wait = self._reserve(kind)
        slept = False
        while True:
            if wait > 0:
                slept = True
                await asyncio.sleep(wait)
            wait = self._try_send(kind)
            if wait <= 0:
                break
        if slept:
            with self._lock:
                self.stats.waits += 1
                self.stats.waited_seconds += time.monotonic() - started

    def penalize(self, seconds: float, kind: RequestKind = "request", *, status: int = 429) -> None:
        """Pause every request (or only imports of ``kind``) for ``seconds``: a Retry-After.

        ``status`` is the answer that asked for it: a 503 is counted apart from the 429s.
        """
        with self._lock:
            resume = time.monotonic() + seconds
            self._next_slot[kind] = max(self._next_slot[kind], resume)
            self._paused_until[kind] = max(self._paused_until[kind], resume)
            if status == 503:
                self.stats.unavailable += 1
            else:
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
    margin: float = SAFETY_MARGIN,
) -> AccountThrottle:
    """The process-wide throttle of an account (created with these rates on first use)."""
    from actui.activecampaign.account import normalize_account_url

    key = normalize_account_url(account_url)
    with _registry_lock:
        throttle = _throttles.get(key)
        if throttle is None:
            throttle = AccountThrottle(
                rate, bulk_per_minute, single_import_per_minute, margin=margin
            )
            _throttles[key] = throttle
        return throttle


def reset_throttles() -> None:
    """Forget every account's throttle (tests)."""
    with _registry_lock:
        _throttles.clear()
