"""Serve a ``Sandbox`` over loopback HTTP with uvicorn in a background thread."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn

try:  # httptools parses HTTP several times faster than h11; h11 is the fallback
    import httptools  # noqa: F401

    HTTP_IMPL = "httptools"
except ImportError:  # pragma: no cover
    HTTP_IMPL = "h11"

from actui.sandbox.app import create_app
from actui.sandbox.sandbox import Sandbox


class SandboxServer:
    """A running emulator; ``url`` is the account URL a user would paste (no ``/api/3``)."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.host = host
        self.port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_key(self) -> str:
        return self.sandbox.account.api_key

    def start(self, timeout: float = 10.0) -> SandboxServer:
        """Bind the port, start serving and return once requests are accepted."""
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
        # without it every answer waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(1024)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.sandbox),
            loop="asyncio",
            http=HTTP_IMPL,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="actui-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the ActiveCampaign sandbox server did not start")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


logging.getLogger("uvicorn.error").addFilter(
    lambda record: "ConnectionDropped" not in record.getMessage()
)
