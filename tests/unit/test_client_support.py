"""Shared set-up of the client tests (no tests here): a client on the running sandbox."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

from actui.activecampaign import AccountThrottle, ActiveCampaignClient


def unlimited() -> AccountThrottle:
    return AccountThrottle(
        rate=math.inf, bulk_per_minute=math.inf, single_import_per_minute=math.inf
    )


def make_client(server: Any, **kwargs: Any) -> ActiveCampaignClient:
    kwargs.setdefault("throttle", unlimited())
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("timeout", 5.0)
    return ActiveCampaignClient(server.url, kwargs.pop("api_key", server.api_key), **kwargs)


async def client_on(sandbox_server: Any) -> AsyncIterator[ActiveCampaignClient]:
    """A client with no throttle on a sandbox with limits off and no faults (restored after)."""
    sandbox = sandbox_server.sandbox
    previous = sandbox.limits.spec
    sandbox.set_limits("off")
    sandbox.set_faults()
    async with make_client(sandbox_server) as made:
        yield made
    sandbox.set_faults()
    sandbox.set_limits(previous)
