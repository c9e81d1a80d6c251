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


#: the deepest nesting of arrays and objects a request body may have
MAX_BODY_DEPTH = 64


def decode_json(raw: bytes) -> Any:
    """The JSON value of a request body; ``None`` when it is not JSON at all.

    A body nested deeper than :data:`MAX_BODY_DEPTH` or holding text UTF-8 cannot encode (a
    lone surrogate such as ``"\\ud800"``) answers 400: stored, such text would break every
    later answer that shows it.
    """
    try:
        data = json.loads(raw or b"null")
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        return None
    _check_depth_and_text(data)
    return data


def _too_deep() -> ApiError:
    return ApiError(
        400,
        {"message": f"The request body nests arrays and objects deeper than {MAX_BODY_DEPTH}."},
    )


def _check_depth_and_text(data: Any) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise ApiError(
                        400,
                        {
                            "message": "The request body holds text that is not valid Unicode "
                            "(an unpaired surrogate such as \\ud800)."
                        },
                    ) from None
        elif isinstance(item, dict | list):
            if depth >= MAX_BODY_DEPTH:
                raise _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 when the body is not one."""
    data = decode_json(await request.body())
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
