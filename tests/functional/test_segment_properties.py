"""Random condition trees select the same customers in SQL as a plain Python filter, per backend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from actui.segments.compiler import members_query
from actui.segments.dates import relative_range
from actui.segments.model import Condition, Group, Node, RuleSegment, SegmentReference
from actui.segments.operators import NEGATIONS, kind_name, operators_for
from actui.segments.resolver import DictResolver
from actui.segments.values import parse_day
from actui.source import Source

# -- the reference: a plain-Python reading of segment conditions --------------------------

Row = Mapping[str, Any]


def fold(text: str) -> str:
    """ASCII-only lower-casing, the case rule both databases share for ASCII text."""
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def matches(
    segment: RuleSegment, row: Row, kinds: Mapping[str, str], lookup: Callable[[str], RuleSegment]
) -> bool:
    if not segment.conditions:
        return True  # a segment with no conditions yet selects everyone
    today = segment.as_of or date.today()
    return _group(segment.match, segment.conditions, row, kinds, segment, today, lookup)


def _group(
    match: str,
    nodes: list[Node],
    row: Row,
    kinds: Mapping[str, str],
    segment: RuleSegment,
    today: date,
    lookup: Callable[[str], RuleSegment],
) -> bool:
    results = [_node(node, row, kinds, segment, today, lookup) for node in nodes]
    if match == "all":
        return all(results)
    if match == "any":
        return any(results)
    return not any(results)


def _node(
    node: Node,
    row: Row,
    kinds: Mapping[str, str],
    segment: RuleSegment,
    today: date,
    lookup: Callable[[str], RuleSegment],
) -> bool:
    if isinstance(node, Group):
        return _group(node.match, node.conditions, row, kinds, segment, today, lookup)
    if isinstance(node, SegmentReference):
        inside = matches(lookup(node.segment), row, kinds, lookup)
        return inside if node.operator == "in segment" else not inside
    return condition_matches(node, row[node.attribute], kinds[node.attribute], segment, today)


def condition_matches(
    condition: Condition, value: Any, kind: str, segment: RuleSegment, today: date
) -> bool:
    operator = condition.operator
    if operator in NEGATIONS:
        positive = Condition(
            attribute=condition.attribute,
            operator=NEGATIONS[operator],
            value=condition.value,
            case_sensitive=condition.case_sensitive,
        )
        return not condition_matches(positive, value, kind, segment, today)
    if operator == "is empty":
        return value is None or value == ""
    if value is None:
        return False
    if operator == "is true":
        return bool(value) is True
    if operator == "is false":
        return bool(value) is False
    wanted = condition.value
    if kind == "string":
        sensitive = (
            segment.case_sensitive if condition.case_sensitive is None else condition.case_sensitive
        )
        norm: Callable[[str], str] = (lambda text: text) if sensitive else fold
        text = norm(value)
        if operator == "is":
            return text == norm(str(wanted))
        if operator == "is one of":
            return text in {norm(item) for item in wanted}  # type: ignore[union-attr]
        if operator == "contains":
            return norm(str(wanted)) in text
        if operator == "starts with":
            return text.startswith(norm(str(wanted)))
        return text.endswith(norm(str(wanted)))
    if kind == "number":
        comparisons: dict[str, Callable[[Any], bool]] = {
            "is": lambda w: value == w,
            "less than": lambda w: value < w,
            "at most": lambda w: value <= w,
            "greater than": lambda w: value > w,
            "at least": lambda w: value >= w,
            "between": lambda w: w[0] <= value <= w[1],
        }
        return comparisons[operator](wanted)
    day = value.date() if isinstance(value, datetime) else value
    first: date | None
    last: date | None
    if operator in ("in the last", "in the next", "older than"):
        assert isinstance(wanted, dict)
        first, last = relative_range(operator, int(wanted["amount"]), str(wanted["unit"]), today)  # type: ignore[arg-type]
    elif operator == "between":
        assert isinstance(wanted, list)
        first, last = parse_day(wanted[0]), parse_day(wanted[1])
    else:
        target = parse_day(wanted)
        assert target is not None
        first, last = {
            "is on": (target, target),
            "before": (None, target - timedelta(days=1)),
            "after": (target + timedelta(days=1), None),
        }[operator]
    return (first is None or day >= first) and (last is None or day <= last)


# -- random segments ---------------------------------------------------------------------

ATTRIBUTES = (
    "state", "loyalty_tier", "city", "email", "preferred_channel", "gender", "postal_code",
    "lifetime_value", "order_count", "churn_propensity",
    "last_order_date", "birthdate", "signup_date", "last_seen_at",
    "email_opt_in", "sms_opt_in",
)  # fmt: skip
AS_OF = (date(2026, 11, 1), date(2026, 6, 15), date(2025, 1, 31))

#: per backend: every demo row, each column's kind, and a few distinct values of each column
_rows_cache: dict[str, tuple[list[dict[str, Any]], dict[str, str], dict[str, list[Any]]]] = {}


def demo_rows(
    source: Source,
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, list[Any]]]:
    """Every demo row (as Python values), each column's kind, and value pools, once per backend."""
    key = str(source.engine.url)
    if key not in _rows_cache:
        table = source.table("customer_360")
        with source.read_only() as connection:
            rows = [dict(row._mapping) for row in connection.execute(select(table))]
        kinds = {info.name: kind_name(info.kind) for info in source.columns("customer_360")}
        pools = {
            name: sorted({row[name] for row in rows[::37]}, key=repr)[:40] for name in ATTRIBUTES
        }
        _rows_cache[key] = (rows, kinds, pools)
    return _rows_cache[key]


