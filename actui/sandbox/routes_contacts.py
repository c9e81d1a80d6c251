"""Contact endpoints: ``/contacts``, ``/contacts/{id}``, ``/contact/sync`` and ``/contactLists``.

``POST /contact/sync`` answers 201 when it created the contact and 200 when it updated one (the
documents only show 201). ``GET /contacts`` sends ``meta.page_input.segmentid`` as ``null``:
the schema's two ``oneOf`` branches differ only there, so this keeps the answer valid.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actui.sandbox import render
from actui.sandbox.contact_filters import contact_tests
from actui.sandbox.errors import ApiError, not_found
from actui.sandbox.model import Contact
from actui.sandbox.routes_common import (
    answer,
    api_base,
    as_id,
    endpoint,
    json_body,
    page,
    query_int,
    required_id,
    sandbox_of,
    wrapped_object,
)
from actui.sandbox.state import AccountState


@endpoint
async def list_contacts(request: Request) -> Response:
    base = api_base(request)
    limit, offset = page(request)
    params = request.query_params
    email = params.get("email") or params.get("filters[email]")
    list_id = query_int(request, "listid")
    status = query_int(request, "status", -1)
    id_greater = query_int(request, "id_greater")
    descending = params.get("orders[id]", "ASC").upper() == "DESC"
    tests = contact_tests(params)

    def read(state: AccountState) -> tuple[int, list[dict[str, Any]]]:
        found = state.query_contacts(
            email=email,
            list_id=list_id or None,
            status=None if status is None or status < 0 else status,
            id_greater=id_greater,
            descending=descending,
        )
        if tests:
            found = [contact for contact in found if all(test(contact) for test in tests)]
        return len(found), [render.contact(base, item) for item in found[offset : offset + limit]]

    total, contacts = sandbox_of(request).run(read)
    page_input = {
        "segmentid": None,
        "formid": 0,
        "listid": list_id or 0,
        "tagid": 0,
        "limit": limit,
        "offset": offset,
        "search": params.get("search") or None,
        "sort": None,
        "seriesid": 0,
        "waitid": 0,
        "status": -1 if status is None else status,
        "forceQuery": 0,
        "cacheid": "",
    }
    return answer({"contacts": contacts, "meta": {"total": str(total), "page_input": page_input}})


@endpoint
async def get_contact(request: Request) -> Response:
    contact_id = as_id(request.path_params["id"])
    if contact_id is None:
        raise not_found("Subscriber")
    base = api_base(request)

    def read(state: AccountState) -> dict[str, Any]:
        contact = state.get_contact(contact_id)
        memberships = [m for m in state.memberships.values() if m.contact_id == contact_id]
        return render.contact_detail(base, contact, sorted(memberships, key=lambda m: m.id))

    return answer(sandbox_of(request).run(read))


def _contact_attributes(contact: dict[str, Any]) -> dict[str, Any]:
    """What ``/contacts`` and ``/contact/sync`` read, with ``fieldValues`` as ``{id: value}``."""
    attributes: dict[str, Any] = {
        k: contact[k] for k in ("email", "firstName", "lastName", "phone") if k in contact
    }
    for key in ("firstName", "lastName", "phone"):
        if key in attributes and not isinstance(attributes[key], str):
            attributes[key] = "" if attributes[key] is None else str(attributes[key])
    values: dict[int, str] = {}
    raw_values = contact.get("fieldValues") or []
    if not isinstance(raw_values, list):
        raw_values = []
    for item in raw_values:
        if not isinstance(item, dict):
            continue
        field_id = required_id(item.get("field"), "fieldValues")
        value = item.get("value")
        values[field_id] = "" if value is None else str(value)
    attributes["field_values"] = values
    return attributes


def _saved(base: str, contact: Contact) -> dict[str, Any]:
    return {
        "fieldValues": render.field_values(base, contact),
        "contact": render.saved_contact(base, contact),
    }


@endpoint
async def create_contact(request: Request) -> Response:
    attributes = _contact_attributes(wrapped_object(await json_body(request), "contact"))

    def write(state: AccountState) -> Contact:
        state.check_field_ids(list(attributes["field_values"]))
        return state.create_contact(attributes)

    contact = sandbox_of(request).run(write)
    return answer(_saved(api_base(request), contact), 201)


@endpoint
async def sync_contact(request: Request) -> Response:
    attributes = _contact_attributes(wrapped_object(await json_body(request), "contact"))

    def write(state: AccountState) -> tuple[Contact, bool]:
        state.check_field_ids(list(attributes["field_values"]))
        return state.sync_contact(attributes)

    contact, created = sandbox_of(request).run(write)
    return answer(_saved(api_base(request), contact), 201 if created else 200)


@endpoint
async def set_contact_list(request: Request) -> Response:
    attributes = wrapped_object(await json_body(request), "contactList")
    list_id = required_id(attributes.get("list"), "list")
    contact_id = required_id(attributes.get("contact"), "contact")
    status = as_id(attributes.get("status"))
    if status is None:
        raise ApiError(
            422,
            {
                "errors": [
                    {
                        "title": "Status must be 1 (subscribe) or 2 (unsubscribe).",
                        "detail": "",
                        "code": "field_invalid",
                        "source": {"pointer": "/data/attributes/status"},
                    }
                ]
            },
        )
    base = api_base(request)

    def write(state: AccountState) -> dict[str, Any]:
        membership = state.set_membership(contact_id, list_id, status, "api")
        contact = state.get_contact(contact_id)
        return {
            "contacts": [render.contact(base, contact)],
            "contactList": render.membership(base, membership, contact, status_as_text=False),
        }

    return answer(sandbox_of(request).run(write))


ROUTES = [
    Route("/contacts", list_contacts, methods=["GET"]),
    Route("/contacts", create_contact, methods=["POST"]),
    Route("/contacts/{id}", get_contact, methods=["GET"]),
    Route("/contact/sync", sync_contact, methods=["POST"]),
    Route("/contactLists", set_contact_list, methods=["POST"]),
]
