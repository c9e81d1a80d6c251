"""ActiveCampaign's rate limits as sliding windows: 5 requests/s per account, imports per minute.

A request is accepted when fewer than ``limit`` requests were accepted in the window (1.0 s, or
60 s for imports) before it; refused requests do not count. The ``limits`` setting is ``"real"``,
``"off"`` or ``"xN"`` (every rate multiplied by N, e.g. ``"x10"`` or ``"x0.5"``).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

REQUESTS_PER_SECOND = 5
MULTI_IMPORTS_PER_MINUTE = 100
SINGLE_IMPORTS_PER_MINUTE = 20


@dataclass(frozen=True)
class LimitSettings:
    """The rates in force; ``None`` means unlimited."""

    spec: str
    requests_per_second: int | None
    multi_imports_per_minute: int | None
    single_imports_per_minute: int | None


def parse_limits(spec: str) -> LimitSettings:
    """Read ``"real"``, ``"off"`` or ``"xN"``; raise ``ValueError`` naming the accepted forms."""
    text = spec.strip().lower()
    if text == "off":
        return LimitSettings("off", None, None, None)
    factor = 1.0
    if text != "real":
        try:
            factor = float(text[1:]) if text.startswith("x") else math.nan
        except ValueError:
            factor = math.nan
        if not factor > 0 or math.isinf(factor):
            raise ValueError(f"limits must be 'real', 'off' or 'xN' with N > 0, not {spec!r}")
    return LimitSettings(
        "real" if text == "real" else text,
        max(1, round(REQUESTS_PER_SECOND * factor)),
        max(1, round(MULTI_IMPORTS_PER_MINUTE * factor)),
        max(1, round(SINGLE_IMPORTS_PER_MINUTE * factor)),
    )


class SlidingWindow:
    """Accepts at most ``limit`` events in any ``window`` seconds (refusals are not recorded)."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self.accepted: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self.accepted and self.accepted[0] <= now - self.window:
            self.accepted.popleft()

    def try_accept(self, limit: int | None) -> tuple[bool, int]:
        """Record an event if allowed; returns (accepted, remaining slots after it)."""
        if limit is None:
            return True, 0
        now = self.clock()
        self._expire(now)
        if len(self.accepted) >= limit:
            return False, 0
        self.accepted.append(now)
        return True, limit - len(self.accepted)

    def clear(self) -> None:
        self.accepted.clear()