def _recase(draw: st.DrawFn, text: str) -> str:
    style = draw(st.sampled_from(["same", "lower", "upper", "swap"]))
    return {"same": text, "lower": text.lower(), "upper": text.upper(), "swap": text.swapcase()}[
        style
    ]


def _value(draw: st.DrawFn, kind: str, operator: str, seen: list[Any]) -> Any:
    present = [item for item in seen if item is not None] or [None]
    if operator in ("is empty", "is not empty", "is true", "is false"):
        return None
    if operator in ("in the last", "in the next", "older than"):
        return {
            "amount": draw(st.integers(0, 40)),
            "unit": draw(st.sampled_from(["days", "weeks", "months", "years"])),
        }
    if kind == "string":
        if operator in ("is one of", "is not one of"):
            picks = draw(st.lists(st.sampled_from(present), min_size=1, max_size=4))
            return [_recase(draw, str(item)) for item in picks] + draw(
                st.lists(st.text("abcXYZ", min_size=1, max_size=3), max_size=1)
            )
        base = str(draw(st.sampled_from(present)))
        if operator in ("is", "is not"):
            return _recase(draw, base)
        start = draw(st.integers(0, max(0, len(base) - 1)))
        size = draw(st.integers(1, 4))
        piece = base[start : start + size] or "a"
        if operator == "starts with":
            piece = base[:size] or "a"
        elif operator == "ends with":
            piece = base[-size:] or "a"
        return _recase(draw, piece)
    if kind == "number":

        def number() -> Any:
            picked = draw(st.sampled_from(present)) or 0
            return draw(st.sampled_from([picked, round(float(picked) + 0.5, 2), int(picked)]))

        if operator == "between":
            low, high = sorted([number(), number()])
            return [low, high]
        return number()

    def day() -> str:
        picked = draw(st.sampled_from(present)) or date(2026, 1, 1)
        base = picked.date() if isinstance(picked, datetime) else picked
        return (base + timedelta(days=draw(st.integers(-3, 3)))).isoformat()

    if operator == "between":
        return sorted([day(), day()])
    return day()


@st.composite
def leaf(draw: st.DrawFn, pools: dict[str, list[Any]], kinds: dict[str, str]) -> Condition:
    attribute = draw(st.sampled_from(ATTRIBUTES))
    kind = kinds[attribute]
    operator = draw(st.sampled_from(operators_for(kind)))
    seen = draw(st.lists(st.sampled_from(pools[attribute]), min_size=1, max_size=3))
    value = _value(draw, kind, operator, seen)
    case_sensitive = draw(st.sampled_from([None, None, True, False])) if kind == "string" else None
    return Condition(
        attribute=attribute, operator=operator, value=value, case_sensitive=case_sensitive
    )


def tree(pools: dict[str, list[Any]], kinds: dict[str, str]) -> st.SearchStrategy[Node]:
    return st.recursive(
        leaf(pools, kinds),
        lambda children: st.builds(
            Group,
            match=st.sampled_from(["all", "any", "none"]),
            conditions=st.lists(children, min_size=1, max_size=3),
        ),
        max_leaves=6,
    )


def member_keys(source: Source, segment: RuleSegment, resolver: DictResolver) -> set[str]:
    with source.read_only() as connection:
        return {
            row.customer_key for row in connection.execute(members_query(segment, source, resolver))
        }


@pytest.mark.slow
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_trees_match_a_python_filter(demo_source: Source, data: st.DataObject) -> None:
    rows, kinds, pools = demo_rows(demo_source)
    helper = RuleSegment(
        name="helper",
        match=data.draw(st.sampled_from(["all", "any", "none"])),
        conditions=data.draw(st.lists(tree(pools, kinds), min_size=1, max_size=2)),
        as_of=AS_OF[0],
    )
    conditions: list[Node] = data.draw(st.lists(tree(pools, kinds), min_size=0, max_size=3))
    if data.draw(st.booleans()):
        operator = data.draw(st.sampled_from(["in segment", "not in segment"]))
        conditions.append(SegmentReference(segment="helper", operator=operator))
    segment = RuleSegment(
        name="random",
        match=data.draw(st.sampled_from(["all", "any", "none"])),
        conditions=conditions,
        case_sensitive=data.draw(st.booleans()),
        as_of=data.draw(st.sampled_from(AS_OF)),
    )
    resolver = DictResolver([helper])
    expected = {
        row["customer_id"] for row in rows if matches(segment, row, kinds, lambda name: helper)
    }
    assert member_keys(demo_source, segment, resolver) == expected, segment.model_dump_json()
