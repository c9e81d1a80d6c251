"""Campaign results: a real send freezes its groups, then outcomes are counted against them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from actui.cli import cli
from actui.results.membership import (
    record_membership,
    recorded_run,
    result_groups_table,
    result_members_table,
    result_runs_table,
)
from actui.state import state_engine
from actui.sync.models import SendRequest
from actui.sync.runner import run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import people, write_customers

OUTCOME = {
    "table": "orders",
    "customer_key": "customer_id",
    "date": "order_date",
    "value": "amount",
    "window_days": 30,
}


def promo(outcome: dict[str, Any] | None = OUTCOME, control: float = 50) -> dict[str, Any]:
    campaign: dict[str, Any] = {
        "name": "Promo",
        "audience": {
            "name": "members",
            "conditions": [{"attribute": "in_audience", "operator": "is", "value": 1}],
        },
        "groups": [
            {
                "name": "Treatment",
                "percent": 100 - control,
                "destination": "sandbox",
                "list": "Promo",
            },
            {"name": "Control", "percent": control, "control": True},
        ],
    }
    if outcome is not None:
        campaign["outcome"] = outcome
    return campaign


def save(campaign: dict[str, Any]) -> None:
    from actui.campaigns.store import import_campaign

    import_campaign(campaign)


@dataclass
class Sent:
    db_path: Path
    db_url: str
    run_id: str
    sent_day: date
    members: dict[str, list[int]]  # group -> customer ids, sorted


def recorded_members(run_id: str) -> dict[str, list[int]]:
    engine = state_engine()
    with engine.connect() as conn:
        rows = conn.execute(
            select(result_groups_table.c.name, result_members_table.c.customer_key)
            .join(
                result_members_table,
                result_members_table.c.group_id == result_groups_table.c.id,
            )
            .where(result_groups_table.c.run_id == run_id)
        ).all()
    members: dict[str, list[int]] = {}
    for name, key in rows:
        members.setdefault(name, []).append(int(key))
    return {name: sorted(keys) for name, keys in members.items()}


def write_orders(path: Path, rows: list[tuple[int, str, float]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE IF EXISTS orders")
        db.execute(
            "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER,"
            " order_date DATE, amount REAL)"
        )
        db.executemany(
            "INSERT INTO orders (customer_id, order_date, amount) VALUES (?, ?, ?)", rows
        )


def send(tmp_path: Path, count: int, campaign: dict[str, Any]) -> Sent:
    path = tmp_path / "c360.db"
    url = write_customers(path, people(count))
    write_orders(path, [])
    save(campaign)
    summary = run_send(SendRequest(campaign="Promo"), url)
    assert summary.status == "completed", summary
    with state_engine().connect() as conn:
        run = recorded_run(conn, summary.run_id)
    assert run is not None
    sent_day = datetime.fromtimestamp(run.sent_at, UTC).date()
    return Sent(path, url, summary.run_id, sent_day, recorded_members(summary.run_id))


def results(*args: str) -> tuple[int, dict[str, Any] | None, str]:
    outcome = CliRunner().invoke(cli, ["campaigns", "results", *args])
    data = json.loads(outcome.stdout) if outcome.exit_code == 0 and "--json" in args else None
    return outcome.exit_code, data, outcome.output


@pytest.fixture
def planted(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[tuple[Sent, dict[str, Any]]]:
    """About 10,000 members per group; 12 % of treatment and 8 % of control convert after the
    send, each with known amounts; earlier and later orders that must not count."""
    sent = send(tmp_path, 20_000, promo())
    treated, control = sent.members["Treatment"], sent.members["Control"]
    day = sent.sent_day
    orders: list[tuple[int, str, float]] = []
    converters = {
        "Treatment": treated[: round(len(treated) * 0.12)],
        "Control": control[: round(len(control) * 0.08)],
    }
    for name, keys in converters.items():
        for i, key in enumerate(keys):
            amount = 40.0 if name == "Treatment" else 30.0
            orders.append((key, (day + timedelta(days=1 + i % 20)).isoformat(), amount))
            if i % 4 == 0:  # a second order: one converter, value summed
                orders.append((key, (day + timedelta(days=2)).isoformat(), 10.0))
    # before the send, and after the window: never counted
    for key in treated[-3000:] + control[-3000:]:
        orders.append((key, (day - timedelta(days=1)).isoformat(), 99.0))
        orders.append((key, (day + timedelta(days=31)).isoformat(), 99.0))
    write_orders(sent.db_path, orders)
    expected: dict[str, Any] = {}
    for name, keys in converters.items():
        amount = 40.0 if name == "Treatment" else 30.0
        total = len(keys) * amount + 10.0 * len(range(0, len(keys), 4))
        members = len(sent.members[name])
        expected[name] = {
            "members": members,
            "converters": len(keys),
            "conversion_rate": len(keys) / members,
            "value_per_member": total / members,
        }
    yield sent, expected


@pytest.mark.slow
def test_groups_and_lift_equal_hand_computation(planted: tuple[Sent, dict[str, Any]]) -> None:
    sent, expected = planted
    assert 9_500 < expected["Control"]["members"] < 10_500  # the 50/50 split of 20,000
    code, data, output = results("Promo", "--db", sent.db_url, "--json")
    assert code == 0, output
    assert data is not None
    assert data["run_id"] == sent.run_id
    by_group = {g["group"]: g for g in data["groups"]}
    assert by_group["Control"]["control"] and not by_group["Treatment"]["control"]
    for name, figures in expected.items():
        got = by_group[name]
        assert got["members"] == figures["members"]
        assert got["converters"] == figures["converters"]
        assert got["conversion_rate"] == pytest.approx(figures["conversion_rate"])
        assert got["value_per_member"] == pytest.approx(figures["value_per_member"])
    (lift,) = data["lift"]
    assert (lift["group"], lift["vs"]) == ("Treatment", "Control")
    planted_diff = expected["Treatment"]["conversion_rate"] - expected["Control"]["conversion_rate"]
    assert lift["conversion_rate_diff"] == pytest.approx(planted_diff)
    low, high = lift["ci95"]
    assert low < 0.04 < high and low > 0  # covers the planted 4 points, excludes no effect
    assert lift["significant"] is True
    assert lift["relative_lift"] == pytest.approx(
        planted_diff / expected["Control"]["conversion_rate"]
    )
    value_diff = expected["Treatment"]["value_per_member"] - expected["Control"]["value_per_member"]
    assert lift["value_per_member_diff"] == pytest.approx(value_diff)
    assert lift["value_ci95"][0] < value_diff < lift["value_ci95"][1]
    # sent today with a 30-day window: still open, and it says so
    assert data["window"]["open"] and data["window"]["days_left"] in (30, 31)
    assert any("29 day" in w or "30 day" in w or "31 day" in w for w in data["warnings"])

    code, _, text = results("Promo", "--db", sent.db_url)
    assert code == 0
    assert "Treatment vs Control" in text and "significant" in text


@pytest.mark.slow
def test_orders_before_the_send_do_not_count(planted: tuple[Sent, dict[str, Any]]) -> None:
    sent, expected = planted
    # every member also ordered the day before the send: nothing changes
    before = (sent.sent_day - timedelta(days=1)).isoformat()
    with sqlite3.connect(sent.db_path) as db:
        db.executemany(
            "INSERT INTO orders (customer_id, order_date, amount) VALUES (?, ?, ?)",
            [(key, before, 5.0) for keys in sent.members.values() for key in keys],
        )
    _, data, _ = results("Promo", "--db", sent.db_url, "--json")
    assert data is not None
    for group in data["groups"]:
        assert group["converters"] == expected[group["group"]]["converters"]
    # a 1-day window keeps only orders of the send day and the day after the send
    _, narrow, _ = results("Promo", "--db", sent.db_url, "--window", "1", "--json")
    assert narrow is not None
    assert all(g["converters"] == 0 for g in narrow["groups"])


def test_membership_is_frozen_and_recorded_once(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sent = send(tmp_path, 400, promo())
    assert sum(len(keys) for keys in sent.members.values()) == 400  # control recorded too
    assert set(sent.members) == {"Treatment", "Control"} and sent.members["Control"]
    # the Customer 360 changes: newcomers, and members who leave the audience
    crowd = people(500)
    for person in crowd[:100]:
        person.in_audience = 0
    write_customers(sent.db_path, crowd)
    assert recorded_members(sent.run_id) == sent.members
    code, data, _ = results("Promo", "--db", sent.db_url, "--json")
    assert code == 0 and data is not None
    assert sum(g["members"] for g in data["groups"]) == 400

    # recording a run again (as a resumed run would) writes nothing
    from actui.campaigns.plan import build_plan
    from actui.campaigns.store import get_campaign
    from actui.segments.store import SavedSegmentResolver
    from actui.source import Source

    source = Source.connect(sent.db_url)
    try:
        plan = build_plan(get_campaign("Promo"), source, SavedSegmentResolver())
        again = record_membership(state_engine(), sent.run_id, plan, [])
    finally:
        source.dispose()
    assert again is False
    assert recorded_members(sent.run_id) == sent.members
    with state_engine().connect() as conn:
        assert conn.execute(select(result_runs_table.c.run_id)).scalars().all() == [sent.run_id]


def test_bad_outcomes_and_unsent_campaigns_are_one_clear_sentence(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    url = write_customers(tmp_path / "c360.db", people(50))
    write_orders(tmp_path / "c360.db", [])
    save(promo(outcome={"table": "orders", "value": "revenue"}))
    code, _, output = results("Promo", "--db", url)
    assert code == 2
    assert "never sent" in output and "actui send Promo" in output

    assert run_send(SendRequest(campaign="Promo"), url).status == "completed"
    code, _, output = results("Promo", "--db", url)
    assert code == 2
    assert "no value column 'revenue'" in output
    assert "customer_id, order_date, amount" in output  # names the columns there are
    assert output.count("\n") == 1

    save(promo(outcome={"table": "order", "date": "order_date"}))
    code, _, output = results("Promo", "--db", url)
    assert code == 2 and "no table 'order'" in output and "orders" in output

    code, _, output = results("Promo", "--db", url, "--run", "nope")
    assert code == 2 and "no run 'nope'" in output


def test_the_outcome_is_detected_or_given_as_sql(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sent = send(tmp_path, 300, promo(outcome=None))
    treated = sent.members["Treatment"]
    after = (sent.sent_day + timedelta(days=3)).isoformat()
    write_orders(sent.db_path, [(key, after, 20.0) for key in treated[:30]])
    code, detected, output = results("Promo", "--db", sent.db_url, "--json")
    assert code == 0, output
    assert detected is not None and detected["outcome"] == "orders.order_date, value amount"
    assert {g["group"]: g["converters"] for g in detected["groups"]} == {
        "Treatment": 30,
        "Control": 0,
    }
    save(
        promo(
            outcome={
                "sql": "SELECT customer_id AS customer_key, order_date AS date, amount * 2 AS "
                "value FROM orders",
                "window_days": 7,
            }
        )
    )
    code, by_sql, output = results("Promo", "--db", sent.db_url, "--json")
    assert code == 0, output
    assert by_sql is not None and by_sql["window"]["days"] == 7
    treated_group = next(g for g in by_sql["groups"] if g["group"] == "Treatment")
    assert treated_group["converters"] == 30
    assert treated_group["value_per_member"] == pytest.approx(30 * 40.0 / len(treated))


@pytest.fixture
def own_pg_url(pg_url: str) -> Iterator[str]:
    """A database of its own on the test server (the session's holds the shared demo tables)."""
    import secrets

    import psycopg
    import sqlalchemy as sa

    server = sa.make_url(pg_url)
    name = f"actui_results_{secrets.token_hex(4)}"
    admin_url = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgresql_gives_the_same_results_as_sqlite(
    sandbox: RunningSandbox, tmp_path: Path, own_pg_url: str
) -> None:
    """The same customers and orders in PostgreSQL: the members join there (keys as text split
    by PostgreSQL), and every figure equals SQLite's and the copy-to-state path's."""
    import sqlalchemy as sa

    sent = send(tmp_path, 3000, promo())
    treated, control = sent.members["Treatment"], sent.members["Control"]
    after = sent.sent_day + timedelta(days=2)
    orders = [(key, after.isoformat(), 10.0 + key % 7) for key in treated[::5] + control[::9]]
    orders += [(key, (sent.sent_day - timedelta(days=2)).isoformat(), 50.0) for key in treated]
    write_orders(sent.db_path, orders)
    engine = sa.create_engine(own_pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE customer_360 (customer_id INTEGER PRIMARY KEY, email TEXT,"
            " in_audience INTEGER)"
        )
        conn.exec_driver_sql(
            "CREATE TABLE orders (order_id SERIAL PRIMARY KEY, customer_id INTEGER,"
            " order_date DATE, amount DOUBLE PRECISION)"
        )
        conn.execute(
            sa.text("INSERT INTO orders (customer_id, order_date, amount) VALUES (:k, :d, :a)"),
            [{"k": k, "d": date.fromisoformat(d), "a": a} for k, d, a in orders],
        )
    engine.dispose()
    _, on_sqlite, _ = results("Promo", "--db", sent.db_url, "--json")
    code, on_postgres, output = results("Promo", "--db", own_pg_url, "--json")
    assert code == 0, output
    assert on_sqlite is not None and on_postgres is not None
    assert on_postgres["groups"] == on_sqlite["groups"]
    assert on_postgres["lift"] == on_sqlite["lift"]
    assert {g["group"]: g["converters"] for g in on_postgres["groups"]} == {
        "Treatment": len(treated[::5]),
        "Control": len(control[::9]),
    }

    # the path of any other database (outcome sums copied into the state database) agrees
    from actui.campaigns.model import Outcome
    from actui.results.compute import totals_by_sql_in_state
    from actui.results.outcome import resolve_outcome, window_after
    from actui.source import Source

    with state_engine().connect() as conn:
        run = recorded_run(conn, sent.run_id)
    assert run is not None
    source = Source.connect(own_pg_url)
    try:
        outcome = resolve_outcome(source, Outcome(**OUTCOME), "customer_id")
        window = window_after(run.sent_at, 30, outcome.date_kind)
        copied = totals_by_sql_in_state(
            source, state_engine(), outcome, window, [g.id for g in run.groups]
        )
    finally:
        source.dispose()
    by_name = {g.name: copied[g.id] for g in run.groups}
    for group in on_postgres["groups"]:
        assert by_name[group["group"]].converters == group["converters"]
        assert by_name[group["group"]].members == group["members"]


@pytest.mark.slow
def test_the_demo_sample_campaign_shows_the_planted_lift(tmp_path: Path) -> None:
    """The demo's orders carry 12 % against 8 % after the sample send: Results shows it."""
    from actui.demo.data import write_demo_sqlite
    from actui.demo.sample_send import save_sample_campaign

    path = tmp_path / "demo.db"
    write_demo_sqlite(path, 20_000, 42)
    url = f"sqlite:///{path}"
    save_sample_campaign(url)
    save_sample_campaign(url)  # once: the second call records nothing more
    with state_engine().connect() as conn:
        assert len(conn.execute(select(result_runs_table.c.run_id)).all()) == 1
    code, data, output = results("Autumn offer", "--db", url, "--json")
    assert code == 0, output
    assert data is not None
    assert data["sent_at"] == "2026-10-01T09:00:00Z" and not data["window"]["open"]
    rates = {g["group"]: g["conversion_rate"] for g in data["groups"]}
    assert 0.10 < rates["Offer"] < 0.14 and 0.05 < rates["Control"] < 0.11
    (lift,) = data["lift"]
    assert lift["significant"] and lift["ci95"][0] > 0


def test_a_timestamp_outcome_counts_from_the_moment_of_the_send(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sent = send(
        tmp_path,
        200,
        promo(outcome={"table": "visits", "customer_key": "customer_id", "window_days": 2}),
    )
    with state_engine().connect() as conn:
        run = recorded_run(conn, sent.run_id)
    assert run is not None
    moment = datetime.fromtimestamp(run.sent_at, UTC).replace(tzinfo=None)
    treated = sent.members["Treatment"]

    def stamp(delta: timedelta) -> str:
        return (moment + delta).isoformat(sep=" ")

    with sqlite3.connect(sent.db_path) as db:
        db.execute("CREATE TABLE visits (customer_id INTEGER, visited_at DATETIME)")
        db.executemany(
            "INSERT INTO visits VALUES (?, ?)",
            [
                (treated[0], stamp(timedelta(minutes=-1))),  # before the send, the same day
                (treated[1], stamp(timedelta(minutes=1))),  # just after it
                (treated[2], stamp(timedelta(days=2, minutes=-1))),  # at the window's end
                (treated[3], stamp(timedelta(days=2, minutes=1))),  # after the window
            ],
        )
    code, data, output = results("Promo", "--db", sent.db_url, "--json")
    assert code == 0, output
    assert data is not None and data["outcome"] == "visits.visited_at"
    converted = {g["group"]: g["converters"] for g in data["groups"]}
    assert converted == {"Treatment": 2, "Control": 0}
    assert any("no value column" in warning for warning in data["warnings"])
    assert all(g["value_per_member"] is None for g in data["groups"])


def test_members_without_a_customer_key_are_matched_on_their_email(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A Customer 360 with no key: members are recorded by email, outcomes matched on it."""
    path = tmp_path / "keyless.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customer_360 (email TEXT, in_audience INTEGER)")
        db.executemany(
            "INSERT INTO customer_360 VALUES (?, 1)", [(f"P{i}@Example.com",) for i in range(60)]
        )
        db.execute("CREATE TABLE orders (email TEXT, order_date DATE, amount REAL)")
    save(promo(outcome={"window_days": 30}))
    summary = run_send(SendRequest(campaign="Promo"), f"sqlite:///{path}")
    assert summary.status == "completed", summary
    with state_engine().connect() as conn:
        run = recorded_run(conn, summary.run_id)
    assert run is not None
    day = datetime.fromtimestamp(run.sent_at, UTC).date() + timedelta(days=1)
    buyers = [f" p{i}@EXAMPLE.com" for i in range(0, 60, 3)]  # another spelling of 20 members
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, 10.0)", [(email, day.isoformat()) for email in buyers]
        )
    code, data, output = results("Promo", "--db", f"sqlite:///{path}", "--json")
    assert code == 0, output
    assert data is not None
    groups = {group["group"]: group for group in data["groups"]}
    assert sum(group["members"] for group in groups.values()) == 60
    assert sum(group["converters"] for group in groups.values()) == len(buyers)
