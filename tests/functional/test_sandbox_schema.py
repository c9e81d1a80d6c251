"""Every emulated endpoint's JSON answer validates against ActiveCampaign's own OpenAPI schema."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from actui.sandbox import Sandbox, SandboxServer

#: ActiveCampaign's published OpenAPI document for API v3, kept with the tests (gzip)
OPENAPI = Path(__file__).resolve().parents[1] / "fixtures/activecampaign-openapi-v3.json.gz"
DOC_URI = "urn:activecampaign-openapi-v3"

#: (method, documented path, status) the document gives no schema for: each is named and skipped.
NO_SCHEMA = {
    ("post", "/contact/sync", 200): "the document only shows 201 (create) for /contact/sync",
    ("get", "/import/bulk_import", 200): "the document gives an example but no schema",
    ("get", "/import/info", 404): "the document has no 404 for an unknown batchId",
    ("post", "/listGroups", 422): "the document has no 422 for /listGroups",
    ("post", "/lists", 422): "the document has only an empty-object 400 for /lists errors",
}

#: oneOf branches the document makes indistinguishable (same shape): checked as anyOf instead.
ONE_OF_AS_ANY_OF = {("post", "/fields", 422)}


#: fields the document types as strings while its own examples show null: wrapper -> fields.
#: The sandbox sends the nulls (clients must cope); the check reads them as the documented type.
NULL_IN_EXAMPLES = {
    "lists": ("sender_url", "sender_reminder", "fulladdress", "user"),
    "list": ("sender_url", "sender_reminder", "fulladdress", "user"),
    "groups": ("descript", "sdate"),
    "group": ("descript", "sdate"),
}


def _examples_nulls_as_strings(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    fixed = dict(body)
    for wrapper, fields in NULL_IN_EXAMPLES.items():
        value = fixed.get(wrapper)
        items = value if isinstance(value, list) else [value]
        replaced = [
            {k: ("" if k in fields and v is None else v) for k, v in item.items()}
            if isinstance(item, dict)
            else item
            for item in items
        ]
        if wrapper in fixed:
            fixed[wrapper] = replaced if isinstance(value, list) else replaced[0]
    return fixed


@cache
def openapi() -> dict[str, Any]:
    if not OPENAPI.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must validate the sandbox: the OpenAPI document is not at {OPENAPI}.")
        pytest.skip(f"the OpenAPI document is not at {OPENAPI}")
    return dict(json.loads(gzip.decompress(OPENAPI.read_bytes())))


def _pointer_part(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def validate(method: str, path: str, status: int, body: Any) -> None:
    """Validate ``body`` against the document's schema for path, method, status (JSON content)."""
    key = (method, path, status)
    operation = openapi()["paths"][path][method]
    response = operation["responses"].get(str(status))
    content = (response or {}).get("content", {})
    media = next((m for m in ("application/json", "text/plain") if m in content), None)
    if response is None or media is None or "schema" not in content[media]:
        reason = NO_SCHEMA.get(key) or f"no schema documented for {method.upper()} {path} {status}"
        pytest.skip(reason)
    parts = ["#", "paths", _pointer_part(path), method, "responses", str(status), "content"]
    pointer = "/".join([*parts, _pointer_part(media), "schema"])
    registry: Registry[Any] = Registry().with_resource(
        DOC_URI, Resource.from_contents(openapi(), default_specification=DRAFT202012)
    )
    schema: dict[str, Any] = {"$ref": DOC_URI + pointer}
    if key in ONE_OF_AS_ANY_OF:
        target = content[media]["schema"]
        schema = {"anyOf": target["oneOf"]}
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    validator.validate(_examples_nulls_as_strings(body))


@pytest.fixture(scope="module")
def seeded() -> Iterator[dict[str, Any]]:
    """A served sandbox with a list, a subscribed contact and a completed import batch."""
    sandbox = Sandbox.create(limits="off", batch_delay=0)
    with (
        SandboxServer(sandbox) as server,
        httpx.Client(
            base_url=f"{server.url}/api/3", headers={"Api-Token": sandbox.account.api_key}
        ) as api,
    ):
        list_id = api.post(
            "/lists",
            json={
                "list": {
                    "name": "Seed",
                    "stringid": "seed",
                    "sender_url": "https://x.example",
                    "sender_reminder": "r",
                }
            },
        ).json()["list"]["id"]
        contact = api.post(
            "/contact/sync",
            json={
                "contact": {
                    "email": "seed@example.com",
                    "fieldValues": [{"field": 1, "value": "Gold"}],
                }
            },
        ).json()["contact"]
        api.post(
            "/contactLists",
            json={"contactList": {"list": list_id, "contact": contact["id"], "status": 1}},
        )
        batch = api.post(
            "/import/bulk_import",
            json={"contacts": [{"email": "b1@example.com"}, {"email": "bad@nodomain"}]},
        ).json()["batchId"]
        sandbox.add_exclusion("@blocked.example", "end")
        # made in ActiveCampaign's interface: answered with the nulls its examples show
        sandbox.run(lambda state: state.create_list_by_hand("By hand", "by-hand"))
        sandbox.run(lambda state: state.create_group("Sales"))
        yield {"api": api, "list": list_id, "contact": contact["id"], "batch": batch}


Call = Callable[[dict[str, Any]], httpx.Response]

