"""The demo session: demo database, sandbox on loopback, a demo destination and example segments."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

DEMO_DESTINATION = "demo"
DEMO_LIST = "actui demo"

#: saved once per ACTUI_HOME so a new user has something to open and compose
EXAMPLE_SEGMENTS: tuple[dict[str, Any], ...] = (
    {
        "version": 1,
        "name": "High-value loyal customers",
        "match": "all",
        "conditions": [
            {"attribute": "lifetime_value", "operator": "at least", "value": 500},
            {"attribute": "loyalty_tier", "operator": "is one of", "value": ["gold", "platinum"]},
            {"attribute": "email_opt_in", "operator": "is true"},
        ],
    },
    {
        "version": 1,
        "name": "Lapsed buyers",
        "match": "all",
        "conditions": [
            {"attribute": "order_count", "operator": "at least", "value": 1},
            {
                "attribute": "last_order_date",
                "operator": "older than",
                "value": {"amount": 365, "unit": "days"},
            },
        ],
    },
)


@dataclass
class DemoSession:
    """What ``actui demo`` started: where the data is, the sandbox URL, and how to stop it."""

    db_url: str
    sandbox_url: str
    destination: str
    _server: Any = field(repr=False)
    _saved_env: dict[str, str | None] = field(default_factory=dict, repr=False)

    def close(self) -> None:
        """Stop the sandbox and restore the environment this process had."""
        self._server.stop()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def start_demo(rows: int | None = None) -> DemoSession:
    """Ensure the demo database, serve the sandbox in a background thread, wire the destination."""
    from actui.credentials.destinations import (
        get_destination,
        make_destination,
        save_destination,
    )
    from actui.credentials.keyring_store import ENV_KEY, ENV_NAME, ENV_URL
    from actui.demo.paths import ensure_demo_db
    from actui.sandbox import Sandbox, SandboxServer

    path = ensure_demo_db() if rows is None else ensure_demo_db(rows=rows)
    db_url = f"sqlite:///{path}"
    sandbox = Sandbox.create(limits="real")
    server = SandboxServer(sandbox)
    server.start()
    saved_env = {name: os.environ.get(name) for name in (ENV_URL, ENV_KEY, ENV_NAME)}
    os.environ[ENV_URL] = server.url
    os.environ[ENV_KEY] = sandbox.account.api_key
    os.environ[ENV_NAME] = DEMO_DESTINATION
    session = DemoSession(db_url, server.url, DEMO_DESTINATION, server, saved_env)
    try:
        get_destination(DEMO_DESTINATION)
    except Exception:
        save_destination(
            make_destination(name=DEMO_DESTINATION, credential=DEMO_DESTINATION, list=DEMO_LIST)
        )
    save_example_segments()
    _save_sample_campaign(db_url)
    return session


def _save_sample_campaign(db_url: str) -> None:
    """The sample campaign and its recorded send; a demo database without orders goes without."""
    from actui.demo.sample_send import save_sample_campaign
    from actui.errors import ActuiError

    with contextlib.suppress(ActuiError):
        save_sample_campaign(db_url)


def save_example_segments() -> None:
    """Save the example segments unless a segment of the same name already exists."""
    from actui.segments.model import parse_segment
    from actui.segments.store import list_segments, save_segment

    existing = {saved.name for saved in list_segments()}
    for body in EXAMPLE_SEGMENTS:
        if body["name"] not in existing:
            save_segment(parse_segment(body))
