"""A local emulator of the ActiveCampaign API v3 (an ASGI app) for the demo, tests and benchmarks.

Use ``Sandbox.create()`` for an account, ``create_app(sandbox)`` for the ASGI app and
``SandboxServer(sandbox)`` to serve it on loopback; ``server.url`` is the account URL.
"""

from __future__ import annotations

from actui.sandbox.app import create_app
from actui.sandbox.faults import FaultSettings
from actui.sandbox.sandbox import Account, Sandbox
from actui.sandbox.server import SandboxServer

__all__ = ["Account", "FaultSettings", "Sandbox", "SandboxServer", "create_app"]
