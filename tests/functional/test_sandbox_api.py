"""The sandbox over real loopback HTTP: auth, contacts, lists, groups, paging, bulk import rules."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fixtures.sandbox import RunningSandbox


@pytest.fixture
def api(sandbox_server: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.api_url, headers=sandbox_server.headers) as client:
        yield client


def make_list(api: httpx.Client, name: str = "VIP Customers") -> str:
    response = api.post(
        "/lists",
        json={
            "list": {
                "name": name,
                "stringid": name.lower().replace(" ", "-"),
                "sender_url": "https://shop.example.com",
                "sender_reminder": "You bought from us.",
            }
        },
    )
    assert response.status_code == 200, response.text
    list_id = response.json()["list"]["id"]
    assert isinstance(list_id, str)
    return list_id


def bulk(api: httpx.Client, contacts: list[dict[str, Any]]) -> httpx.Response:
    return api.post("/import/bulk_import", json={"contacts": contacts})


def wait_for_batch(api: httpx.Client, batch_id: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info = api.get("/import/info", params={"batchId": batch_id}).json()
        if info["status"] == "completed" or time.monotonic() > deadline:
            return dict(info)
        time.sleep(0.05)


def test_missing_or_wrong_key_is_refused_with_403(sandbox_server: RunningSandbox) -> None:
    missing = httpx.get(f"{sandbox_server.api_url}/users/me")
    wrong = httpx.get(f"{sandbox_server.api_url}/users/me", headers={"Api-Token": "not-the-key"})
    right = httpx.get(f"{sandbox_server.api_url}/users/me", headers=sandbox_server.headers)
    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert missing.json() == {"message": "Forbidden"}
    assert wrong.json()["errors"][0]["title"] == "Forbidden"
    assert sandbox_server.sandbox.dump()["requests"]["forbidden"] == 2


def test_new_account_has_admin_group_and_groups_can_be_added(api: httpx.Client) -> None:
    groups = api.get("/groups").json()
    assert [(g["id"], g["title"]) for g in groups["groups"]] == [("1", "Admin")]
    assert groups["meta"]["total"] == "1"
    created = api.post("/groups", json={"group": {"title": "Marketing"}})
    assert created.status_code == 200
    assert created.json()["group"]["id"] == "2"
    assert api.post("/groups", json={"group": {"title": "marketing"}}).status_code == 422


def test_list_creation_requires_the_four_fields(api: httpx.Client) -> None:
    response = api.post("/lists", json={"list": {"name": "No sender", "stringid": "no-sender"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "field_missing"
    list_id = make_list(api, "Winback")
    found = api.get("/lists", params={"filters[name]": "winback"}).json()
    assert [item["id"] for item in found["lists"]] == [list_id]
    assert found["meta"]["total"] == "1"
    assert api.get(f"/lists/{list_id}").json()["list"]["name"] == "Winback"
    assert api.get("/lists/999").status_code == 404


def test_list_groups_link_a_list_to_a_group_once(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    list_id = make_list(api)
    linked = api.post("/listGroups", json={"listGroup": {"listid": int(list_id), "groupid": 1}})
    assert linked.status_code == 201
    assert linked.json()["listGroup"]["list"] == int(list_id)
    again = api.post("/listGroups", json={"listGroup": {"listid": list_id, "groupid": "1"}})
    assert again.status_code == 422
    unknown_group = api.post("/listGroups", json={"listGroup": {"listid": list_id, "groupid": 9}})
    assert unknown_group.status_code == 422
    assert sandbox_server.sandbox.dump()["listGroups"] == [
        {"id": 1, "list_id": int(list_id), "group_id": 1}
    ]


def test_contacts_duplicate_and_invalid_email_answer_documented_422s(api: httpx.Client) -> None:
    created = api.post("/contacts", json={"contact": {"email": "Ann@Example.com"}})
    assert created.status_code == 201
    duplicate = api.post("/contacts", json={"contact": {"email": "ann@example.COM"}})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["code"] == "duplicate"
    for bad in ("no-at-sign", "invalid'character@example.com", "a@nodot", "a b@example.com"):
        invalid = api.post("/contacts", json={"contact": {"email": bad}})
        assert invalid.status_code == 422, bad
        assert invalid.json()["errors"][0]["code"] == "email_invalid"


def test_contact_sync_creates_then_updates_with_field_values(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    first = api.post(
        "/contact/sync",
        json={
            "contact": {
                "email": "bo@example.com",
                "firstName": "Bo",
                "fieldValues": [{"field": "1", "value": "Gold"}],
            }
        },
    )
    assert first.status_code == 201
    second = api.post(
        "/contact/sync",
        json={"contact": {"email": "BO@example.com", "lastName": "Ek", "fieldValues": []}},
    )
    assert second.status_code == 200
    assert second.json()["contact"]["id"] == first.json()["contact"]["id"]
    [contact] = sandbox_server.sandbox.dump()["contacts"]
    assert (contact["first_name"], contact["last_name"]) == ("Bo", "Ek")
    assert contact["field_values"] == {"1": "Gold"}
    unknown_field = api.post(
        "/contact/sync",
        json={"contact": {"email": "cy@example.com", "fieldValues": [{"field": 99, "value": 1}]}},
    )
    assert unknown_field.status_code == 422


def test_fields_are_seeded_and_can_be_added(api: httpx.Client) -> None:
    fields = api.get("/fields").json()
    assert {f["perstag"] for f in fields["fields"]} >= {"LOYALTY_TIER", "LIFETIME_VALUE"}
    assert fields["meta"]["total"] == str(len(fields["fields"]))
    created = api.post("/fields", json={"field": {"title": "Home Region", "type": "text"}})
    assert created.status_code == 201
    assert created.json()["field"]["perstag"] == "HOME_REGION"
    assert (
        api.post("/fields", json={"field": {"title": "Home Region", "type": "text"}}).status_code
        == 422
    )


def test_paging_caps_at_100_and_id_greater_walks_every_contact(api: httpx.Client) -> None:
    list_id = make_list(api)
    people = [
        {"email": f"p{n}@example.com", "subscribe": [{"listid": list_id}]} for n in range(230)
    ]
    assert bulk(api, people).status_code == 200
    first = api.get("/contacts", params={"listid": list_id, "status": 1, "limit": 500}).json()
    assert len(first["contacts"]) == 100
    assert first["meta"]["total"] == "230"
    assert len(api.get("/contacts").json()["contacts"]) == 20
    seen: list[int] = []
    last = 0
    while True:
        page = api.get(
            "/contacts",
            params={"orders[id]": "ASC", "id_greater": last, "limit": 100, "listid": list_id},
        ).json()["contacts"]
        if not page:
            break
        seen.extend(int(c["id"]) for c in page)
        last = int(page[-1]["id"])
    assert seen == sorted(seen) and len(set(seen)) == 230
    offset_page = api.get("/contacts", params={"limit": 10, "offset": 225}).json()
    assert [c["email"] for c in offset_page["contacts"]] == [
        f"p{n}@example.com" for n in range(225, 230)
    ]
    by_email = api.get("/contacts", params={"email": "P7@EXAMPLE.com"}).json()
    assert [c["email"] for c in by_email["contacts"]] == ["p7@example.com"]


def test_bulk_import_is_queued_then_completed_after_the_batch_delay(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    sandbox_server.sandbox.set_batch_delay(0.3)
    list_id = make_list(api)
    response = bulk(
        api,
        [
            {
                "email": "ok@example.com",
                "first_name": "Ok",
                "tags": ["vip"],
                "subscribe": [{"listid": list_id}],
            },
            {"email": "invalid.email@invalidDomain"},
            {"email": "x@blocked.example", "subscribe": [{"listid": list_id}]},
            {"email": "vip@exact.example", "fields": [{"id": 1, "value": "Gold"}]},
        ],
    )
    sandbox_server.sandbox.add_exclusion("@blocked.example", "end")
    sandbox_server.sandbox.add_exclusion("VIP@exact.example", "exact")
    assert response.status_code == 200
    body = response.json()
    assert (body["Success"], body["queued_contacts"], body["message"]) == (
        1,
        4,
        "Contact import queued",
    )
    assert (
        api.get("/import/info", params={"batchId": body["batchId"]}).json()["status"]
        == "processing"
    )
    assert api.get("/contacts", params={"email": "ok@example.com"}).json()["contacts"] == []
    outstanding = api.get("/import/bulk_import").json()["outstanding"]
    assert outstanding[0]["batches"] == "1" and outstanding[0]["contacts"] == "4"
    info = wait_for_batch(api, body["batchId"])
    assert info["status"] == "completed"
    ok_id = api.get("/contacts", params={"email": "ok@example.com"}).json()["contacts"][0]["id"]
    assert info["success"] == [ok_id]
    assert sorted(info["failure"]) == [
        "invalid.email@invalidDomain",
        "vip@exact.example",
        "x@blocked.example",
    ]
    exclusions = api.get("/lists/exclusions").json()
    assert exclusions["meta"]["total"] == 2
    assert {e["matchType"] for e in exclusions["exclusions"]} == {"exact", "end"}
    assert api.get("/import/info").status_code == 400


def test_bulk_import_never_resubscribes_someone_who_unsubscribed(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    list_id = make_list(api)
    first = bulk(api, [{"email": "dee@example.com", "subscribe": [{"listid": list_id}]}] * 1)
    wait_for_batch(api, first.json()["batchId"])
    sandbox_server.sandbox.unsubscribe("DEE@example.com", int(list_id))
    again = bulk(
        api,
        [
            {"email": "dee@example.com", "first_name": "Dee", "subscribe": [{"listid": list_id}]},
            {"email": "eve@example.com", "subscribe": [{"listid": list_id}]},
        ],
    )
    info = wait_for_batch(api, again.json()["batchId"])
    assert info["failure"] == ["dee@example.com"]
    state = sandbox_server.sandbox.dump()
    statuses = {
        (m["contact_id"], m["list_id"]): (m["status"], m["source"]) for m in state["memberships"]
    }
    assert statuses[(1, int(list_id))] == (2, "by_hand")
    subscribed = api.get("/contacts", params={"listid": list_id, "status": 1}).json()
    assert [c["email"] for c in subscribed["contacts"]] == ["eve@example.com"]
    assert state["contacts"][0]["first_name"] == "Dee"


def test_contact_lists_subscribes_unsubscribes_and_records_resubscription(
    api: httpx.Client, sandbox_server: RunningSandbox
) -> None:
    list_id = make_list(api)
    contact_id = api.post("/contacts", json={"contact": {"email": "fay@example.com"}}).json()[
        "contact"
    ]["id"]
    body = {"contactList": {"list": list_id, "contact": contact_id, "status": 1}}
    subscribed = api.post("/contactLists", json=body)
    assert subscribed.status_code == 200
    assert subscribed.json()["contactList"]["status"] == 1
    sandbox_server.sandbox.unsubscribe("fay@example.com", int(list_id))
    assert (
        api.get("/contacts", params={"listid": list_id, "status": 2}).json()["meta"]["total"] == "1"
    )
    api.post("/contactLists", json=body)
    [membership] = sandbox_server.sandbox.dump()["memberships"]
    assert membership["status"] == 1 and membership["resubscribed_after_unsubscribe"] is True
    detail = api.get(f"/contacts/{contact_id}").json()
    assert detail["contactLists"][0]["status"] == "1"
    missing = api.post(
        "/contactLists", json={"contactList": {"list": list_id, "contact": 999, "status": 1}}
    )
    assert missing.status_code == 404


def test_bulk_import_validation_rejects_the_whole_payload(api: httpx.Client) -> None:
    too_many = bulk(api, [{"email": f"n{n}@example.com"} for n in range(251)])
    assert too_many.status_code == 400
    assert too_many.json()["success"] == 0
    padding = "x" * 2000
    heavy = bulk(api, [{"email": f"h{n}@example.com", "last_name": padding} for n in range(200)])
    assert heavy.status_code == 400
    bad = bulk(api, [{"email": "good@example.com"}, {"email": "not an email"}, {"first_name": "x"}])
    assert bad.status_code == 400
    assert [r["contact"] for r in bad.json()["failureReasons"]] == [1, 2]
    unknown_list = bulk(api, [{"email": "u@example.com", "subscribe": [{"listid": 77}]}])
    assert unknown_list.status_code == 400
    assert api.get("/contacts").json()["meta"]["total"] == "0"