CASES: list[tuple[str, str, int, Call]] = [
    ("get", "/users/me", 200, lambda s: s["api"].get("/users/me")),
    ("get", "/groups", 200, lambda s: s["api"].get("/groups")),
    ("post", "/groups", 200, lambda s: s["api"].post("/groups", json={"group": {"title": "Ops"}})),
    ("get", "/lists", 200, lambda s: s["api"].get("/lists", params={"filters[name]": "Seed"})),
    ("get", "/lists", 200, lambda s: s["api"].get("/lists")),
    (
        "get",
        "/contacts",
        200,
        lambda s: s["api"].get("/contacts", params={"search": "seed", "ids[]": s["contact"]}),
    ),
    (
        "post",
        "/lists",
        200,
        lambda s: s["api"].post(
            "/lists",
            json={
                "list": {"name": "L2", "stringid": "l2", "sender_url": "u", "sender_reminder": "r"}
            },
        ),
    ),
    ("post", "/lists", 422, lambda s: s["api"].post("/lists", json={"list": {"name": "x"}})),
    ("get", "/lists/{id}", 200, lambda s: s["api"].get(f"/lists/{s['list']}")),
    (
        "post",
        "/listGroups",
        201,
        lambda s: s["api"].post(
            "/listGroups", json={"listGroup": {"listid": s["list"], "groupid": 1}}
        ),
    ),
    (
        "post",
        "/listGroups",
        422,
        lambda s: s["api"].post("/listGroups", json={"listGroup": {"listid": 999, "groupid": 1}}),
    ),
    ("get", "/contacts", 200, lambda s: s["api"].get("/contacts", params={"listid": s["list"]})),
    (
        "post",
        "/contacts",
        201,
        lambda s: s["api"].post(
            "/contacts",
            json={
                "contact": {"email": "new@example.com", "fieldValues": [{"field": 2, "value": "9"}]}
            },
        ),
    ),
    (
        "post",
        "/contacts",
        422,
        lambda s: s["api"].post("/contacts", json={"contact": {"email": "seed@example.com"}}),
    ),
    (
        "post",
        "/contacts",
        422,
        lambda s: s["api"].post("/contacts", json={"contact": {"email": "not-an-email"}}),
    ),
    ("get", "/contacts/{id}", 200, lambda s: s["api"].get(f"/contacts/{s['contact']}")),
    ("get", "/contacts/{id}", 404, lambda s: s["api"].get("/contacts/99999")),
    (
        "post",
        "/contact/sync",
        201,
        lambda s: s["api"].post("/contact/sync", json={"contact": {"email": "sync@example.com"}}),
    ),
    (
        "post",
        "/contact/sync",
        200,
        lambda s: s["api"].post("/contact/sync", json={"contact": {"email": "seed@example.com"}}),
    ),
    (
        "post",
        "/contactLists",
        200,
        lambda s: s["api"].post(
            "/contactLists",
            json={"contactList": {"list": s["list"], "contact": s["contact"], "status": 2}},
        ),
    ),
    ("get", "/fields", 200, lambda s: s["api"].get("/fields")),
    (
        "post",
        "/fields",
        201,
        lambda s: s["api"].post("/fields", json={"field": {"title": "Shoe Size", "type": "text"}}),
    ),
    (
        "post",
        "/fields",
        422,
        lambda s: s["api"].post(
            "/fields", json={"field": {"title": "Loyalty Tier", "type": "text"}}
        ),
    ),
    (
        "post",
        "/import/bulk_import",
        200,
        lambda s: s["api"].post(
            "/import/bulk_import", json={"contacts": [{"email": "q@example.com"}]}
        ),
    ),
    (
        "post",
        "/import/bulk_import",
        400,
        lambda s: s["api"].post("/import/bulk_import", json={"contacts": [{"email": "no email"}]}),
    ),
    (
        "post",
        "/import/bulk_import",
        400,
        lambda s: s["api"].post(
            "/import/bulk_import", json={"contacts": [{"email": "x@y.com"}] * 251}
        ),
    ),
    ("get", "/import/bulk_import", 200, lambda s: s["api"].get("/import/bulk_import")),
    (
        "get",
        "/import/info",
        200,
        lambda s: s["api"].get("/import/info", params={"batchId": s["batch"]}),
    ),
    ("get", "/import/info", 400, lambda s: s["api"].get("/import/info")),
    (
        "get",
        "/import/info",
        404,
        lambda s: s["api"].get("/import/info", params={"batchId": "nope"}),
    ),
    ("get", "/lists/exclusions", 200, lambda s: s["api"].get("/lists/exclusions")),
]


@pytest.mark.parametrize(
    ("method", "path", "status", "call"),
    CASES,
    ids=[f"{m.upper()} {p} {st} #{n}" for n, (m, p, st, _) in enumerate(CASES)],
)
def test_response_matches_the_documented_schema(
    seeded: dict[str, Any], method: str, path: str, status: int, call: Call
) -> None:
    response = call(seeded)
    assert response.status_code == status, response.text
    validate(method, path, status, response.json())


def test_ids_and_totals_are_strings(seeded: dict[str, Any]) -> None:
    api = seeded["api"]
    contacts = api.get("/contacts").json()
    assert isinstance(contacts["meta"]["total"], str)
    assert all(isinstance(c["id"], str) for c in contacts["contacts"])
    lists = api.get("/lists").json()
    assert isinstance(lists["meta"]["total"], str)
    assert all(isinstance(item["id"], str) for item in lists["lists"])
    assert isinstance(api.get("/groups").json()["groups"][0]["id"], str)


def test_the_schemas_are_strict_enough_to_catch_a_wrong_type() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate("get", "/contacts", 200, {"contacts": [], "meta": {"total": 3}})
