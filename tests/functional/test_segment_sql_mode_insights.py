"""SQL-mode segments in insights: the right members, and the query run once, not once per row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from actui.campaigns.emails import normalize_email
from actui.segments.compiler import segment_condition
from actui.segments.insights import audience_size, breakdown, condition_sizes, sample_rows
from actui.segments.model import Segment, SqlSegment, parse_segment
from actui.segments.resolver import DictResolver
from actui.source import Source

BY_KEY = SqlSegment(
    name="wa by key", sql="SELECT customer_id, email FROM customer_360 WHERE state = 'WA'"
)
BY_EMAIL = SqlSegment(name="wa by email", sql="SELECT email FROM customer_360 WHERE state = 'WA'")


def _rows(source: Source) -> list[dict[str, Any]]:
    with source.read_only() as connection:
        table = source.table("customer_360")
        return [dict(row._mapping) for row in connection.execute(select(table))]


def _expected_members(source: Source, segment: SqlSegment) -> list[dict[str, Any]]:
    rows = _rows(source)
    wa = [row for row in rows if row["state"] == "WA"]
    if segment is BY_KEY:
        keys = {row["customer_id"] for row in wa}
        return [row for row in rows if row["customer_id"] in keys]
    emails = {normalize_email(row["email"]) for row in wa if row["email"] is not None}
    return [
        row for row in rows if row["email"] is not None and normalize_email(row["email"]) in emails
    ]


@pytest.mark.parametrize("segment", [BY_KEY, BY_EMAIL], ids=["by key", "by email"])
def test_breakdowns_and_samples_of_a_sql_segment_hold_its_members(
    demo_source: Source, segment: SqlSegment
) -> None:
    members = _expected_members(demo_source, segment)
    split = breakdown(segment, demo_source, None, "loyalty_tier", top=10)
    assert split.members == len(members) > 0
    tiers = Counter(row["loyalty_tier"] for row in members)
    assert {row.value: row.customers for row in split.rows} == dict(tiers)
    sample = sample_rows(segment, demo_source, n=5, columns=["customer_id"])
    assert [row[0] for row in sample.rows] == sorted(row["customer_id"] for row in members)[:5]


@pytest.mark.parametrize("segment", [BY_KEY, BY_EMAIL], ids=["by key", "by email"])
def test_not_in_a_sql_segment_keeps_rows_without_a_key_or_email(
    demo_source: Source, segment: SqlSegment
) -> None:
    outside = parse_segment(
        {
            "version": 1,
            "name": "outside",
            "conditions": [{"segment": segment.name, "operator": "not in segment"}],
        }
    )
    resolver = DictResolver([segment])
    members = _expected_members(demo_source, segment)
    rows = _rows(demo_source)
    assert any(row["email"] is None for row in rows)  # the demo has rows a NOT IN would lose
    size = audience_size(outside, demo_source, resolver)
    assert size.customers == len(rows) - len(members)


def _compiled(segment: Segment, source: Source) -> str:
    condition = segment_condition(segment, source, DictResolver([BY_KEY, BY_EMAIL]))
    return str(condition.compile(source.engine))


@pytest.mark.parametrize("segment", [BY_KEY, BY_EMAIL], ids=["by key", "by email"])
def test_a_sql_segment_is_one_uncorrelated_in_not_a_per_row_exists(
    demo_source: Source, segment: SqlSegment
) -> None:
    compiled = _compiled(segment, demo_source).upper()
    assert "EXISTS" not in compiled
    assert " IN (SELECT" in compiled
    inner = compiled[compiled.index(" IN (SELECT") :]
    assert "CUSTOMER_360." not in inner.replace("FROM CUSTOMER_360", "")  # never the outer row


@pytest.fixture
def user_query_rows(demo_sqlite_url: str) -> Iterator[tuple[Source, list[int]]]:
    """A SQLite source whose ``seen(x)`` counts how many rows the user's query examines."""
    source = Source.connect(demo_sqlite_url)
    seen = [0]

    def count(value: object) -> object:
        seen[0] += 1
        return value

    def register(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("seen", 1, count)

    event.listen(source.engine, "connect", register)
    source.engine.dispose()
    yield source, seen
    source.engine.dispose()


def test_sql_segment_insights_examine_each_row_once_not_once_per_row(
    user_query_rows: tuple[Source, list[int]],
) -> None:
    source, seen = user_query_rows
    counting = SqlSegment(
        name="counted", sql="SELECT seen(email) AS email FROM customer_360 WHERE state = 'WA'"
    )
    rows = len(_rows(source))
    for run in (
        lambda segment: breakdown(segment, source, None, "loyalty_tier"),
        lambda segment: breakdown(segment, source, None, "order_count"),
        lambda segment: audience_size(segment, source),
        lambda segment: sample_rows(segment, source),
        lambda segment: condition_sizes(segment, source),
    ):
        seen[0] = 0
        run(counting)
        # a few passes over the table at most (suggesting the email column reads a sample);
        # a correlated subquery would examine rows x rows = millions
        assert seen[0] <= 10 * rows, seen[0]
