"""The account throttle spaces requests evenly (no burst), honours penalties and counts."""

from __future__ import annotations

import asyncio
import itertools
import math
import time

import pytest

from actui.activecampaign.throttle import AccountThrottle, reset_throttles, throttle_for


async def _stamps(throttle: AccountThrottle, count: int, kind: str = "request") -> list[float]:
    stamps: list[float] = []

    async def one() -> None:
        await throttle.acquire(kind)  # type: ignore[arg-type]
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(stamps)


def _max_in_window(stamps: list[float], window: float) -> int:
    best = 0
    for i, start in enumerate(stamps):
        best = max(best, sum(1 for t in stamps[i:] if t < start + window))
    return best


async def test_requests_are_spaced_with_no_initial_burst() -> None:
    throttle = AccountThrottle(rate=40.0)
    stamps = await _stamps(throttle, 60)
    assert _max_in_window(stamps, 1.0) <= 40
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    # the very first requests are spaced too: a leaky bucket would let 40 through at once
    assert min(gaps[:5]) >= 1 / 40 * 0.9
    assert stamps[-1] - stamps[0] >= 59 / 40


async def test_bulk_imports_are_spaced_to_their_per_minute_limit() -> None:
    throttle = AccountThrottle(rate=1000.0, bulk_per_minute=600)
    started = time.monotonic()
    await _stamps(throttle, 20, "request")
    plain = time.monotonic() - started
    stamps = await _stamps(throttle, 5, "bulk")
    assert plain < 0.2
    assert stamps[-1] - stamps[0] >= 4 * 0.1 * 0.95
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.1 * 0.8  # evenly spaced: no two imports leave together


async def test_a_busy_event_loop_costs_no_slot_and_never_breaks_the_window() -> None:
    throttle = AccountThrottle(rate=20.0)

    async def busy_loop() -> None:
        await asyncio.sleep(0.3)
        time.sleep(0.3)  # the event loop is blocked for six slots

    stamps, _ = await asyncio.gather(_stamps(throttle, 40), busy_loop())
    # the server's rule holds even while the late requests catch up...
    assert _max_in_window(stamps, 1.0) <= 20
    # ...and they do catch up: a spacer counting from each late send would end 0.3 s later
    assert stamps[-1] - stamps[0] <= 39 * 1.01 / 20 + 0.15


async def test_penalty_pauses_every_request() -> None:
    throttle = AccountThrottle(rate=1000.0)
    throttle.penalize(0.3)
    started = time.monotonic()
    await asyncio.gather(throttle.acquire(), throttle.acquire("bulk"))
    assert time.monotonic() - started >= 0.29
    assert throttle.stats.rate_limited == 1
    assert throttle.stats.waits == 2


async def test_unlimited_rate_never_waits() -> None:
    throttle = AccountThrottle(rate=math.inf, bulk_per_minute=math.inf)
    started = time.monotonic()
    await _stamps(throttle, 200)
    assert time.monotonic() - started < 0.2
    assert throttle.stats.requests == 200
    assert throttle.stats.waits == 0


def test_one_throttle_per_account_whatever_the_url_spelling() -> None:
    reset_throttles()
    first = throttle_for("https://acme.api-us1.com")
    assert throttle_for("https://acme.api-us1.com/api/3/") is first
    assert throttle_for("https://other.api-us1.com") is not first
    reset_throttles()
    assert throttle_for("https://acme.api-us1.com") is not first


def test_invalid_account_url_is_refused() -> None:
    with pytest.raises(ValueError, match="https"):
        throttle_for("http://acme.api-us1.com")
