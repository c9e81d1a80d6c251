"""List endpoints: ``/lists``, ``/lists/{id}``, ``/listGroups`` and ``/lists/exclusions``.

``filters[name]`` on ``GET /lists`` matches names that *contain* the text, case-insensitively (the
documents do not say; a LIKE match is the cautious reading, so clients must compare names
themselves). ``GET /lists/exclusions`` sends ``meta.total`` as an integer, as its schema says,
unlike every other list endpoint.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actui.sandbox import render
from actui.sandbox.errors import not_found
from actui.sandbox.routes_common import (
    answer,
    api_base,
    as_id,
    endpoint,
    json_body,
    page,
    required_id,
    sandbox_of,
    wrapped_object,
)
from actui.sandbox.state import AccountState


@endpoint
async def list_lists(request: Request) -> Response:
    base = api_base(request)
    limit, offset = page(request)
    name = request.query_params.get("filters[name]")

    def read(state: AccountState) -> list[dict[str, object]]:
        wanted = None if name is None else name.lower()
        return [
            render.mailing_list(base, item)
            for item in state.lists.values()
            if wanted is None or wanted in item.name.lower()
        ]

    lists = sandbox_of(request).run(read)
    return answer({"lists": lists[offset : offset + limit], "meta": {"total": str(len(lists))}})


@endpoint
async def create_list(request: Request) -> Response:
    attributes = wrapped_object(await json_body(request), "list")
    created = sandbox_of(request).run(lambda state: state.create_list(attributes))
    return answer({"list": render.mailing_list(api_base(request), created)})


@endpoint
async def get_list(request: Request) -> Response:
    list_id = as_id(request.path_params["id"])
    if list_id is None:
        raise not_found("List")
    found = sandbox_of(request).run(lambda state: state.get_list(list_id))
    return answer({"list": render.mailing_list(api_base(request), found)})


@endpoint
async def create_list_group(request: Request) -> Response:
    attributes = wrapped_object(await json_body(request), "listGroup")
    list_id = required_id(attributes.get("listid"), "listid")
    group_id = required_id(attributes.get("groupid"), "groupid")
    link = sandbox_of(request).run(lambda state: state.link_list_to_group(list_id, group_id))
    return answer({"listGroup": render.list_group(api_base(request), link)}, 201)


@endpoint
async def list_exclusions(request: Request) -> Response:
    limit, offset = page(request)
    phrase = request.query_params.get("filters[matchPhrase]")

    def read(state: AccountState) -> list[dict[str, object]]:
        return [
            render.exclusion(item)
            for item in state.exclusions.values()
            if phrase is None or phrase.lower() in item.match_phrase.lower()
        ]

    exclusions = sandbox_of(request).run(read)
    return answer(
        {"exclusions": exclusions[offset : offset + limit], "meta": {"total": len(exclusions)}}
    )


ROUTES = [
    Route("/lists", list_lists, methods=["GET"]),
    Route("/lists", create_list, methods=["POST"]),
    Route("/lists/exclusions", list_exclusions, methods=["GET"]),
    Route("/lists/{id}", get_list, methods=["GET"]),
    Route("/listGroups", create_list_group, methods=["POST"]),
]
