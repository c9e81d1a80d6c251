"""Bulk imports from pre-encoded contacts: what the sandbox receives, and what is refused early."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from actui.activecampaign import ActiveCampaignClient
from actui.activecampaign.client import encode_bulk_contact
from actui.campaigns.contacts import Contact
from tests.unit.test_client_support import client_on


@pytest.fixture
async def client(sandbox_server: Any) -> AsyncIterator[ActiveCampaignClient]:
    async for made in client_on(sandbox_server):
        yield made


async def test_encoded_contacts_are_imported_with_their_fields_tags_and_list(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    members = await client.ensure_list("Encoded", "Admin")
    field_id = (await client.fields())[0].id
    contacts = [
        Contact(f"enc{i}@example.com", "Zoë", 'O"Neil', None, ((field_id, "gold"),), ("vip",))
        for i in range(12)
    ]
    items = [encode_bulk_contact(c) for c in contacts]
    batch_id = await client.bulk_import_encoded(
        items, subscribe_list=members.id, unsubscribe_list=None
    )
    for _ in range(200):
        info = await client.import_info(batch_id)
        if info.status == "completed":
            break
        await asyncio.sleep(0.02)
    assert len(info.success) == 12 and info.failure == []
    subscribed = {ref.email async for ref in client.list_subscribers(members.id)}
    assert subscribed == {c.email for c in contacts}
    stored = {c["email"]: c for c in sandbox_server.sandbox.dump()["contacts"]}
    first = stored["enc0@example.com"]
    assert (first["first_name"], first["last_name"], first["tags"]) == ("Zoë", 'O"Neil', ["vip"])
    assert {str(k): v for k, v in first["field_values"].items()} == {field_id: "gold"}


async def test_encoded_items_must_be_objects_and_fit_under_the_cap(
    client: ActiveCampaignClient, sandbox_server: Any
) -> None:
    before = sandbox_server.sandbox.dump()["requests"]["total"]
    with pytest.raises(ValueError, match="JSON objects"):
        await client.bulk_import_encoded(
            ['"a@example.com"', encode_bulk_contact(Contact("b@example.com"))],
            subscribe_list="1",
            unsubscribe_list=None,
        )
    huge = [
        encode_bulk_contact(Contact(f"p{i}@example.com", last_name="x" * 2000)) for i in range(220)
    ]
    with pytest.raises(ValueError, match="400000"):
        await client.bulk_import_encoded(huge, subscribe_list="1", unsubscribe_list=None)
    assert sandbox_server.sandbox.dump()["requests"]["total"] == before


def test_an_encoded_contact_is_the_bulk_import_item() -> None:
    item = json.loads(encode_bulk_contact(Contact("a@x.com", "Ann", None, "+1", (("3", "v"),))))
    assert item == {
        "email": "a@x.com",
        "first_name": "Ann",
        "phone": "+1",
        "fields": [{"id": 3, "value": "v"}],
    }
