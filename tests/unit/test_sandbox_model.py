"""The sandbox's rules without HTTP: email validity, exclusions, sliding windows, save and load."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from actui.sandbox import Sandbox
from actui.sandbox.emails import exclusion_matches, has_email_shape, is_valid_email
from actui.sandbox.limits import SlidingWindow, parse_limits
from tests.fixtures.sandbox import SandboxApp


@pytest.mark.parametrize(
    "email",
    ["ann@example.com", "Ann.Lee+vip@mail.example.co.uk", "a_b-c%d@x-y.io", "a@b.museum"],
)
def test_valid_emails(email: str) -> None:
    assert is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "invalid.email@invalidDomain",
        "invalid'character@example.com",
        "two@@example.com",
        ".lead@example.com",
        "dots..here@example.com",
        "a@-bad.com",
        "a@example.c0m",
        "",
        "a" * 65 + "@example.com",
    ],
)
def test_invalid_emails(email: str) -> None:
    assert not is_valid_email(email)


def test_shape_check_is_looser_than_the_full_rule() -> None:
    assert has_email_shape("invalid.email@invalidDomain")
    assert not has_email_shape("no at sign")
    assert not has_email_shape("a b@example.com")
    assert not has_email_shape(None)


def test_exclusion_matching_is_case_insensitive() -> None:
    assert exclusion_matches("Bob@Spam.Example", "@spam.example", "end")
    assert not exclusion_matches("bob@spam.example.org", "@spam.example", "end")
    assert exclusion_matches("BOB@x.com", "bob@x.com", "exact")
    assert not exclusion_matches("bob@x.com", "bob@x.co", "exact")


def test_sliding_window_counts_only_accepted_events() -> None:
    now = [0.0]
    window = SlidingWindow(1.0, clock=lambda: now[0])
    assert [window.try_accept(2)[0] for _ in range(3)] == [True, True, False]
    now[0] = 0.999
    assert window.try_accept(2)[0] is False
    now[0] = 1.0  # both events at 0.0 are now a full second old
    assert window.try_accept(2) == (True, 1)
    assert window.try_accept(None) == (True, 0)


def test_limit_specs() -> None:
    assert parse_limits("real").requests_per_second == 5
    assert parse_limits("off").requests_per_second is None
    doubled = parse_limits("x2")
    assert (doubled.requests_per_second, doubled.multi_imports_per_minute) == (10, 200)
    assert parse_limits("x0.2").single_imports_per_minute == 4
    for bad in ("fast", "x0", "x-1", "xinf", ""):
        with pytest.raises(ValueError):
            parse_limits(bad)


def test_save_and_load_keep_the_account_but_not_the_key(tmp_path: Path) -> None:
    sandbox = Sandbox.create(api_key="secret-key-123", batch_delay=60)
    list_id = sandbox.run(
        lambda s: (
            s.create_list(
                {"name": "A", "stringid": "a", "sender_url": "u", "sender_reminder": "r"}
            ).id
        )
    )
    contact = sandbox.run(lambda s: s.create_contact({"email": "kim@example.com"}))
    sandbox.run(lambda s: s.set_membership(contact.id, list_id, 1, "api"))
    sandbox.unsubscribe("kim@example.com", list_id)
    sandbox.submit_import([{"email": "later@example.com", "subscribe": [], "unsubscribe": []}])
    path = tmp_path / "state.json"
    sandbox.save(path)
    assert "secret-key-123" not in path.read_text()
    assert path.stat().st_mode & 0o077 == 0
    loaded = Sandbox.load(path, api_key="other", batch_delay=0)
    state = loaded.dump()
    assert [m["status"] for m in state["memberships"]] == [2]
    assert loaded.run(lambda s: s.contact_by_email("KIM@example.com")) is not None
    assert [c["email"] for c in state["contacts"]] == ["kim@example.com"]
    assert [b["status"] for b in state["batches"]] == ["processing"]  # still within its 60 s
    assert loaded.run(lambda s: s.create_contact({"email": "new@example.com"}).id) == 2
    assert loaded.account.api_key == "other"


def test_repr_never_shows_the_key() -> None:
    sandbox = Sandbox.create(api_key="hidden-key-456")
    assert "hidden-key-456" not in repr(sandbox) + repr(sandbox.account)


async def test_sandbox_app_serves_in_process(sandbox_app: SandboxApp) -> None:
    transport = httpx.ASGITransport(app=sandbox_app.app)
    async with httpx.AsyncClient(transport=transport, base_url=sandbox_app.url) as client:
        me = await client.get("/api/3/users/me", headers=sandbox_app.headers)
        refused = await client.get("/api/3/users/me")
        state = await client.get("/__sandbox__/state")
    assert me.json()["user"]["id"] == "1"
    assert refused.status_code == 403
    assert state.json()["requests"]["by_status"] == {"200": 1, "403": 1}
