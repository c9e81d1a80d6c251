"""Functional-test fixtures: the sandbox a send test sends to, with a destination set up."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import setup_destination


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    """The loopback sandbox with destination 'sandbox' and the throttle at the sandbox's pace."""
    monkeypatch.setenv("ACTUI_SEND_RATE", "200")
    monkeypatch.setenv("ACTUI_SEND_BULK_PER_MINUTE", "6000")
    setup_destination(monkeypatch, sandbox_server.url, sandbox_server.api_key)
    return sandbox_server
