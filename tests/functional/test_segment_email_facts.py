"""Email facts make SQLite audience sizes fast without changing a figure, and never go stale."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actui.campaigns.emails import check_email
from actui.emails import sql_email_reason
from actui.segments.email_facts import ensure_email_facts, facts_path, fresh_email_facts
from actui.segments.insights import audience_size
from actui.segments.model import parse_segment
from actui.segments.resolver import DictResolver
from actui.source import Source

OPTED_OUT = parse_segment(
    {
        "version": 1,
        "name": "Opted out",
        "conditions": [{"attribute": "email_opt_in", "operator": "is false"}],
    }
)
SEGMENTS: list[dict[str, Any]] = [
    {"version": 1, "name": "everyone", "conditions": []},
    {
        "version": 1,
        "name": "west",
        "conditions": [{"attribute": "state", "operator": "is one of", "value": ["CA", "wa"]}],
    },
    {
        "version": 1,
        "name": "tree",
        "as_of": "2026-11-01",
        "match": "any",
        "conditions": [
            {"attribute": "lifetime_value", "operator": "greater than", "value": 400},
            {
                "match": "all",
                "conditions": [
                    {"attribute": "order_count", "operator": "at least", "value": 3},
                    {
                        "attribute": "last_order_date",
                        "operator": "in the last",
                        "value": {"amount": 1, "unit": "years"},
                    },
                ],
            },
        ],
    },
    {
        "version": 1,
        "name": "still opted in",
        "conditions": [{"segment": "Opted out", "operator": "not in segment"}],
    },
    {
        "version": 1,
        "name": "nobody",
        "conditions": [{"attribute": "state", "operator": "is", "value": "nowhere"}],
    },
]


@pytest.fixture
def copy_source(demo_sqlite_path: Path, tmp_path: Path) -> Iterator[Source]:
    """A Source on a private copy of the demo SQLite file (the tests write to it)."""
    path = tmp_path / "customers.db"
    shutil.copyfile(demo_sqlite_path, path)
    source = Source.connect(f"sqlite:///{path}")
    try:
        yield source
    finally:
        source.dispose()


def _python_figures(path: Path) -> tuple[int, int, int]:
    """(customers, distinct sendable emails, invalid emails) of the whole table, in Python."""
    with sqlite3.connect(path) as connection:
        emails = [row[0] for row in connection.execute("SELECT email FROM customer_360")]
    sendable = {check_email(email)[0] for email in emails if sql_email_reason(email) is None}
    invalid = sum(1 for email in emails if sql_email_reason(email) is not None)
    return len(emails), len(sendable), invalid


def _facts_file(source: Source) -> Path:
    database = Path(str(source.engine.url.database)).resolve()
    return facts_path(database, "customer_360")


@pytest.mark.parametrize("spec", SEGMENTS, ids=[spec["name"] for spec in SEGMENTS])
def test_facts_give_the_same_figures_as_judging_every_email(
    copy_source: Source, spec: dict[str, Any]
) -> None:
    segment = parse_segment(spec)
    resolver = DictResolver([OPTED_OUT])
    judged = audience_size(segment, copy_source, resolver, email_facts=False)
    assert ensure_email_facts(copy_source, "customer_360") is not None
    assert audience_size(segment, copy_source, resolver) == judged


def test_the_facts_know_which_emails_rows_share(copy_source: Source) -> None:
    facts = ensure_email_facts(copy_source, "customer_360")
    assert facts is not None and facts.rows == 2_000
    with sqlite3.connect(facts.path) as connection:
        shared, distinct_shared, rejected = connection.execute(
            "SELECT count(dup), count(DISTINCT dup), count(reason) FROM email_facts"
        ).fetchone()
    assert 0 < distinct_shared < shared  # the demo repeats some emails: the case that matters
    assert rejected > 0
    everyone = parse_segment({"version": 1, "name": "everyone", "conditions": []})
    size = audience_size(everyone, copy_source)
    path = Path(str(copy_source.engine.url.database))
    assert (
        size.customers,
        size.contacts,
        (size.missing_email + size.invalid_email),
    ) == _python_figures(path)


def test_a_write_to_the_database_makes_the_facts_stale(copy_source: Source) -> None:
    everyone = parse_segment({"version": 1, "name": "everyone", "conditions": []})
    assert ensure_email_facts(copy_source, "customer_360") is not None
    before = audience_size(everyone, copy_source)
    path = Path(str(copy_source.engine.url.database))
    with sqlite3.connect(path) as connection:
        some_email = connection.execute(
            "SELECT email FROM customer_360 WHERE email LIKE '%@%.%' LIMIT 1"
        ).fetchone()[0]
        connection.executemany(
            "INSERT INTO customer_360 (customer_id, email) VALUES (?, ?)",
            [
                ("NEW-1", f"  {some_email.upper()} "),
                ("NEW-2", "brand.new@mail.co"),
                ("NEW-3", "x@"),
            ],
        )
    copy_source.dispose()  # forget pooled connections and their cached pages

    assert fresh_email_facts(copy_source, "customer_360") is None
    stale_free = audience_size(everyone, copy_source)
    assert (
        stale_free.customers,
        stale_free.contacts,
        (stale_free.missing_email + stale_free.invalid_email),
    ) == (
        before.customers + 3,
        before.contacts + 1,
        (before.missing_email + before.invalid_email) + 1,
    )
    assert _python_figures(path) == (
        stale_free.customers,
        stale_free.contacts,
        (stale_free.missing_email + stale_free.invalid_email),
    )
    assert ensure_email_facts(copy_source, "customer_360") is not None
    assert audience_size(everyone, copy_source) == stale_free


def test_the_facts_file_is_private_and_holds_no_email(copy_source: Source) -> None:
    facts = ensure_email_facts(copy_source, "customer_360")
    assert facts is not None
    assert facts.path == _facts_file(copy_source)
    assert stat.S_IMODE(facts.path.stat().st_mode) == 0o600
    content = facts.path.read_bytes()
    with sqlite3.connect(Path(str(copy_source.engine.url.database))) as connection:
        emails = [row[0] for row in connection.execute("SELECT email FROM customer_360")]
    sendable = [check_email(email)[0] for email in emails if sql_email_reason(email) is None]
    assert len(sendable) > 1_000
    assert not [email for email in sendable if email.encode() in content]


def test_views_and_other_databases_get_no_facts(copy_source: Source, demo_source: Source) -> None:
    path = Path(str(copy_source.engine.url.database))
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE VIEW gold AS SELECT * FROM customer_360")
    copy_source.refresh()
    assert ensure_email_facts(copy_source, "gold") is None
    if demo_source.dialect != "sqlite":
        assert ensure_email_facts(demo_source, "customer_360") is None


def test_a_stopped_build_leaves_no_file_and_counts_stay_exact(copy_source: Source) -> None:
    everyone = parse_segment({"version": 1, "name": "everyone", "conditions": []})
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        ensure_email_facts(copy_source, "customer_360", should_stop=lambda: True)
    cache = _facts_file(copy_source).parent
    assert not list(cache.glob("email-facts-*"))  # neither the facts nor a scratch file
    assert fresh_email_facts(copy_source, "customer_360") is None
    assert audience_size(everyone, copy_source) == audience_size(
        everyone, copy_source, email_facts=False
    )
