"""Insights over the demo data agree with the same figures computed from the rows in Python."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from actui.campaigns.emails import check_email
from actui.segments.insights import (
    Cancelled,
    audience_size,
    breakdown,
    condition_sizes,
    sample_rows,
)
from actui.segments.model import RuleSegment, parse_segment
from actui.source import Source

SEGMENT: dict[str, Any] = {
    "version": 1,
    "name": "coastal regulars",
    "as_of": "2026-11-01",
    "conditions": [
        {"attribute": "state", "operator": "is one of", "value": ["ca", "WA", "Or", "NY"]},
        {"attribute": "order_count", "operator": "at least", "value": 2},
        {
            "match": "any",
            "conditions": [
                {
                    "attribute": "last_order_date",
                    "operator": "in the last",
                    "value": {"amount": 1, "unit": "years"},
                },
                {"attribute": "loyalty_tier", "operator": "is", "value": "gold"},
            ],
        },
    ],
}


def _rows(source: Source) -> list[dict[str, Any]]:
    table = source.table("customer_360")
    with source.read_only() as connection:
        return [dict(row._mapping) for row in connection.execute(select(table))]


def _selected(row: dict[str, Any]) -> bool:
    state = (row["state"] or "").lower() in {"ca", "wa", "or", "ny"}
    orders = row["order_count"] is not None and row["order_count"] >= 2
    recent = row["last_order_date"] is not None and row["last_order_date"] >= date(2025, 11, 1)
    recent = recent and row["last_order_date"] <= date(2026, 11, 1)
    gold = (row["loyalty_tier"] or "").lower() == "gold"
    return state and orders and (recent or gold)


def _email_reason(email: str | None) -> str | None:
    """Why a send rejects ``email`` (None when it is sent): the campaigns rule, in Python."""
    reason = check_email(email)[1]
    if reason is None and not (email or "").isascii():
        return "invalid email: has non-ASCII characters"
    return reason


def test_audience_size_matches_python(demo_source: Source) -> None:
    segment = parse_segment(SEGMENT)
    rows = _rows(demo_source)
    members = [row for row in rows if _selected(row)]
    size = audience_size(segment, demo_source)
    reasons = Counter(_email_reason(row["email"]) for row in members)
    valid = {check_email(row["email"])[0] for row in members if not _email_reason(row["email"])}
    assert size.customers == len(members) > 0
    assert size.total == len(rows)
    assert size.contacts == len(valid)
    assert size.contacts < size.customers
    assert (size.missing_email + size.invalid_email) == sum(
        n for reason, n in reasons.items() if reason
    )
    assert (size.missing_email + size.invalid_email) > 0
    assert size.invalid_reasons == {
        reason: count for reason, count in reasons.items() if reason is not None
    }
    assert size.share == pytest.approx(len(members) / len(rows))


def test_condition_sizes_count_each_top_level_condition_alone(demo_source: Source) -> None:
    segment = parse_segment(SEGMENT)
    rows = _rows(demo_source)
    sizes = condition_sizes(segment, demo_source)
    assert [item.path for item in sizes] == ["conditions[0]", "conditions[1]", "conditions[2]"]
    assert sizes[0].label == "state is one of ca, WA, Or, NY"
    states = sum(1 for row in rows if (row["state"] or "").lower() in {"ca", "wa", "or", "ny"})
    orders = sum(1 for row in rows if (row["order_count"] or 0) >= 2)
    assert sizes[0].customers == states
    assert sizes[1].customers == orders
    assert all(item.customers >= audience_size(segment, demo_source).customers for item in sizes)


def test_breakdowns_split_every_member(demo_source: Source) -> None:
    segment = parse_segment(SEGMENT)
    rows = [row for row in _rows(demo_source) if _selected(row)]
    by_city = breakdown(segment, demo_source, None, "city", top=3)
    cities = Counter(row["city"] for row in rows)
    top_counts = sorted(cities.values(), reverse=True)[:3]
    assert [row.customers for row in by_city.rows] == top_counts
    assert all(cities[row.value] == row.customers for row in by_city.rows)
    assert by_city.other == len(rows) - sum(top_counts)
    by_value = breakdown(segment, demo_source, None, "lifetime_value")
    assert sum(row.customers for row in by_value.rows) == len(rows)
    assert 4 <= len(by_value.rows) <= 12
    by_year = breakdown(segment, demo_source, None, "birthdate")
    years = Counter(row["birthdate"].year if row["birthdate"] else None for row in rows)
    assert {row.value: row.customers for row in by_year.rows} == years
    assert by_year.other == 0


def test_samples_are_stable_and_belong_to_the_segment(demo_source: Source) -> None:
    segment = parse_segment(SEGMENT)
    first = sample_rows(segment, demo_source, None, 20)
    again = sample_rows(segment, demo_source, None, 20)
    assert first == again and len(first.rows) == 20
    keys = [row[first.columns.index("customer_id")] for row in first.rows]
    members = sorted(row["customer_id"] for row in _rows(demo_source) if _selected(row))
    assert keys == members[:20]


def test_a_cancelled_count_stops(demo_source: Source) -> None:
    segment = parse_segment(SEGMENT)
    assert isinstance(segment, RuleSegment)
    with pytest.raises(Cancelled):
        audience_size(segment, demo_source, is_cancelled=lambda: True)
    with pytest.raises(Cancelled):
        condition_sizes(segment, demo_source, is_cancelled=lambda: True)
