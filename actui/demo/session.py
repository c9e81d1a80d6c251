"""The demo session: demo database, sandbox on loopback, a demo destination and example segments.

Everything lives under ``ACTUI_HOME/demo``: the database, the sandbox's state (``sandbox.json``),
and ``server.json`` naming the process that serves the sandbox and its URL. The sandbox keeps its
port and API key from one run to the next, so the ``demo`` credential (in the keyring, or in a
0600 file where there is none: the key is for a local emulator) stays valid, and every ``actui``
command in another terminal reaches the running demo through the ``demo`` destination.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from actui.home import home_dir

DEMO_DESTINATION = "demo"
DEMO_CREDENTIAL = "demo"
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


def demo_dir() -> Path:
    """``ACTUI_HOME/demo`` (created, mode 0700)."""
    path = home_dir() / "demo"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sandbox_state_path() -> Path:
    """Where the demo sandbox keeps its contacts, lists and imports between runs."""
    return demo_dir() / "sandbox.json"


def server_file_path() -> Path:
    """Which process serves the demo sandbox, and at what URL (removed when it stops)."""
    return demo_dir() / "server.json"


#: saved once per ACTUI_HOME next to the example segments
EXAMPLE_CAMPAIGN: dict[str, Any] = {
    "version": 1,
    "name": "Loyalty offer",
    "audience": "High-value loyal customers",
    "groups": [
        {"name": "A", "percent": 45, "destination": DEMO_DESTINATION, "list": "Loyalty offer A"},
        {"name": "B", "percent": 45, "destination": DEMO_DESTINATION, "list": "Loyalty offer B"},
        {"name": "Control", "percent": 10, "control": True},
    ],
    "attributes": {"email": "email", "first_name": "given_name", "last_name": "surname"},
}


@dataclass
class DemoSession:
    """What ``actui demo`` started or joined: the database URL, the sandbox URL, the destination.

    ``serving`` is False when another process (``actui demo --serve``) already serves the sandbox;
    this session then only uses it.
    """

    db_url: str
    sandbox_url: str
    destination: str
    _server: Any = field(default=None, repr=False)

    @property
    def serving(self) -> bool:
        return self._server is not None

    def close(self) -> None:
        """Stop the sandbox this session serves and save its state for the next run."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        server.sandbox.save(sandbox_state_path())
        with contextlib.suppress(OSError, ValueError):
            if json.loads(server_file_path().read_text(encoding="utf-8")).get("pid") == os.getpid():
                server_file_path().unlink()


def demo_db_url() -> str:
    """The demo database's SQLAlchemy URL (the file may not exist yet)."""
    from actui.demo.paths import demo_db_path

    return f"sqlite:///{demo_db_path()}"


def start_demo(rows: int | None = None, *, build_database: bool = True) -> DemoSession:
    """Serve the demo sandbox (or join the one another process serves), wire the destination.

    With ``build_database`` the demo database is written first when missing; the app passes
    False and writes it after its first screen (see :func:`actui.demo.paths.ensure_demo_db`).
    """
    from actui.demo.paths import ensure_demo_db

    if build_database:
        ensure_demo_db() if rows is None else ensure_demo_db(rows=rows)
    running = running_sandbox_url()
    session = (
        DemoSession(demo_db_url(), running, DEMO_DESTINATION)
        if running is not None
        else _serve_sandbox()
    )
    try:
        _wire_destination()
        save_example_segments()
        save_example_campaign()
        save_sample_results_campaign(session.db_url)  # once the database exists
        _remember_demo_db(session.db_url)
    except BaseException:
        session.close()
        raise
    return session


def running_sandbox_url() -> str | None:
    """The URL of the demo sandbox another live process serves, or None."""
    try:
        data = json.loads(server_file_path().read_text(encoding="utf-8"))
        pid, url = int(data["pid"]), str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, someone else's
    port = urlsplit(url).port
    if port is None:
        return None
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return None
    return url


def _serve_sandbox() -> DemoSession:
    """Start the sandbox on its former port with its former key and state; store the credential."""
    from actui.credentials.keyring_store import CredentialError, add_local_credential
    from actui.credentials.keyring_store import get_credential as read_credential
    from actui.sandbox import Sandbox, SandboxServer

    try:
        credential = read_credential(DEMO_CREDENTIAL)
    except CredentialError:
        credential = None
    parts = urlsplit(credential.url) if credential is not None else None
    known = parts is not None and parts.hostname == "127.0.0.1"
    key = credential.api_key.get_secret_value() if credential is not None and known else None
    port = parts.port if parts is not None and known and parts.port else 0
    sandbox = Sandbox.load(sandbox_state_path(), api_key=key, limits="real")
    server = SandboxServer(sandbox, port=port)
    try:
        server.start()
    except OSError:  # the former port is taken now: any free one (the credential follows)
        server = SandboxServer(sandbox, port=0)
        server.start()
    try:
        if key is None or port != server.port:
            add_local_credential(DEMO_CREDENTIAL, server.url, sandbox.account.api_key)
        path = server_file_path()
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(json.dumps({"pid": os.getpid(), "url": server.url}), encoding="utf-8")
        os.replace(partial, path)
    except BaseException:
        server.stop()
        raise
    return DemoSession(demo_db_url(), server.url, DEMO_DESTINATION, server)


def _wire_destination() -> None:
    from actui.credentials.destinations import (
        DestinationError,
        get_destination,
        make_destination,
        save_destination,
    )

    try:
        get_destination(DEMO_DESTINATION)
    except DestinationError:
        save_destination(
            make_destination(name=DEMO_DESTINATION, credential=DEMO_CREDENTIAL, list=DEMO_LIST)
        )


def _remember_demo_db(db_url: str) -> None:
    """Make the demo database the one ``actui`` commands use without ``--db``."""
    from actui.config import load_config, save_config

    config = load_config()
    if config.last_db_url != db_url:
        config.last_db_url = db_url
        save_config(config)


def save_sample_results_campaign(db_url: str) -> None:
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


def save_example_campaign() -> None:
    """Save the example campaign unless a campaign of the same name already exists."""
    from actui.campaigns.store import import_campaign, list_campaigns

    if all(saved.name != EXAMPLE_CAMPAIGN["name"] for saved in list_campaigns()):
        import_campaign(EXAMPLE_CAMPAIGN, "The demo campaign")
