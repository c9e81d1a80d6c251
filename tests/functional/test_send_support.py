"""Shared set-up for the send tests (no tests here): a Customer 360 we control, sandbox checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SEGMENT = {
    "name": "members",
    "conditions": [{"attribute": "in_audience", "operator": "is", "value": 1}],
}


@dataclass
class Person:
    customer_id: int
    email: str
    first_name: str
    tier: str
    in_audience: int = 1


def people(count: int, start: int = 1) -> list[Person]:
    return [
        Person(i, f"person{i:05d}@example.com", f"First{i}", ("gold", "silver")[i % 2])
        for i in range(start, start + count)
    ]


def write_customers(path: Path, rows: Iterable[Person]) -> str:
    """(Re)write the Customer 360 at ``path``; returns its URL."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE IF EXISTS customer_360")
        db.execute("DROP TABLE IF EXISTS merged_customers")
        db.execute(
            "CREATE TABLE customer_360 (customer_id INTEGER PRIMARY KEY, email TEXT,"
            " in_audience INTEGER)"
        )
        db.execute(
            "CREATE TABLE merged_customers (customer_id INTEGER PRIMARY KEY, email TEXT,"
            " first_name TEXT, tier TEXT)"
        )
        items = list(rows)
        db.executemany(
            "INSERT INTO customer_360 VALUES (?, ?, ?)",
            [(p.customer_id, p.email, p.in_audience) for p in items],
        )
        db.executemany(
            "INSERT INTO merged_customers VALUES (?, ?, ?, ?)",
            [(p.customer_id, p.email, p.first_name, p.tier) for p in items],
        )
    return f"sqlite:///{path}"


def setup_destination(
    monkeypatch: pytest.MonkeyPatch, url: str, api_key: str, *, verbose: bool = True
) -> None:
    """The env credential pointing at the sandbox, a destination and a saved campaign."""
    from actui.campaigns.store import import_campaign
    from actui.credentials import make_destination, save_destination

    monkeypatch.setenv("ACTUI_AC_URL", url)
    monkeypatch.setenv("ACTUI_AC_KEY", api_key)
    save_destination(
        make_destination(name="sandbox", credential="env", list="Members", verbose_logs=verbose)
    )
    import_campaign(
        {
            "name": "Members",
            "audience": SEGMENT,
            "groups": [
                {"name": "All", "percent": 100, "destination": "sandbox", "list": "Members"}
            ],
            "attributes": {
                "email": "email",
                "first_name": "first_name",
                "field:Loyalty Tier": "tier",
            },
        }
    )


def list_state(dump: dict[str, Any], list_name: str = "Members") -> dict[str, int]:
    """email -> membership status on the list, from a sandbox dump."""
    lists = [item for item in dump["lists"] if item["name"] == list_name]
    if not lists:
        return {}
    list_id = lists[0]["id"]
    emails = {c["id"]: c["email"] for c in dump["contacts"]}
    return {
        emails[m["contact_id"]]: m["status"] for m in dump["memberships"] if m["list_id"] == list_id
    }


def subscribed(dump: dict[str, Any], list_name: str = "Members") -> set[str]:
    return {e for e, status in list_state(dump, list_name).items() if status == 1}


def contact(dump: dict[str, Any], email: str) -> dict[str, Any] | None:
    for item in dump["contacts"]:
        if item["email"] == email:
            return dict(item)
    return None
