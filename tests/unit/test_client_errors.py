"""Every error kind, over real loopback HTTP: what the user reads, and what is retried."""

from __future__ import annotations

import math
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from actui.activecampaign import (
    AccountThrottle,
    ActiveCampaignClient,
    BulkImportRateLimited,
    ContactExcluded,
    InvalidCredentials,
    ListNotFound,
    RateLimited,
    ServerError,
    Unreachable,
    ValidationFailed,
)
from actui.campaigns.contacts import Contact
from actui.errors import ActuiError
from tests.unit.test_client_support import client_on, make_client


@pytest.fixture
async def client(sandbox_server: Any) -> AsyncIterator[ActiveCampaignClient]:
    async for made in client_on(sandbox_server):
        yield made


def _statuses(sandbox_server: Any) -> dict[str, int]:
    counts: dict[str, int] = sandbox_server.sandbox.dump()["requests"]["by_status"]
    return counts


@pytest.mark.parametrize("key", ["wrong-key", ""])
async def test_bad_key_is_invalid_credentials(sandbox_server: Any, key: str) -> None:
    async with make_client(sandbox_server, api_key=key) as client:
        with pytest.raises(InvalidCredentials) as caught:
            await client.users_me()
    message = str(caught.value)
    assert "GET /api/3/users/me answered 403" in message
    assert "Settings > Developer" in message
    assert sandbox_server.api_key not in message
    assert _statuses(sandbox_server) == {"403": 1}, "a refused key is not retried"


async def test_403_without_a_body_is_invalid_credentials(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    sandbox_server.sandbox.set_faults(forbidden_no_body=True)
    with pytest.raises(InvalidCredentials, match=r"403 Forbidden\. Check the API key"):
        await client.groups()


async def test_unknown_list_is_list_not_found(client: ActiveCampaignClient) -> None:
    with pytest.raises(ListNotFound, match="GET /api/3/lists/9999 answered 404"):
        _ = [ref async for ref in client.list_subscribers("9999")]


async def test_invalid_email_is_validation_failed_in_activecampaigns_words(
    client: ActiveCampaignClient,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await client.sync_contact(Contact(email="not-an-email"))
    assert caught.value.field == "email"
    assert caught.value.status == 422
    assert "Email Address is not valid" in str(caught.value)
    assert not isinstance(caught.value, ContactExcluded)


async def test_bulk_import_validation_names_the_contact(client: ActiveCampaignClient) -> None:
    contacts = [Contact(email="ok@example.com"), Contact(email="bad@@example")]
    with pytest.raises(ValidationFailed, match="contact 1"):
        await client.bulk_import(contacts, subscribe_list=None, unsubscribe_list=None)


async def test_429_retry_after_is_honoured_then_succeeds(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    sandbox_server.sandbox.set_faults(storm_429_seconds=1.0)
    started = time.monotonic()
    user = await client.users_me()
    assert user.id
    assert time.monotonic() - started >= 0.9, "the client waited for Retry-After"
    assert client.throttle.stats.rate_limited >= 1
    assert _statuses(sandbox_server)["429"] <= 2, "no hammering during the penalty"


async def test_429_after_every_retry_is_rate_limited(sandbox_server: Any) -> None:
    sandbox_server.sandbox.set_faults(storm_429_seconds=30)
    async with make_client(sandbox_server, retries=0) as client:
        with pytest.raises(RateLimited) as caught:
            await client.users_me()
    assert caught.value.retry_after >= 29
    assert "Wait" in str(caught.value)


async def test_server_errors_are_retried_then_surfaced(sandbox_server: Any) -> None:
    sandbox_server.sandbox.set_faults(error_rate=1.0, seed=7)
    async with make_client(sandbox_server, retries=2) as client:
        with pytest.raises(ServerError) as caught:
            await client.groups()
    assert sum(_statuses(sandbox_server).values()) == 3
    assert "on each of 3 attempts" in str(caught.value)
    assert client.throttle.stats.retries == 2


async def test_transient_server_errors_are_invisible(sandbox_server: Any) -> None:
    sandbox_server.sandbox.set_faults(error_rate=0.3, seed=3)
    async with make_client(sandbox_server, retries=6) as client:
        for _ in range(15):
            assert (await client.users_me()).id
    assert client.throttle.stats.retries >= 1


async def test_dropped_connections_are_retried(sandbox_server: Any) -> None:
    sandbox_server.sandbox.set_faults(drop_rate=0.4, seed=11)
    async with make_client(sandbox_server, retries=8) as client:
        for _ in range(10):
            assert (await client.users_me()).id
    assert sandbox_server.sandbox.dump()["requests"]["dropped"] >= 1
    assert client.throttle.stats.retries >= 1


async def test_always_dropped_is_unreachable_dropped(sandbox_server: Any) -> None:
    sandbox_server.sandbox.set_faults(drop_rate=1.0)
    async with make_client(sandbox_server, retries=1) as client:
        with pytest.raises(Unreachable) as caught:
            await client.users_me()
    assert caught.value.reason == "dropped"
    assert "dropped the connection" in str(caught.value)


async def test_closed_port_is_unreachable_refused_without_retrying() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    async with ActiveCampaignClient(
        f"http://127.0.0.1:{port}", "some-key", throttle=AccountThrottle(), retries=5
    ) as client:
        with pytest.raises(Unreachable) as caught:
            await client.users_me()
    assert caught.value.reason == "refused"
    assert f"127.0.0.1:{port} refused the connection" in str(caught.value)
    assert "some-key" not in str(caught.value)
    assert time.monotonic() - started < 2


async def test_timeout_is_unreachable_timeout(sandbox_server: Any) -> None:
    sandbox_server.sandbox.set_faults(latency_ms=400)
    async with make_client(sandbox_server, timeout=0.1, retries=1) as client:
        with pytest.raises(Unreachable) as caught:
            await client.users_me()
    assert caught.value.reason == "timeout"
    assert "within 0.1 s" in str(caught.value)


async def test_bulk_import_over_the_minute_limit_is_bulk_rate_limited(
    sandbox_server: Any, client: ActiveCampaignClient
) -> None:
    sandbox_server.sandbox.set_limits(
        "x0.01"
    )  # 1 request a second, 1 multi-contact import a minute
    two = [Contact(email="a@example.com"), Contact(email="b@example.com")]
    one_a_second = AccountThrottle(rate=0.9, bulk_per_minute=math.inf)
    async with make_client(sandbox_server, retries=0, throttle=one_a_second) as strict:
        await strict.bulk_import(two, subscribe_list=None, unsubscribe_list=None)
        with pytest.raises(BulkImportRateLimited) as caught:
            await strict.bulk_import(two, subscribe_list=None, unsubscribe_list=None)
    assert isinstance(caught.value, RateLimited)
    assert caught.value.status == 400
    assert "Rate limit exceeded" in str(caught.value)


async def test_every_client_error_is_an_actui_error(client: ActiveCampaignClient) -> None:
    with pytest.raises(ActuiError):
        await client.sync_contact(Contact(email="nope"))
