"""The client's operations over real loopback HTTP against the ActiveCampaign sandbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from actui.activecampaign import (
    ActiveCampaignClient,
    InvalidGroupName,
    ValidationFailed,
)
from actui.campaigns.contacts import Contact
from tests.unit.test_client_support import client_on


@pytest.fixture
async def client(sandbox_server: Any) -> AsyncIterator[ActiveCampaignClient]:
    async for made in client_on(sandbox_server):
        yield made


async def _wait_import(client: ActiveCampaignClient, batch_id: str) -> Any:
    for _ in range(200):
        info = await client.import_info(batch_id)
        if info.status == "completed":
            return info
        await asyncio.sleep(0.02)
    raise AssertionError("the import never completed")


async def test_users_me_and_repr_hide_the_key(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    user = await client.users_me()
    assert user.email == sandbox_server.sandbox.account.user_email
    assert sandbox_server.api_key not in repr(client)
    assert sandbox_server.api_key not in repr(vars(client))


async def test_find_group_matches_title_and_lists_the_others(client: ActiveCampaignClient) -> None:
    assert (await client.find_group("Admin")).title == "Admin"
    assert (await client.find_group("admin")).title == "Admin"
    with pytest.raises(InvalidGroupName) as caught:
        await client.find_group("Marketing")
    assert caught.value.existing == ["Admin"]
    assert "'Marketing'" in str(caught.value) and "'Admin'" in str(caught.value)


async def test_ensure_list_creates_once_and_links_the_group(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    assert await client.find_list("VIP Customers") is None
    created = await client.ensure_list("VIP Customers", "Admin")
    again = await client.ensure_list("VIP Customers", "Admin")
    assert again.id == created.id
    state = sandbox_server.sandbox.dump()
    lists = [item for item in state["lists"] if item["name"] == "VIP Customers"]
    assert len(lists) == 1
    assert lists[0]["stringid"] == "vip-customers"
    links = [(str(link["list_id"]), link["group_id"]) for link in state["listGroups"]]
    assert links == [(created.id, 1)]


async def test_ensure_list_checks_the_group_before_creating(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    with pytest.raises(InvalidGroupName):
        await client.ensure_list("Never made", "No such group")
    assert await client.find_list("Never made") is None


async def test_sync_subscribe_find_and_page_over_subscribers(
    client: ActiveCampaignClient,
) -> None:
    members = await client.ensure_list("Paged", "Admin")
    emails = [f"person{i:03d}@example.com" for i in range(130)]
    batch = await client.bulk_import(
        [Contact(email=e) for e in emails[:125]], subscribe_list=members.id, unsubscribe_list=None
    )
    await _wait_import(client, batch)
    ids = await asyncio.gather(*(client.sync_contact(Contact(email=e)) for e in emails[125:]))
    await asyncio.gather(*(client.set_list_status(cid, members.id, 1) for cid in ids))
    first = await client.find_contact("  Person000@Example.com ")
    assert first is not None
    await client.set_list_status(first.id, members.id, 2)
    found = [ref async for ref in client.list_subscribers(members.id)]
    assert sorted(ref.email for ref in found) == emails[1:]
    assert [int(ref.id) for ref in found] == sorted(int(ref.id) for ref in found)
    unsubscribed = [ref.email async for ref in client.list_subscribers(members.id, status=2)]
    assert unsubscribed == [emails[0]]
    assert await client.find_contact("nobody@example.com") is None


async def test_sync_contact_updates_by_email(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    field_id = (await client.fields())[0].id
    first = await client.sync_contact(Contact(email="ann@example.com", first_name="Ann"))
    second = await client.sync_contact(
        Contact(email="ann@example.com", first_name="Anne", fields=((field_id, "gold"),))
    )
    assert first == second
    contacts = [
        c for c in sandbox_server.sandbox.dump()["contacts"] if c["email"] == "ann@example.com"
    ]
    assert len(contacts) == 1
    assert contacts[0]["first_name"] == "Anne"
    assert {str(k): v for k, v in contacts[0]["field_values"].items()} == {field_id: "gold"}


async def test_fields_resolve_by_title_or_perstag(client: ActiveCampaignClient) -> None:
    fields = await client.fields()
    assert fields, "the sandbox account starts with custom fields"
    some = fields[0]
    by_title = await client.resolve_fields([some.title.upper()])
    assert by_title == {some.title.upper(): some.id}
    if some.perstag:
        assert await client.resolve_fields([f"%{some.perstag}%"]) == {f"%{some.perstag}%": some.id}
    with pytest.raises(ValidationFailed) as caught:
        await client.resolve_fields([some.title, "Shoe size"])
    assert caught.value.field == "Shoe size"
    assert some.title in str(caught.value)


async def test_bulk_import_then_import_info_with_an_excluded_email(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    sandbox_server.sandbox.add_exclusion("blocked@example.com", "exact")
    members = await client.ensure_list("Bulk", "Admin")
    contacts = [Contact(email=f"bulk{i}@example.com", last_name=f"L{i}") for i in range(20)]
    contacts.append(Contact(email="blocked@example.com"))
    batch_id = await client.bulk_import(contacts, subscribe_list=members.id, unsubscribe_list=None)
    info = await _wait_import(client, batch_id)
    assert info.failure == ["blocked@example.com"]
    assert len(info.success) == 20
    subscribed = {ref.email async for ref in client.list_subscribers(members.id)}
    assert subscribed == {c.email for c in contacts[:20]}
    exclusions = await client.exclusions()
    assert [(e.match_phrase, e.match_type) for e in exclusions] == [
        ("blocked@example.com", "exact")
    ]


async def test_bulk_import_refuses_oversized_batches_before_sending(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    before = sandbox_server.sandbox.dump()["requests"]["total"]
    with pytest.raises(ValueError, match="at most 250"):
        await client.bulk_import(
            [Contact(email=f"p{i}@example.com") for i in range(251)],
            subscribe_list="1",
            unsubscribe_list=None,
        )
    huge = [Contact(email=f"p{i}@example.com", last_name="x" * 2000) for i in range(220)]
    with pytest.raises(ValueError, match="400000"):
        await client.bulk_import(huge, subscribe_list="1", unsubscribe_list=None)
    assert sandbox_server.sandbox.dump()["requests"]["total"] == before


async def test_requests_are_logged_without_headers(
    client: ActiveCampaignClient, sandbox_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.users_me()
    lines = [r.getMessage() for r in caplog.records if r.name == "actui.activecampaign"]
    assert any(line.startswith("GET /api/3/users/me 200 ") for line in lines), lines
    assert sandbox_server.api_key not in caplog.text
