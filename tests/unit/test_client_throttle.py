"""Against the sandbox's real 5/s sliding window, the shared throttle never triggers a 429."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from actui.activecampaign import AccountThrottle, ActiveCampaignClient


class StampingTransport(httpx.AsyncHTTPTransport):
    """The real loopback transport, noting when each request leaves."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[float] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(time.monotonic())
        return await super().handle_async_request(request)


def _most_in_one_second(stamps: list[float]) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < start + 1.0) for i, start in enumerate(stamps))


async def test_two_clients_sharing_a_throttle_stay_under_five_a_second(
    sandbox_real_limits: Any,
) -> None:
    server = sandbox_real_limits
    # 5 % margin: the in-process sandbox stamps a request when its thread gets the GIL, which on a
    # loaded machine can be a few ms after it arrived; 1 % (the default) is checked client-side
    throttle = AccountThrottle(rate=5.0, margin=1.05)
    first, second = StampingTransport(), StampingTransport()
    async with (
        ActiveCampaignClient(server.url, server.api_key, throttle=throttle, transport=first) as a,
        ActiveCampaignClient(server.url, server.api_key, throttle=throttle, transport=second) as b,
    ):
        started = time.monotonic()
        await asyncio.gather(*(c.users_me() for c in [a, b] * 6))
        elapsed = time.monotonic() - started
    stamps = first.sent + second.sent
    assert len(stamps) == 12
    assert _most_in_one_second(stamps) <= 5
    assert server.sandbox.dump()["requests"]["status_429"] == 0
    assert throttle.stats.rate_limited == 0
    assert elapsed >= 11 * 0.2 * 1.05
    assert elapsed < 11 * 0.2 * 1.05 + 1.0, "spaced, not stalled"


async def test_default_margin_sends_never_exceed_five_in_any_second(
    sandbox_real_limits: Any,
) -> None:
    server = sandbox_real_limits
    throttle = AccountThrottle(rate=5.0)
    transport = StampingTransport()
    async with ActiveCampaignClient(
        server.url, server.api_key, throttle=throttle, transport=transport, backoff=0.05
    ) as client:
        await asyncio.gather(*(client.users_me() for _ in range(8)))
    assert _most_in_one_second(transport.sent) <= 5
    assert len(transport.sent) - throttle.stats.retries == 8


async def test_an_unthrottled_burst_is_refused_by_the_sandbox_then_recovered(
    sandbox_real_limits: Any,
) -> None:
    """The counter-check: without spacing the same load draws 429s, which the client retries."""
    server = sandbox_real_limits
    throttle = AccountThrottle(rate=1000.0)
    async with ActiveCampaignClient(
        server.url, server.api_key, throttle=throttle, retries=5, backoff=0.05
    ) as client:
        await asyncio.gather(*(client.users_me() for _ in range(8)))
    assert server.sandbox.dump()["requests"]["status_429"] >= 1
    assert throttle.stats.rate_limited >= 1
    assert throttle.stats.retries >= 1
