"""Validation against the demo catalog: paths, suggestions, references, loops and composition."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actui.segments.compiler import members_query, segment_condition
from actui.segments.errors import SegmentError
from actui.segments.model import parse_segment
from actui.segments.resolver import DictResolver
from actui.segments.validate import segment_problems, validate_segment
from actui.source import Source


def _segment(conditions: list[dict[str, object]], name: str = "s", match: str = "all") -> object:
    return parse_segment({"version": 1, "name": name, "match": match, "conditions": conditions})


def test_problems_name_the_path_and_the_fix(demo_sqlite_url: str) -> None:
    source = Source.connect(demo_sqlite_url)
    segment = parse_segment(
        {
            "version": 1,
            "name": "broken",
            "conditions": [
                {"attribute": "stat", "operator": "is", "value": "WA"},
                {"attribute": "lifetime_value", "operator": "contains", "value": "5"},
                {
                    "match": "any",
                    "conditions": [
                        {"attribute": "order_count", "operator": "greater than", "value": "3"},
                        {"match": "all", "conditions": []},
                        {"attribute": "last_order_date", "operator": "in the last", "value": 90},
                    ],
                },
                {"segment": "Nope", "operator": "in segment"},
                {"attribute": "state", "operator": "is one of", "value": []},
                {"attribute": "birthdate", "operator": "before", "value": "31/12/1990"},
            ],
        }
    )
    with pytest.raises(SegmentError) as caught:
        validate_segment(segment, source, DictResolver({}))
    problems = {problem.path: problem.message for problem in caught.value.problems}
    assert "'state'" in problems["conditions[0].attribute"]
    assert "did you mean" in problems["conditions[0].attribute"]
    message = problems["conditions[1].operator"]
    assert "number" in message and "greater than" in message and "between" in message
    assert "needs a number" in problems["conditions[2].conditions[0].value"]
    assert "no conditions" in problems["conditions[2].conditions[1]"]
    assert '"unit"' in problems["conditions[2].conditions[2].value"]
    assert "Nope" in problems["conditions[3].segment"]
    assert "non-empty list" in problems["conditions[4].value"]
    assert "YYYY-MM-DD" in problems["conditions[5].value"]
    assert len(caught.value.problems) == 8
    assert "\n  conditions[2].conditions[1]: " in str(caught.value)
    source.dispose()


def test_unknown_table_is_named_with_the_tables(demo_sqlite_url: str) -> None:
    source = Source.connect(demo_sqlite_url)
    segment = parse_segment({"version": 1, "name": "t", "table": "customers_360", "conditions": []})
    problems = segment_problems(segment, source)
    assert problems[0].path == "table"
    assert "customer_360" in problems[0].message
    source.dispose()


def test_loops_between_segments_are_refused(demo_sqlite_url: str) -> None:
    source = Source.connect(demo_sqlite_url)
    a = _segment([{"segment": "b", "operator": "in segment"}], name="a")
    b = _segment([{"segment": "c", "operator": "not in segment"}], name="b")
    c = _segment([{"segment": "a", "operator": "in segment"}], name="c")
    resolver = DictResolver([a, b, c])  # type: ignore[list-item]
    with pytest.raises(SegmentError, match="a -> b -> c -> a"):
        validate_segment(a, source, resolver)  # type: ignore[arg-type]
    with pytest.raises(SegmentError, match="loop"):
        segment_condition(a, source, resolver)  # type: ignore[arg-type]
    source.dispose()


def _count(source: Source, segment: object, resolver: DictResolver) -> int:
    query = members_query(segment, source, resolver).subquery()  # type: ignore[arg-type]
    with source.read_only() as connection:
        return int(connection.execute(select(func.count()).select_from(query)).scalar_one())


def test_not_in_segment_is_the_complement_within_the_parent(demo_source: Source) -> None:
    opted_out = _segment([{"attribute": "email_opt_in", "operator": "is true"}], name="opted in")
    gold = _segment([{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}])
    gold_not_opted = _segment(
        [
            {"attribute": "loyalty_tier", "operator": "is", "value": "GOLD"},
            {"segment": "opted in", "operator": "not in segment"},
        ]
    )
    gold_opted = _segment(
        [
            {"attribute": "loyalty_tier", "operator": "is", "value": "Gold"},
            {"segment": "opted in", "operator": "in segment"},
        ]
    )
    resolver = DictResolver([opted_out])  # type: ignore[list-item]
    total_gold = _count(demo_source, gold, resolver)
    inside = _count(demo_source, gold_opted, resolver)
    outside = _count(demo_source, gold_not_opted, resolver)
    assert total_gold > 0 and inside > 0 and outside > 0
    assert inside + outside == total_gold


def test_a_reference_to_a_sql_segment_is_an_exists_on_the_key(demo_source: Source) -> None:
    sql = parse_segment(
        {
            "version": 1,
            "name": "big spenders",
            "sql": "SELECT customer_id, email FROM customer_360 WHERE lifetime_value > 1000",
        }
    )
    by_rule = _segment([{"attribute": "lifetime_value", "operator": "greater than", "value": 1000}])
    via_reference = _segment(
        [
            {"attribute": "state", "operator": "is", "value": "CA"},
            {"segment": "big spenders", "operator": "in segment"},
        ]
    )
    ca_rule = _segment(
        [
            {"attribute": "state", "operator": "is", "value": "CA"},
            {"attribute": "lifetime_value", "operator": "greater than", "value": 1000},
        ]
    )
    resolver = DictResolver([sql])  # type: ignore[list-item]
    assert _count(demo_source, sql, resolver) == _count(demo_source, by_rule, resolver)
    assert _count(demo_source, via_reference, resolver) == _count(demo_source, ca_rule, resolver)
