"""One accounting everywhere: count, preview, dry run, send summary and the rejected report agree.

For each segment or campaign, ``customers = contacts + duplicate_email + missing_email +
invalid_email (+ excluded)`` under these names in every ``--json`` output, with the same figures,
and the rejected report holds one row per set-aside row with its ``reason_code``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from actui.cli import cli
from tests.fixtures.sandbox import RunningSandbox

TERMS = ("customers", "contacts", "duplicate_email", "missing_email", "invalid_email")
SET_ASIDE = ("duplicate_email", "missing_email", "invalid_email")

WEST = {
    "version": 1,
    "name": "West coast",
    "conditions": [{"attribute": "state", "operator": "is one of", "value": ["CA", "WA", "OR"]}],
}
GOLD = {
    "version": 1,
    "name": "Gold",
    "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
}
OPTED_OUT = {
    "version": 1,
    "name": "Opted out",
    "conditions": [{"attribute": "email_opt_in", "operator": "is false"}],
}
BIG = {
    "version": 1,
    "name": "Big spenders",
    "conditions": [{"attribute": "lifetime_value", "operator": "greater than", "value": 1000}],
}
TEXAS_SQL = {
    "version": 1,
    "name": "Texas by SQL",
    "sql": "SELECT customer_id, email FROM customer_360 WHERE state = 'TX'",
}
SEGMENTS = [WEST, GOLD, OPTED_OUT, BIG, TEXAS_SQL]

CAMPAIGNS: list[dict[str, Any]] = [
    {
        "version": 1,
        "id": "5d1e1f3a-9a51-4c1e-8f7e-1f6c3b7a9e01",
        "name": "West promo",
        "audience": WEST,
        "exclusions": [OPTED_OUT],
        "sub_audiences": [
            {
                "name": "Gold",
                "segment": GOLD,
                "groups": [
                    {"name": "A", "percent": 50, "destination": "sandbox"},
                    {"name": "B", "percent": 40, "destination": "sandbox"},
                    {"name": "Control", "percent": 10, "control": True},
                ],
            },
            {"name": "Rest", "groups": [{"name": "All", "percent": 100, "destination": "sandbox"}]},
        ],
        "attributes": {"email": "email", "first_name": "given_name"},
    },
    {
        "version": 1,
        "id": "5d1e1f3a-9a51-4c1e-8f7e-1f6c3b7a9e02",
        "name": "Everyone but big spenders",
        "audience": {"version": 1, "name": "Everyone", "conditions": []},
        "exclusions": [BIG],
        "groups": [
            {"name": "T", "percent": 90, "destination": "sandbox"},
            {"name": "Control", "percent": 10, "control": True},
        ],
        "attributes": {"email": "email"},
    },
]


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def json_of(*args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
    result = run(*args, "--json")
    assert result.exit_code in codes, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def terms_of(data: dict[str, Any], *, excluded: bool) -> dict[str, int]:
    names = (*TERMS, "excluded") if excluded else TERMS
    return {name: int(data[name]) for name in names}


def balanced(terms: dict[str, int]) -> bool:
    parts = ["contacts", *SET_ASIDE, *(["excluded"] if "excluded" in terms else [])]
    return terms["customers"] == sum(terms[name] for name in parts)


def reported(run_id: str) -> Counter[str]:
    """The rejected report's rows by reason code (refusals apart: the sandbox refuses none)."""
    detail = json_of("runs", run_id)
    assert all(row["reason"] for row in detail["rejected"])
    return Counter(row["reason_code"] for row in detail["rejected"])


def sent_terms(dry: dict[str, Any], summary: dict[str, Any], *, excluded: bool) -> dict[str, int]:
    """The dry run's and the send summary's terms, which must be the same."""
    assert dry["accounting"] == summary["accounting"]
    return terms_of(summary["accounting"], excluded=excluded)


@pytest.mark.parametrize("segment", SEGMENTS, ids=[s["name"] for s in SEGMENTS])
def test_a_segment_counts_the_same_everywhere(
    segment: dict[str, Any], demo_sqlite_url: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    file = tmp_path / "segment.json"
    file.write_text(json.dumps(segment), encoding="utf-8")
    counted = terms_of(json_of("count", str(file), "--db", demo_sqlite_url), excluded=False)
    assert balanced(counted) and counted["contacts"] > 0

    send = ["send", "--segment", str(file), "--destination", "sandbox", "--db", demo_sqlite_url]
    dry = json_of(*send, "--list", segment["name"], "--dry-run")
    summary = json_of(*send, "--list", segment["name"], codes=(0, 1))
    assert summary["source_name"] == segment["name"]  # the segment's name, not the file's
    terms = sent_terms(dry, summary, excluded=True)
    assert terms == {**counted, "excluded": 0}
    rows = reported(summary["run_id"])
    assert rows == Counter({code: terms[code] for code in SET_ASIDE if terms[code]})
    assert summary["sent"] == dry["counts"]["subscribe"] == terms["contacts"]


@pytest.mark.parametrize("campaign", CAMPAIGNS, ids=[c["name"] for c in CAMPAIGNS])
def test_a_campaign_counts_the_same_everywhere(
    campaign: dict[str, Any], demo_sqlite_url: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    file = tmp_path / "campaign.json"
    file.write_text(json.dumps(campaign), encoding="utf-8")
    assert run("campaigns", "import", str(file)).exit_code == 0
    name = campaign["name"]
    previewed = json_of("campaigns", "preview", name, "--db", demo_sqlite_url)
    terms = terms_of(previewed, excluded=True)
    assert balanced(terms) and terms["excluded"] > 0 and terms["contacts"] > 0

    dry = json_of("send", name, "--db", demo_sqlite_url, "--dry-run")
    summary = json_of("send", name, "--db", demo_sqlite_url, codes=(0, 1))
    assert sent_terms(dry, summary, excluded=True) == terms
    # every set-aside row is reported once, held-out groups' rows included
    rows = reported(summary["run_id"])
    assert rows == Counter({code: terms[code] for code in SET_ASIDE if terms[code]})
    assert summary["sent"] == previewed["to_send"]
