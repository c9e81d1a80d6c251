"""A contact is an email: exclusions and groups hold per email across a campaign, sent for real.

Each test writes a small Customer 360 whose records share addresses, sends the campaign to the
loopback sandbox and reads the lists back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from actui.campaigns.assignment import bucket_of, campaign_seed
from actui.campaigns.store import import_campaign
from actui.sync.models import SendRequest
from actui.sync.runner import run_send
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import list_state

CAMPAIGN_ID = "0f6f7f0e-55aa-4c1e-9d0b-5f1f8a3c2e77"
LISTS = ("Gold", "Rest T")


def campaign() -> dict[str, Any]:
    return {
        "version": 1,
        "id": CAMPAIGN_ID,
        "name": "Identity",
        "audience": {
            "name": "members",
            "conditions": [{"attribute": "in_audience", "operator": "is", "value": 1}],
        },
        "exclusions": [
            {
                "name": "Opted out",
                "conditions": [{"attribute": "opted_out", "operator": "is", "value": 1}],
            }
        ],
        "sub_audiences": [
            {
                "name": "Gold",
                "segment": {
                    "name": "Gold",
                    "conditions": [{"attribute": "tier", "operator": "is", "value": "gold"}],
                },
                "groups": [{"name": "G", "percent": 100, "destination": "sandbox", "list": "Gold"}],
            },
            {
                "name": "Rest",
                "groups": [
                    {"name": "T", "percent": 50, "destination": "sandbox", "list": "Rest T"},
                    {"name": "Control", "percent": 50, "control": True},
                ],
            },
        ],
        "attributes": {"email": "email"},
    }


def rest_keys() -> tuple[int, int]:
    """Two customer keys of sub-audience Rest: the lower held out in Control, the other in T."""
    seed = campaign_seed(CAMPAIGN_ID)
    control = next(key for key in range(10, 500) if bucket_of(seed, key) >= 5000)
    treated = next(key for key in range(control + 1, 900) if bucket_of(seed, key) < 5000)
    return control, treated


def write_db(path: Path, rows: list[tuple[int, str | None, int, int, str]]) -> str:
    """customer_360 (key, email, in_audience, opted_out, tier) and merged_customers (key, email)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE customer_360 (customer_id INTEGER PRIMARY KEY, email TEXT,"
            " in_audience INTEGER, opted_out INTEGER, tier TEXT)"
        )
        db.execute("CREATE TABLE merged_customers (customer_id INTEGER PRIMARY KEY, email TEXT)")
        db.executemany("INSERT INTO customer_360 VALUES (?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO merged_customers VALUES (?, ?)", [r[:2] for r in rows])
    return f"sqlite:///{path}"


def fillers() -> list[tuple[int, str | None, int, int, str]]:
    """Customers with an address of their own: enough for bulk imports to every list."""
    return [
        (2000 + i, f"filler{i}@mail.com", 1, 0, "gold" if i % 2 else "silver") for i in range(40)
    ]


def memberships(sandbox: RunningSandbox) -> dict[str, set[str]]:
    """email -> the lists it is subscribed to."""
    dump = sandbox.sandbox.dump()
    found: dict[str, set[str]] = {}
    for name in LISTS:
        for email, status in list_state(dump, name).items():
            if status == 1:
                found.setdefault(email, set()).add(name)
    return found


def send(tmp_path: Path, rows: list[tuple[int, str | None, int, int, str]]) -> Any:
    db = write_db(tmp_path / "c360.db", rows + fillers())
    import_campaign(campaign())
    summary = run_send(SendRequest(campaign="Identity"), db)
    assert summary.status in ("completed", "partial"), summary
    return summary


def test_an_email_of_an_excluded_customer_is_in_no_list(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # A is excluded and outside the audience; B is in the audience under the same address
    send(tmp_path, [(1, "shared@mail.com", 0, 1, "gold"), (2, " Shared@MAIL.com", 1, 0, "gold")])
    lists = memberships(sandbox)
    assert "filler1@mail.com" in lists  # the send did happen
    assert "shared@mail.com" not in lists
    contacts = {item["email"] for item in sandbox.sandbox.dump()["contacts"]}
    assert "shared@mail.com" not in contacts


def test_an_email_in_two_sub_audiences_is_in_exactly_one_list(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # the lower key is in Rest, the higher in Gold: the first sub-audience (Gold) wins
    send(tmp_path, [(3, "two@mail.com", 1, 0, "silver"), (4, "TWO@mail.com", 1, 0, "gold")])
    assert memberships(sandbox)["two@mail.com"] == {"Gold"}


def test_an_email_held_out_in_control_is_in_no_treatment_list(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    control, treated = rest_keys()
    send(
        tmp_path,
        [(control, "held@mail.com", 1, 0, "silver"), (treated, "held@mail.com", 1, 0, "silver")],
    )
    lists = memberships(sandbox)
    assert "filler1@mail.com" in lists
    assert "held@mail.com" not in lists
