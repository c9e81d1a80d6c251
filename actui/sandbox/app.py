"""The emulator's ASGI app: ``/api/3`` behind the gate, and the ``/__sandbox__`` control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from actui.sandbox import (
    routes_account,
    routes_contacts,
    routes_control,
    routes_import,
    routes_lists,
)
from actui.sandbox.gate import API_PREFIX, guard
from actui.sandbox.sandbox import Sandbox


class SandboxApp(Starlette):
    """A Starlette app that sends ``/api/3`` requests through the gate first.

    The gate runs outside Starlette's own middleware so that it receives the server's ``send``
    and can drop a connection for real.
    """

    sandbox: Sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            await guard(self.sandbox, scope, receive, send, super().__call__)
        else:
            await super().__call__(scope, receive, send)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return JSONResponse({"message": "No Result found"}, status_code=404)
    return JSONResponse({"message": exc.detail}, status_code=exc.status_code)


def create_app(sandbox: Sandbox) -> Starlette:
    """The ASGI app serving ``sandbox``; the account URL is the server root."""
    api_routes = [
        *routes_account.ROUTES,
        *routes_lists.ROUTES,
        *routes_contacts.ROUTES,
        *routes_import.ROUTES,
    ]
    app = SandboxApp(
        routes=[
            Mount("/api/3", routes=api_routes),
            Mount("/__sandbox__", routes=routes_control.ROUTES),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.sandbox = sandbox
    app.state.sandbox = sandbox
    return app
