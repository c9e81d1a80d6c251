"""List creation: retried when unanswered, never doubled, and a colliding stringid gets a suffix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from actui.activecampaign import ActiveCampaignClient
from tests.unit.test_client_support import client_on, make_client


@pytest.fixture
async def client(sandbox_server: Any) -> AsyncIterator[ActiveCampaignClient]:
    async for made in client_on(sandbox_server):
        yield made


class FlakyListCreation(httpx.AsyncHTTPTransport):
    """``POST /lists``: first a 502 that never reached the account, then a connection dropped
    after the account created the list; every other request goes through."""

    def __init__(self) -> None:
        super().__init__()
        self.creates = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/lists"):
            self.creates += 1
            if self.creates == 1:
                return httpx.Response(502, request=request)
            if self.creates == 2:
                response = await super().handle_async_request(request)
                await response.aread()
                raise httpx.RemoteProtocolError("connection dropped", request=request)
        return await super().handle_async_request(request)


async def test_list_creation_is_retried_and_never_doubled(sandbox_server: Any) -> None:
    transport = FlakyListCreation()
    async with make_client(sandbox_server, transport=transport) as client:
        created = await client.ensure_list("Weekly", "Admin")
    lists = sandbox_server.sandbox.dump()["lists"]
    assert [item["name"] for item in lists] == ["Weekly"]
    assert created.id == str(lists[0]["id"])
    assert transport.creates == 2


@pytest.mark.parametrize(
    ("first", "second", "suffixed"),
    [("Promo?", "Promo!", "promo-2"), ("🎉", "🚀", "list-2"), ("Été", "été!", "t-2")],
)
async def test_a_name_whose_stringid_collides_still_gets_its_list(
    client: ActiveCampaignClient, sandbox_server: Any, first: str, second: str, suffixed: str
) -> None:
    one = await client.ensure_list(first, "Admin")
    two = await client.ensure_list(second, "Admin")
    assert one.id != two.id
    stringids = {item["name"]: item["stringid"] for item in sandbox_server.sandbox.dump()["lists"]}
    assert stringids[second] == suffixed
    assert (await client.ensure_list(second, "Admin")).id == two.id  # found, not made again
