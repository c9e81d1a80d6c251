"""The segment file model, operator lists, relative dates, LIKE escaping and the SQL-mode checks."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest

from actui.segments.case import spellings
from actui.segments.dates import relative_range, shift
from actui.segments.errors import SegmentError
from actui.segments.insights import bucket_edges
from actui.segments.model import (
    Group,
    RuleSegment,
    SegmentReference,
    SqlSegment,
    load_segment_file,
    parse_segment,
    segment_to_json,
)
from actui.segments.operators import operators_for

ISSUE_EXAMPLE = {
    "version": 1,
    "name": "West coast, high value",
    "table": "customer_360",
    "match": "all",
    "conditions": [
        {"attribute": "state", "operator": "is one of", "value": ["WA", "OR", "CA"]},
        {"attribute": "lifetime_value", "operator": "greater than", "value": 500},
        {
            "match": "any",
            "conditions": [
                {
                    "attribute": "last_order_date",
                    "operator": "in the last",
                    "value": {"amount": 90, "unit": "days"},
                },
                {"attribute": "loyalty_tier", "operator": "is", "value": "gold"},
            ],
        },
        {"segment": "Opted out of email", "operator": "not in segment"},
    ],
}


def test_the_issue_example_parses_and_round_trips(tmp_path: Path) -> None:
    file = tmp_path / "west.json"
    file.write_text(json.dumps(ISSUE_EXAMPLE), encoding="utf-8")
    segment = load_segment_file(file)
    assert isinstance(segment, RuleSegment)
    assert isinstance(segment.conditions[2], Group)
    assert segment.conditions[2].match == "any"
    assert isinstance(segment.conditions[3], SegmentReference)
    assert json.loads(segment_to_json(segment)) == ISSUE_EXAMPLE


def test_sql_segment_parses() -> None:
    segment = parse_segment({"version": 1, "name": "q", "sql": "SELECT email FROM t"})
    assert isinstance(segment, SqlSegment)
    assert json.loads(segment_to_json(segment)) == {
        "version": 1,
        "name": "q",
        "sql": "SELECT email FROM t",
    }


def test_structural_errors_name_the_condition_path() -> None:
    bad = {
        "version": 1,
        "name": "x",
        "conditions": [
            {"attribute": "state", "operator": "is", "value": "WA"},
            {"match": "sometimes", "conditions": [{"atribute": "x", "operator": "is"}]},
            {"segment": "y", "operator": "within"},
        ],
    }
    with pytest.raises(SegmentError) as caught:
        parse_segment(bad)
    text = str(caught.value)
    paths = {problem.path for problem in caught.value.problems}
    assert "conditions[1].match" in paths
    assert "conditions[1].conditions[0].atribute" in paths
    assert "conditions[2].operator" in paths
    assert "'all', 'any' or 'none'" in text
    assert "\n  conditions[1].conditions[0].atribute: unknown key" in text


def test_wrong_version_and_bad_json_are_explained(tmp_path: Path) -> None:
    with pytest.raises(SegmentError, match="version 1"):
        parse_segment({"version": 2, "name": "x", "conditions": []})
    file = tmp_path / "broken.json"
    file.write_text('{"name": "x",', encoding="utf-8")
    with pytest.raises(SegmentError, match="not valid JSON"):
        load_segment_file(file)


def test_operators_per_kind() -> None:
    assert operators_for("string")[:2] == ["is", "is not"]
    assert "contains" in operators_for("string")
    assert "between" in operators_for("number") and "contains" not in operators_for("number")
    assert "in the last" in operators_for("datetime")
    assert operators_for("boolean") == ["is true", "is false", "is empty", "is not empty"]


def test_months_clamp_to_month_end() -> None:
    assert shift(date(2025, 3, 31), -1, "months") == date(2025, 2, 28)
    assert shift(date(2024, 2, 29), 1, "years") == date(2025, 2, 28)
    assert shift(date(2025, 1, 15), -2, "weeks") == date(2025, 1, 1)


def test_relative_ranges() -> None:
    today = date(2026, 11, 1)
    assert relative_range("in the last", 90, "days", today) == (date(2026, 8, 3), today)
    assert relative_range("in the next", 1, "months", today) == (today, date(2026, 12, 1))
    assert relative_range("older than", 1, "years", today) == (None, date(2025, 10, 31))


def test_spellings_cover_every_case() -> None:
    assert spellings("ca") == ["CA", "Ca", "cA", "ca"]
    assert spellings("a-1") == ["A-1", "a-1"]
    assert spellings("é") is None


def test_bucket_edges_cover_the_range_with_round_steps() -> None:
    edges = bucket_edges(3.2, 987.0, integers=False)
    assert edges[0] <= 3.2 and edges[-1] > 987.0
    assert 6 <= len(edges) - 1 <= 10
    steps = {round(b - a, 6) for a, b in itertools.pairwise(edges)}
    assert len(steps) == 1
    assert bucket_edges(0, 3, integers=True) == [0, 1, 2, 3, 4]
