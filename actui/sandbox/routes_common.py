"""What every emulated endpoint shares: reading bodies and ids, answering JSON, mapping ApiError."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actui.sandbox.errors import ApiError
from actui.sandbox.sandbox import Sandbox

Handler = Callable[[Request], Awaitable[Response]]


def sandbox_of(request: Request) -> Sandbox:
    found = request.app.state.sandbox
    assert isinstance(found, Sandbox)
    return found


def api_base(request: Request) -> str:
    """The ``/api/3`` URL this request came in on, for ``links``."""
    return f"{request.url.scheme}://{request.url.netloc}/api/3"


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def endpoint(handler: Handler) -> Handler:
    """Turn an ``ApiError`` raised by ``handler`` into its status and JSON body."""

    @wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return answer(error.body, error.status)

    return wrapped


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 when the body is not one."""
    raw = await request.body()
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, {"message": "The request body must be a JSON object."})
    return data


def wrapped_object(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body[key]`` (e.g. ``{"contact": {...}}``), or a 422 naming the missing wrapper."""
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise ApiError(
            422,
            {
                "errors": [
                    {
                        "title": f"The '{key}' object was not provided.",
                        "detail": "",
                        "code": "field_missing",
                        "source": {"pointer": f"/data/attributes/{key}"},
                    }
                ]
            },
        )
    return inner


def as_id(value: object) -> int | None:
    """An id given as an integer or a digit string; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def required_id(value: object, pointer: str) -> int:
    found = as_id(value)
    if found is None:
        raise ApiError(
            422,
            {
                "errors": [
                    {
                        "title": f"'{pointer}' must be an id.",
                        "detail": "",
                        "code": "field_invalid",
                        "source": {"pointer": f"/data/attributes/{pointer}"},
                    }
                ]
            },
        )
    return found


def query_int(request: Request, name: str, default: int | None = None) -> int | None:
    """An integer query parameter; a malformed one answers 400 like ActiveCampaign."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, {"message": f"Query parameter '{name}' must be an integer."}) from None


def page(request: Request, default_limit: int = 20, max_limit: int = 100) -> tuple[int, int]:
    """``limit`` (default 20, at most 100) and ``offset`` from the query."""
    limit = query_int(request, "limit", default_limit) or default_limit
    offset = query_int(request, "offset", 0) or 0
    return max(1, min(limit, max_limit)), max(0, offset)
