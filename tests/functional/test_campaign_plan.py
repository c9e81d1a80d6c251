"""Campaigns against the demo Customer 360 on SQLite and PostgreSQL: what a send would stream."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from actui.accounting import reason_code
from actui.campaigns.emails import REASON_DUPLICATE
from actui.campaigns.model import CampaignError, parse_campaign
from actui.campaigns.plan import GroupKey, build_plan, plan_for_segment
from actui.campaigns.preview import preview
from actui.campaigns.stream import iter_assignments, iter_contacts, iter_rejected
from actui.segments.model import parse_segment
from actui.segments.resolver import DictResolver
from actui.source import Source
from tests.fixtures.demo import DEMO_ROWS, DEMO_SEED

WEST = ["CA", "WA", "OR", "NV", "AZ"]
ALL = {"name": "Everyone", "conditions": []}
WEST_COAST = {
    "name": "West coast",
    "conditions": [{"attribute": "state", "operator": "is one of", "value": WEST}],
}
GOLD = {
    "name": "Gold tier",
    "conditions": [
        {"attribute": "loyalty_tier", "operator": "is one of", "value": ["gold", "platinum"]}
    ],
}
CALIFORNIA = {
    "name": "California",
    "conditions": [{"attribute": "state", "operator": "is", "value": "CA"}],
}
RESOLVER = DictResolver([parse_segment(GOLD), parse_segment(CALIFORNIA)])
NO_DESTINATIONS: dict[str, dict[str, str]] = {}


def spring(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "id": "3b0c7f52-5a4e-4bd2-8a57-1c9e0f0d2a11",
        "name": "Spring promo",
        "audience": WEST_COAST,
        "exclusions": ["California"],
        "sub_audiences": [
            {
                "name": "Gold",
                "segment": "Gold tier",
                "groups": [
                    {"name": "A", "percent": 45, "destination": "AC"},
                    {"name": "B", "percent": 45, "destination": "AC"},
                    {"name": "Control", "percent": 10, "control": True},
                ],
            },
            {
                "name": "Everyone else",
                "groups": [{"name": "All", "percent": 100, "destination": "AC"}],
            },
        ],
        "attributes": {"email": "email", "first_name": "given_name", "last_name": "surname"},
    }
    data.update(changes)
    return data


def plan_of(data: dict[str, Any], source: Source) -> Any:
    return build_plan(parse_campaign(data), source, RESOLVER, destination_defaults=NO_DESTINATIONS)


def contacts_of(plan: Any, **kwargs: Any) -> list[tuple[GroupKey, Any]]:
    return [pair for chunk in iter_contacts(plan, chunk_size=257, **kwargs) for pair in chunk]


def customers(source: Source, where: str = "1=1") -> dict[str, dict[str, Any]]:
    with source.engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT * FROM customer_360 WHERE {where}")).mappings()
        return {str(row["customer_id"]): dict(row) for row in rows}


def normalized(email: Any) -> str:
    return "" if email is None else str(email).strip().lower()


def test_exclusions_always_win(demo_source: Source) -> None:
    plan = plan_of(spring(), demo_source)
    sent = contacts_of(plan)
    california = customers(demo_source, "state = 'CA'")
    excluded_emails = {normalized(row["email"]) for row in california.values()} - {""}
    west = customers(demo_source, "state IN ('CA','WA','OR','NV','AZ')")
    # excluded: in the exclusion segment, or sharing an email with anyone in it
    excluded_keys = {
        key
        for key, row in west.items()
        if key in california or normalized(row["email"]) in excluded_emails
    }
    assert sent and excluded_keys
    assert not {contact.customer_key for _, contact in sent} & excluded_keys
    assert not {contact.email for _, contact in sent} & excluded_emails
    placed = dict(iter_assignments(plan))
    assert set(placed) == set(west) - excluded_keys
    result = preview(plan, sample=0)
    assert result.customers == len(west)
    assert result.excluded == len(excluded_keys)


def test_sub_audiences_take_the_first_match_and_everyone_else_the_rest(
    demo_source: Source,
) -> None:
    plan = plan_of(spring(), demo_source)
    rows = customers(demo_source, "state IN ('WA','OR','NV','AZ')")
    for key, group in iter_assignments(plan):
        tier = rows[key]["loyalty_tier"]
        expected = "Gold" if tier in ("gold", "platinum") else "Everyone else"
        assert group.sub_audience == expected


def test_control_groups_are_never_emitted(demo_source: Source) -> None:
    plan = plan_of(spring(audience=ALL, exclusions=[]), demo_source)
    placed = dict(iter_assignments(plan))
    held_out = {key for key, group in placed.items() if group.group == "Control"}
    assert held_out
    sent = contacts_of(plan)
    assert not {contact.customer_key for _, contact in sent} & held_out
    # the stream hashes inline; every contact is in the group the assigner gives its customer
    assert all(placed[str(contact.customer_key)] == group for group, contact in sent)
    assert {group for group, _ in sent} == {
        GroupKey("Gold", "A"),
        GroupKey("Gold", "B"),
        GroupKey("Everyone else", "All"),
    }
    only_control = contacts_of(plan, group="Control")
    assert only_control == []


def test_assignment_is_the_same_on_a_second_run(demo_source: Source) -> None:
    first = dict(iter_assignments(plan_of(spring(audience=ALL, exclusions=[]), demo_source)))
    second = dict(iter_assignments(plan_of(spring(audience=ALL, exclusions=[]), demo_source)))
    assert first == second
    shares = Counter(group.group for group in first.values() if group.sub_audience == "Gold")
    assert set(shares) == {"A", "B", "Control"}


def _grown_mysql(demo_url: str) -> Iterator[str]:
    from actui.demo.data import load_demo

    name = f"actui_grown_{secrets.token_hex(4)}"
    admin = sa.create_engine(demo_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        url = sa.make_url(demo_url).set(database=name).render_as_string(hide_password=False)
        load_demo(url, DEMO_ROWS + 500, DEMO_SEED)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture
def grown_demo_url(demo_url: str, tmp_path: Path) -> Iterator[str]:
    """The demo plus 500 new customers (the demo writer's first rows never change)."""
    from actui.demo.data import load_demo, write_demo_sqlite

    if demo_url.startswith("sqlite"):
        path = tmp_path / "grown.db"
        write_demo_sqlite(path, DEMO_ROWS + 500, DEMO_SEED)
        yield f"sqlite:///{path}"
        return
    if demo_url.startswith("duckdb"):
        url = f"duckdb:///{tmp_path / 'grown.duckdb'}"
        load_demo(url, DEMO_ROWS + 500, DEMO_SEED)
        yield url
        return
    if demo_url.startswith("mysql"):
        yield from _grown_mysql(demo_url)
        return
    import psycopg

    from tests.fixtures.postgres import _server_params

    params = _server_params()
    name = f"actui_grown_{secrets.token_hex(4)}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sa.make_url(demo_url).set(database=name).render_as_string(hide_password=False)
    try:
        load_demo(url, DEMO_ROWS + 500, DEMO_SEED)
        yield url
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_new_customers_never_move_existing_ones(demo_source: Source, grown_demo_url: str) -> None:
    before = dict(iter_assignments(plan_of(spring(), demo_source)))
    grown = Source.connect(grown_demo_url)
    try:
        after = dict(iter_assignments(plan_of(spring(), grown)))
    finally:
        grown.dispose()
    assert len(after) > len(before)
    assert {key: after[key] for key in before} == before


def test_each_attribute_kind_is_mapped(demo_source: Source) -> None:
    attributes = {
        "email": "email",
        "first_name": "given_name",
        "last_name": "surname",
        "phone": "phone",
        "tags": "loyalty_tier",  # only in customer_360: read from the segment table
        "field:Lifetime value": "lifetime_value",
        "field:CITY": "city",
    }
    data = spring(audience=ALL, exclusions=[], attributes=attributes)
    plan = plan_of(data, demo_source)
    assert sorted(plan.field_names) == ["CITY", "Lifetime value"]
    with pytest.raises(CampaignError, match="no custom field 'CITY'"):
        contacts_of(plan, field_ids={"Lifetime value": "7"})
    sent = contacts_of(plan, field_ids={"Lifetime value": "7", "CITY": "3"})
    rows = customers(demo_source)
    with demo_source.engine.connect() as connection:
        merged = {
            str(row.customer_id): row
            for row in connection.execute(sa.text("SELECT * FROM merged_customers"))
        }
    assert len(sent) > DEMO_ROWS // 2
    for _, contact in sent:
        row, person = rows[contact.customer_key], merged[contact.customer_key]
        assert contact.email == person.email.strip().lower()
        assert contact.first_name == (person.given_name or None)
        assert contact.last_name == (person.surname or None)
        assert contact.phone == (person.phone or None)
        assert contact.tags == ((row["loyalty_tier"],) if row["loyalty_tier"] else ())
        fields = dict(contact.fields)
        if row["lifetime_value"] is None:
            assert "7" not in fields
        else:
            assert float(fields["7"]) == pytest.approx(row["lifetime_value"])
        assert fields.get("3") == (person.city or None)


def test_typed_attributes_read_the_same_in_every_chunk(demo_source: Source) -> None:
    attributes = {
        "email": "email",
        "field:Opt-in": "email_opt_in",
        "field:Signup": "signup_date",
        "field:Seen": "last_seen_at",
    }
    plan = plan_of(spring(audience=ALL, exclusions=[], attributes=attributes), demo_source)
    ids = {"Opt-in": "1", "Signup": "2", "Seen": "3"}

    def sent(chunk_size: int) -> list[tuple[GroupKey, str | None, Any]]:
        return [
            (group, contact.customer_key, contact.fields)
            for chunk in iter_contacts(plan, field_ids=ids, chunk_size=chunk_size)
            for group, contact in chunk
        ]

    one_chunk, many_chunks = sent(100_000), sent(97)
    assert many_chunks == one_chunk
    values = [dict(fields) for _, _, fields in one_chunk]
    assert {row["1"] for row in values if "1" in row} == {"true", "false"}
    rows = customers(demo_source)
    for (_, key, _), row in zip(one_chunk, values, strict=True):
        assert key is not None
        signup = rows[key]["signup_date"]
        assert row.get("2") == (None if signup is None else str(signup))


def test_an_unknown_column_is_named_before_anything_runs(demo_source: Source) -> None:
    with pytest.raises(CampaignError, match=r"'given_nam'.*did you mean 'given_name'"):
        plan_of(spring(attributes={"first_name": "given_nam"}), demo_source)


def test_invalid_and_duplicate_emails_are_set_aside_with_reasons(demo_source: Source) -> None:
    plan = plan_of(spring(audience=ALL, exclusions=[]), demo_source)
    sent = contacts_of(plan)
    rejected = list(iter_rejected(plan))
    reasons = Counter(reason_code(item.reason) for _, item in rejected)
    assert reasons["duplicate_email"] > 0
    assert reasons["invalid_email"] > 0
    emails = [contact.email for _, contact in sent]
    assert len(emails) == len(set(emails))
    for email in emails:
        validate_email(email, check_deliverability=False)
    for _, item in rejected:
        if item.reason.startswith("invalid email"):
            with pytest.raises(EmailNotValidError):
                validate_email(item.email.strip().lower(), check_deliverability=False)
    # the winner of each duplicated email: the first sub-audience holding it, then the lowest key
    placed = dict(iter_assignments(plan))
    order = {"Gold": 0, "Everyone else": 1}
    holders: dict[str, list[tuple[int, str]]] = {}
    for key, row in customers(demo_source).items():
        if row["email"] and row["email"].strip():
            rank = order[str(placed[key].sub_audience)]
            holders.setdefault(row["email"].strip().lower(), []).append((rank, key))
    checked = 0
    for _, item in rejected:
        if reason_code(item.reason) == "duplicate_email":
            email = item.email.strip().lower()
            winner = min(holders[email])[1]
            assert item.customer_key != winner
            assert item.reason == f"{REASON_DUPLICATE}: kept customer {winner}"
            assert placed[winner].group == "Control" or email in set(emails)
            checked += 1
    assert checked


def test_preview_counts_add_up_and_samples_are_sent_rows(demo_source: Source) -> None:
    plan = plan_of(spring(), demo_source)
    result = preview(plan, sample=3)
    sizes = sum(group.size for group in result.groups)
    assert sizes == result.contacts == result.to_send + result.held_out
    assert result.customers == (
        result.contacts
        + result.duplicate_email
        + result.missing_email
        + result.invalid_email
        + result.excluded
        + result.not_in_any_sub_audience
    )
    sent = {(group, contact.email) for group, contact in contacts_of(plan)}
    for group in result.groups:
        for row in group.sample:
            if not group.control:
                assert (GroupKey(group.sub_audience, group.group), row["email"]) in sent
    per_group = Counter(group for group, _ in contacts_of(plan))
    for group in result.groups:
        if not group.control:
            assert per_group[GroupKey(group.sub_audience, group.group)] == group.size


def test_a_segment_alone_is_one_sending_group(demo_source: Source) -> None:
    plan = plan_for_segment(
        parse_segment(WEST_COAST),
        demo_source,
        RESOLVER,
        "AC",
        "West",
        {"first_name": "given_name"},
        destination_defaults=NO_DESTINATIONS,
    )
    (group,) = plan.sending_groups
    assert (group.destination, group.list_name) == ("AC", "West")
    sent = contacts_of(plan)
    west = customers(demo_source, "state IN ('CA','WA','OR','NV','AZ')")
    assert {contact.customer_key for _, contact in sent} <= set(west)
    assert len(sent) > 0.9 * len(west)


def test_destination_default_attributes_fill_what_the_campaign_leaves_out(
    demo_source: Source,
) -> None:
    data = spring(attributes={"email": "email"})
    plan = build_plan(
        parse_campaign(data),
        demo_source,
        RESOLVER,
        destination_defaults={"AC": {"first_name": "given_name", "phone": "phone"}},
    )
    sent = contacts_of(plan)
    assert any(contact.first_name for _, contact in sent)
    assert any(contact.phone for _, contact in sent)
    assert all(contact.last_name is None for _, contact in sent)


def test_a_stream_closed_half_way_stops_its_query_and_frees_the_connection(
    demo_source: Source,
) -> None:
    """A preview or send that stops early cancels the rest; the next stream runs as usual."""
    plan = plan_of(spring(audience=ALL, exclusions=[]), demo_source)
    stream = iter_contacts(plan, chunk_size=100)
    first = next(stream)
    assert 0 < len(first) <= 100
    stream.close()
    assert demo_source.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    whole = contacts_of(plan)
    assert len(whole) > 1000
    assert whole[: len(first)] == first  # the same order: by email, then customer key


BIG_AUDIENCE = 300_000


@pytest.fixture
def big_pg_source(pg_url: str) -> Iterator[Source]:
    """A Customer 360 of 300,000 customers in its own schema of the test database: far more
    rows than the socket between the server and this process holds."""
    import psycopg

    schema = f"big_{secrets.token_hex(3)}"
    plain = sa.make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        admin.execute(
            f"CREATE TABLE {schema}.customer_360 AS SELECT 'C' || lpad(i::text, 7, '0') AS"
            f" customer_id FROM generate_series(1, {BIG_AUDIENCE}) AS i"
        )
        admin.execute(f"ALTER TABLE {schema}.customer_360 ADD PRIMARY KEY (customer_id)")
        admin.execute(
            f"CREATE TABLE {schema}.merged_customers AS SELECT customer_id,"
            f" 'person' || customer_id || '@example.com' AS email FROM {schema}.customer_360"
        )
        admin.execute(f"ALTER TABLE {schema}.merged_customers ADD PRIMARY KEY (customer_id)")
    url = sa.make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    source = Source.connect(url.render_as_string(hide_password=False))
    try:
        yield source
    finally:
        source.dispose()
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.postgres
def test_a_send_may_pause_its_read_longer_than_the_statement_timeout(
    big_pg_source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send's staging waits for its senders between chunks: its read must survive the wait."""
    monkeypatch.setattr("actui.source.source.STATEMENT_TIMEOUT_MS", 1000)
    monkeypatch.setattr("actui.source.source.STREAMED_READ_TIMEOUT_MS", 1000)
    data = {
        "version": 1,
        "name": "Everyone",
        "audience": ALL,
        "groups": [{"name": "All", "percent": 100, "destination": "AC"}],
    }
    plan = plan_of(data, big_pg_source)

    def read_with_a_pause(paced: bool) -> int:
        chunks = iter_contacts(plan, chunk_size=1000, paced=paced)
        read = len(next(chunks))
        time.sleep(1.5)
        return read + sum(len(chunk) for chunk in chunks)

    assert read_with_a_pause(paced=True) == BIG_AUDIENCE
    # what the paced read avoids: one streamed statement, whose time runs while the reader waits
    with pytest.raises(Exception, match="statement timeout"):
        read_with_a_pause(paced=False)


def test_a_stream_asked_for_one_group_still_reports_every_chunk_of_rows(
    demo_source: Source,
) -> None:
    """A send filtered to a small group hears from the stream every chunk, to stop or report."""
    plan = plan_of(spring(audience=ALL, exclusions=[]), demo_source)
    members = len(dict(iter_assignments(plan)))
    lists = list(iter_contacts(plan, group="Control", chunk_size=100))
    assert all(chunk == [] for chunk in lists)
    assert len(lists) >= members // 100 > 10
