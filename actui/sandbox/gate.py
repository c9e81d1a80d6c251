"""What stands before every ``/api/3`` endpoint: injected faults, the API key, the 5/s limit.

Order per request: a dropped connection (``drop_rate``), ``latency_ms``, a bare 403
(``forbidden_no_body``), the ``Api-Token`` check (403), a 429 storm, the 5/s sliding window (429
with ``Retry-After: 1``), an injected 500/503 (``error_rate``), then the endpoint. Requests refused
with 403 do not count against the rate limit; injected 500/503 answers do. Every answer after the
key check carries ``RateLimit-Limit`` and ``RateLimit-Remaining``.

403 bodies vary as ActiveCampaign's do: no header at all gets ``{"message": "Forbidden"}``, a wrong
key gets ``{"errors": [{"status": 403, "title": "Forbidden", ...}]}``. The 429 body is
``{"message": "Too Many Requests"}`` (ActiveCampaign does not document one); an injected 500 sends
JSON, an injected 503 a small HTML page, as a load balancer would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from actui.sandbox.faults import Fault
from actui.sandbox.sandbox import Sandbox

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/3/"
_JSON = (b"content-type", b"application/json")


class ConnectionDropped(Exception):
    """Raised to abort a request when the server gives no way to close its connection directly."""


async def drop_connection(send: Send) -> None:
    """Close the client's connection without answering (uvicorn: close the transport)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "close"):
        raise ConnectionDropped("connection dropped by the sandbox's fault injection")
    transport.close()
    await asyncio.sleep(0)  # let the server see the connection is gone before the app returns


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    all_headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


def _json(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _api_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"api-token":
            return bytes(value).decode("latin-1").strip()
    return None


async def guard(sandbox: Sandbox, scope: Scope, receive: Receive, send: Send, app: App) -> None:
    """Apply faults, auth and the rate limit; pass the request on to ``app`` when all allow it."""
    faults = sandbox.faults
    if faults.draw_drop():
        sandbox.record_refusal("dropped")
        await drop_connection(send)
        return
    if faults.latency_seconds:
        await asyncio.sleep(faults.latency_seconds)
    if faults.settings.forbidden_no_body:
        sandbox.record_refusal("forbidden")
        sandbox.record(403)
        await _respond(send, 403, b"", [])
        return
    key = _api_key(scope)
    if not sandbox.key_matches(key):
        sandbox.record_refusal("forbidden")
        sandbox.record(403)
        body: object = (
            {"message": "Forbidden"}
            if key is None
            else {
                "errors": [
                    {
                        "status": 403,
                        "title": "Forbidden",
                        "detail": "The API token is not valid for this account.",
                    }
                ]
            }
        )
        await _respond(send, 403, _json(body), [_JSON])
        return
    if faults.in_storm():
        sandbox.record_refusal("storm")
        sandbox.record(429)
        retry = str(faults.storm_seconds_left()).encode()
        await _respond(
            send,
            429,
            _json({"message": "Too Many Requests"}),
            [_JSON, (b"retry-after", retry), (b"ratelimit-remaining", b"0")],
        )
        return
    accepted, remaining, limit = sandbox.admit_request()
    rate_headers: list[tuple[bytes, bytes]] = []
    if limit is not None:
        rate_headers = [
            (b"ratelimit-limit", str(limit).encode()),
            (b"ratelimit-remaining", str(remaining).encode()),
        ]
    if not accepted:
        sandbox.record(429)
        await _respond(
            send,
            429,
            _json({"message": "Too Many Requests"}),
            [_JSON, (b"retry-after", b"1"), *rate_headers],
        )
        return
    fault = faults.draw_error()
    if fault is Fault.ERROR_500:
        sandbox.record(500)
        await _respond(
            send, 500, _json({"message": "Internal Server Error"}), [_JSON, *rate_headers]
        )
        return
    if fault is Fault.ERROR_503:
        sandbox.record(503)
        page = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
        await _respond(send, 503, page, [(b"content-type", b"text/html"), *rate_headers])
        return

    async def send_counted(message: Message) -> None:
        if message["type"] == "http.response.start":
            sandbox.record(int(message["status"]))
            if rate_headers:
                message["headers"] = [*message.get("headers", ()), *rate_headers]
        await send(message)

    await app(scope, receive, send_counted)
