"""Insights judge emails exactly as a send does, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, cast, literal, select, union_all

from actui.campaigns.emails import check_email
from actui.campaigns.plan import plan_for_segment
from actui.campaigns.stream import iter_contacts
from actui.emails import sql_email_reason
from actui.segments.email_sql import email_reason_sql, normalized_email_sql, valid_email_sql
from actui.segments.insights import audience_size
from actui.segments.model import Segment, parse_segment
from actui.segments.resolver import DictResolver
from actui.source import Source

#: addresses judged per statement (SQLite allows 500 SELECTs in one UNION)
CHUNK = 250

TRICKY = [
    None,
    "",
    "   ",
    " Jane.Doe@Gmail.COM\t",
    "\r\nx+tag@example.org\n",
    "o'brien@mail.co",
    "a@b.co",
    "a@b.c",
    "a@b.c0",
    "a@localhost",
    "a@mail.test",
    "a@mail.example",
    "a@mail.EXAMPLE",
    "a@x.arpa",
    "a@x.onion.com",
    ".a@b.co",
    "a.@b.co",
    "a..b@b.co",
    "a@@b.co",
    "a@b@c.co",
    "a b@c.co",
    "a\tb@c.co",
    "a@-b.co",
    "a@b-.co",
    "a@b..co",
    "a@b.co.",
    "@b.co",
    "a@",
    "a(b)@c.co",
    "jos\u00e9@mail.com",
    "\u212a@mail.com",  # the Kelvin sign lower-cases to an ASCII "k"
    "a@m\u00fcnchen.de",
    "x" * 64 + "@b.co",
    "x" * 65 + "@b.co",
    "a@" + "b" * 63 + ".co",
    "a@" + "b" * 64 + ".co",
    "a@" + ".".join(["b" * 60] * 4) + ".co",
    "a@" + ".".join(["b" * 61] * 4) + ".co",
    "a@b." + "c" * 63,
    "a@b." + "c" * 64,
    "a@" + "b" * 64 + "@c.co",
    "a@b.c" + "-" * 70 + "d.co",
    "{|}~!#$%&'*+/=?^_`-@x.io",
    "a\u00a0@b.co",
    "a@b.co\x0b",
    "a@123.com",
    "a@b.c-o",
    "0@00--0.aa",  # IDNA reserves hyphens in a label's 3rd and 4th places ...
    "a@shop.ab--cd.com",
    "ab--cd@shop.com",  # ... in the domain only
    "a@xn--mnchen-3ya.de",  # ... except for Punycode
    "a@x---b.com",
]

_LOCAL_CHARS = st.sampled_from(list("aZ9.+-_'!#{}~ @\t\u00e9\u212a\"(),;:[]\\"))
_DOMAIN_CHARS = st.sampled_from(list("az09.-_ @\u00fcAZ"))
ADDRESSES = st.one_of(
    st.none(),
    st.builds(
        lambda local, domain, tld, pad: f"{pad}{local}@{domain}.{tld}{pad}",
        st.text(_LOCAL_CHARS, min_size=0, max_size=70),
        st.text(_DOMAIN_CHARS, min_size=0, max_size=70),
        st.sampled_from(["com", "co", "c", "test", "local", "c0", "COM", "io-", "ex", ""]),
        st.sampled_from(["", " ", "\t", "\n ", "\r\n"]),
    ),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
)


def _sql_verdicts(source: Source, addresses: list[str | None]) -> list[tuple[Any, Any, Any]]:
    """(reason, valid, normalized) for each address, computed by the database."""
    verdicts: list[tuple[Any, Any, Any]] = []
    for start in range(0, len(addresses), CHUNK):
        verdicts += _sql_chunk(source, addresses[start : start + CHUNK])
    return verdicts


def _sql_chunk(source: Source, addresses: list[str | None]) -> list[tuple[Any, Any, Any]]:
    rows = union_all(
        *(
            select(
                literal(index).label("position"), cast(literal(raw, String), String).label("raw")
            )
            for index, raw in enumerate(addresses)
        )
    ).subquery("addresses")
    raw = rows.c.raw
    query = select(
        email_reason_sql(raw, source.dialect),
        valid_email_sql(raw, source.dialect),
        normalized_email_sql(raw, source.dialect),
    ).order_by(rows.c.position)
    with source.read_only() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _assert_same_as_send(source: Source, addresses: list[str | None]) -> None:
    for raw, (reason, valid, normalized) in zip(
        addresses, _sql_verdicts(source, addresses), strict=True
    ):
        expected = sql_email_reason(raw)
        assert bool(valid) is (expected is None), raw
        assert reason == expected, raw
        if expected is None:
            assert normalized == check_email(raw)[0], raw


def test_the_send_rule_and_its_sql_agree_on_tricky_addresses(demo_source: Source) -> None:
    _assert_same_as_send(demo_source, TRICKY)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(addresses=st.lists(ADDRESSES, min_size=1, max_size=40))
def test_the_send_rule_and_its_sql_agree_on_generated_addresses(
    demo_source: Source, addresses: list[str | None]
) -> None:
    _assert_same_as_send(demo_source, addresses)


def test_the_sql_agrees_with_the_send_on_every_demo_email(demo_source: Source) -> None:
    table = demo_source.table("customer_360")
    with demo_source.read_only() as connection:
        emails = list(connection.execute(select(table.c.email)).scalars())
    assert any(sql_email_reason(email) for email in emails)  # the demo has bad emails to judge
    _assert_same_as_send(demo_source, emails)


def test_the_rule_is_not_checked_with_a_literal_shortcut(demo_source: Source) -> None:
    query = select(valid_email_sql(literal("a@mail.test"), demo_source.dialect))
    with demo_source.read_only() as connection:
        assert not connection.execute(query).scalar_one()


SEGMENTS: list[dict[str, Any]] = [
    {
        "version": 1,
        "name": "west coast",
        "conditions": [{"attribute": "state", "operator": "is one of", "value": ["ca", "wa"]}],
    },
    {"version": 1, "name": "everyone", "conditions": []},
    {
        "version": 1,
        "name": "by query",
        "sql": "SELECT customer_id, email FROM customer_360 WHERE order_count >= 2",
    },
]


def _sent_emails(segment: Segment, source: Source) -> set[str]:
    plan = plan_for_segment(segment, source, DictResolver(), "primary", "Parity list")
    return {contact.email for chunk in iter_contacts(plan) for _group, contact in chunk}


@pytest.mark.parametrize("spec", SEGMENTS, ids=[spec["name"] for spec in SEGMENTS])
def test_audience_emails_equal_what_a_send_would_send(
    demo_source: Source, spec: dict[str, Any]
) -> None:
    segment = parse_segment(spec)
    size = audience_size(segment, demo_source)
    sent = _sent_emails(segment, demo_source)
    assert size.contacts == len(sent) > 0
    assert (size.missing_email + size.invalid_email) > 0
    assert size.customers >= size.contacts
