"""The sandbox's rate limits and injected faults, seen by an httpx client over loopback."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.sandbox import RunningSandbox


@pytest.fixture
def api(sandbox_real_limits: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox_real_limits.api_url, headers=sandbox_real_limits.headers
    ) as client:
        yield client


def test_sixth_request_within_a_second_gets_429_with_retry_after(
    api: httpx.Client, sandbox_real_limits: RunningSandbox
) -> None:
    started = time.monotonic()
    responses = [api.get("/users/me") for _ in range(7)]
    assert time.monotonic() - started < 1.0
    assert [r.status_code for r in responses] == [200] * 5 + [429] * 2
    assert responses[5].headers["Retry-After"] == "1"
    assert responses[0].headers["RateLimit-Limit"] == "5"
    assert [r.headers["RateLimit-Remaining"] for r in responses[:5]] == ["4", "3", "2", "1", "0"]
    time.sleep(1.0)
    assert api.get("/users/me").status_code == 200
    counts = sandbox_real_limits.sandbox.dump()["requests"]
    assert (counts["status_429"], counts["rate_limited"]) == (2, 2)


def test_refused_requests_do_not_use_up_the_window(api: httpx.Client) -> None:
    statuses = []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        statuses.append(api.get("/users/me").status_code)
        time.sleep(0.02)
    accepted = statuses.count(200)
    # 5 at once, then more once the first 5 left the window; were 429s counted, never more than 5
    assert 6 <= accepted <= 10, statuses


def _lift_request_limit(running: RunningSandbox) -> None:
    """Keep the real import limits but lift 5/s, so a minute's imports fit in a fast test."""
    sandbox = running.sandbox
    sandbox.limits = dataclasses.replace(sandbox.limits, requests_per_second=None)


def test_101st_multi_contact_import_in_a_minute_gets_the_documented_400(
    api: httpx.Client, sandbox_real_limits: RunningSandbox
) -> None:
    _lift_request_limit(sandbox_real_limits)
    payload = {"contacts": [{"email": "a@example.com"}, {"email": "b@example.com"}]}
    statuses = [api.post("/import/bulk_import", json=payload).status_code for _ in range(100)]
    assert statuses == [200] * 100
    refused = api.post("/import/bulk_import", json=payload)
    assert refused.status_code == 400
    assert refused.json()["message"] == "Rate limit exceeded."
    assert refused.json()["failureReasons"][0].startswith("Up to 100 imports")
    single = api.post("/import/bulk_import", json={"contacts": [{"email": "c@example.com"}]})
    assert single.status_code == 200
    assert sandbox_real_limits.sandbox.dump()["requests"]["import_rate_limited"] == 1


def test_21st_single_contact_import_in_a_minute_is_refused(
    api: httpx.Client, sandbox_real_limits: RunningSandbox
) -> None:
    _lift_request_limit(sandbox_real_limits)
    payload = {"contacts": [{"email": "solo@example.com"}]}
    statuses = [api.post("/import/bulk_import", json=payload).status_code for _ in range(21)]
    assert statuses == [200] * 20 + [400]


def test_limits_can_be_multiplied_or_switched_off(
    api: httpx.Client, sandbox_real_limits: RunningSandbox
) -> None:
    control = httpx.post(f"{sandbox_real_limits.url}/__sandbox__/limits", json={"limits": "x2"})
    assert control.json()["limits"] == "x2"
    assert [api.get("/users/me").status_code for _ in range(11)].count(429) == 1
    sandbox_real_limits.sandbox.set_limits("off")
    assert {api.get("/users/me").status_code for _ in range(30)} == {200}
    bad = httpx.post(f"{sandbox_real_limits.url}/__sandbox__/limits", json={"limits": "fast"})
    assert bad.status_code == 422


def test_error_rate_answers_a_share_of_500_and_503(sandbox_server: RunningSandbox) -> None:
    sandbox_server.sandbox.set_faults(error_rate=0.5, seed=7)
    with httpx.Client(base_url=sandbox_server.api_url, headers=sandbox_server.headers) as api:
        statuses = [api.get("/users/me").status_code for _ in range(200)]
    failures = statuses.count(500) + statuses.count(503)
    assert 70 <= failures <= 130
    assert statuses.count(500) > 20 and statuses.count(503) > 20
    assert set(statuses) == {200, 500, 503}


def test_dropped_connection_is_a_transport_error(sandbox_server: RunningSandbox) -> None:
    control = httpx.post(
        f"{sandbox_server.url}/__sandbox__/faults", json={"drop_rate": 1.0, "seed": 1}
    )
    assert control.status_code == 200
    with (
        httpx.Client(base_url=sandbox_server.api_url, headers=sandbox_server.headers) as api,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        api.get("/users/me")
    httpx.post(f"{sandbox_server.url}/__sandbox__/faults", json={})
    with httpx.Client(base_url=sandbox_server.api_url, headers=sandbox_server.headers) as api:
        assert api.get("/users/me").status_code == 200
    assert sandbox_server.sandbox.dump()["requests"]["dropped"] == 1


def test_429_storm_refuses_everything_until_it_ends(sandbox_server: RunningSandbox) -> None:
    sandbox_server.sandbox.set_faults(storm_429_seconds=1.0)
    with httpx.Client(base_url=sandbox_server.api_url, headers=sandbox_server.headers) as api:
        during = [api.get("/users/me") for _ in range(5)]
        assert {r.status_code for r in during} == {429}
        assert during[0].headers["Retry-After"] == "1"
        time.sleep(1.1)
        assert api.get("/users/me").status_code == 200


def test_forbidden_without_body_and_latency(sandbox_server: RunningSandbox) -> None:
    sandbox_server.sandbox.set_faults(forbidden_no_body=True)
    response = httpx.get(f"{sandbox_server.api_url}/users/me", headers=sandbox_server.headers)
    assert response.status_code == 403
    assert response.content == b"" and "content-type" not in response.headers
    sandbox_server.sandbox.set_faults(latency_ms=150)
    started = time.monotonic()
    assert httpx.get(
        f"{sandbox_server.api_url}/users/me", headers=sandbox_server.headers
    ).is_success
    assert time.monotonic() - started >= 0.15


def test_control_api_resets_and_reports_state(sandbox_server: RunningSandbox) -> None:
    headers = sandbox_server.headers
    httpx.post(
        f"{sandbox_server.api_url}/contact/sync",
        headers=headers,
        json={"contact": {"email": "gus@example.com"}},
    )
    added = httpx.post(
        f"{sandbox_server.url}/__sandbox__/exclusions",
        json={"matchPhrase": "gus@example.com", "matchType": "exact"},
    )
    assert added.status_code == 201
    state = httpx.get(f"{sandbox_server.url}/__sandbox__/state").json()
    assert [c["email"] for c in state["contacts"]] == ["gus@example.com"]
    assert state["requests"]["by_status"]["201"] == 1
    assert sandbox_server.api_key not in str(state)
    httpx.post(f"{sandbox_server.url}/__sandbox__/reset")
    state = sandbox_server.sandbox.dump()
    assert state["contacts"] == [] and state["exclusions"] == []
    assert [g["title"] for g in state["groups"]] == ["Admin"]
