"""Account-wide endpoints: ``/users/me``, ``/groups`` and custom ``/fields``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actui.sandbox import render
from actui.sandbox.routes_common import (
    answer,
    api_base,
    endpoint,
    json_body,
    page,
    sandbox_of,
    wrapped_object,
)
from actui.sandbox.state import AccountState


@endpoint
async def users_me(request: Request) -> Response:
    sandbox = sandbox_of(request)
    return answer({"user": render.user(api_base(request), sandbox.account.user_email)})


@endpoint
async def list_groups(request: Request) -> Response:
    base = api_base(request)
    limit, offset = page(request, default_limit=20, max_limit=100)

    def read(state: AccountState) -> list[dict[str, object]]:
        return [render.group(base, item) for item in state.groups.values()]

    groups = sandbox_of(request).run(read)
    return answer({"groups": groups[offset : offset + limit], "meta": {"total": str(len(groups))}})


@endpoint
async def create_group(request: Request) -> Response:
    attributes = wrapped_object(await json_body(request), "group")
    title = attributes.get("title")
    descript = attributes.get("descript")
    group = sandbox_of(request).run(
        lambda state: state.create_group(
            title if isinstance(title, str) else "", descript if isinstance(descript, str) else ""
        )
    )
    return answer({"group": render.created_group(api_base(request), group)})


@endpoint
async def list_fields(request: Request) -> Response:
    base = api_base(request)
    limit, offset = page(request, default_limit=100, max_limit=100)
    perstag = request.query_params.get("filters[perstag]")

    def read(state: AccountState) -> list[dict[str, object]]:
        return [
            render.custom_field(base, item)
            for item in state.fields.values()
            if perstag is None or item.perstag == perstag.upper()
        ]

    fields = sandbox_of(request).run(read)
    return answer(
        {
            "fieldOptions": [],
            "fieldRels": [],
            "fields": fields[offset : offset + limit],
            "meta": {"total": str(len(fields))},
        }
    )


@endpoint
async def create_field(request: Request) -> Response:
    attributes = wrapped_object(await json_body(request), "field")

    def text(name: str) -> str:
        value = attributes.get(name)
        return value if isinstance(value, str) else ""

    created = sandbox_of(request).run(
        lambda state: state.create_field(
            text("title"), text("type"), text("perstag"), text("descript")
        )
    )
    rendered = render.custom_field(api_base(request), created)
    return answer(
        {
            "field": rendered,
            "fieldOptions": [],
            "fieldRels": [],
            "fields": [rendered],
            "meta": {"total": "1"},
        },
        201,
    )


ROUTES = [
    Route("/users/me", users_me, methods=["GET"]),
    Route("/groups", list_groups, methods=["GET"]),
    Route("/groups", create_group, methods=["POST"]),
    Route("/fields", list_fields, methods=["GET"]),
    Route("/fields", create_field, methods=["POST"]),
]
