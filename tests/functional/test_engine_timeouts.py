"""MariaDB and DuckDB: a runaway read is stopped; a campaign's stream outlives a pause."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from actui.campaigns.model import parse_campaign
from actui.campaigns.plan import build_plan
from actui.campaigns.stream import iter_contacts
from actui.segments.resolver import DictResolver
from actui.source import Source
from actui.source import source as source_module
from tests.functional.test_engine_streaming import MEMBERS, fill_customers

#: ten billion rows to count: far longer than any timeout here
RUNAWAY = "SELECT count(*) FROM seq_1_to_100000 AS a, seq_1_to_100000 AS b"


@pytest.fixture
def big_mysql_url(mysql_url: str) -> Iterator[str]:
    """A database of MEMBERS customers on the test MariaDB server, dropped after the test."""
    name = f"actui_big_{secrets.token_hex(3)}"
    admin = sa.create_engine(mysql_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    url = sa.make_url(mysql_url).set(database=name).render_as_string(hide_password=False)
    try:
        fill_customers(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


def test_a_runaway_read_is_stopped_by_the_server(
    big_mysql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 500)
    source = Source.connect(big_mysql_url)
    try:
        started = time.monotonic()
        with (
            pytest.raises(sa.exc.OperationalError, match="max_statement_time"),
            source.read_only() as connection,
        ):
            connection.exec_driver_sql(RUNAWAY).scalar()
        assert time.monotonic() - started < 10
        with source.read_only() as connection:  # the pooled connection reads again
            count = connection.exec_driver_sql("SELECT count(*) FROM customer_360").scalar()
        assert count == MEMBERS
    finally:
        source.dispose()


def test_a_send_may_pause_its_read_longer_than_the_statement_timeout(
    big_mysql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send's staging waits for its senders between chunks: its read must survive the wait."""
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 1000)
    campaign = parse_campaign(
        {
            "version": 1,
            "name": "Everyone",
            "audience": {"name": "Everyone", "conditions": []},
            "groups": [{"name": "All", "percent": 100, "destination": "AC"}],
        }
    )
    source = Source.connect(big_mysql_url)
    try:
        plan = build_plan(campaign, source, DictResolver(), destination_defaults={})
        chunks = iter_contacts(plan, chunk_size=1000, paced=True)
        read = len(next(chunks))
        time.sleep(1.5)
        read += sum(len(chunk) for chunk in chunks)
        # and a plain query on the same pooled connection is limited again afterwards
        with (
            pytest.raises(sa.exc.OperationalError, match="max_statement_time"),
            source.read_only() as connection,
        ):
            connection.exec_driver_sql(RUNAWAY).scalar()
    finally:
        source.dispose()
    assert read == MEMBERS


#: ten billion pairs to test: DuckDB takes far longer than the timeouts here
DUCKDB_RUNAWAY = (
    "SELECT count(*) FROM range(100000) AS a(i), range(100000) AS b(j) WHERE (i * j) % 7 = 3"
)


@pytest.fixture
def big_duckdb_url(duckdb_path: Path) -> str:
    url = f"duckdb:///{duckdb_path.parent / f'big_{secrets.token_hex(3)}.duckdb'}"
    fill_customers(url)
    return url


def test_a_runaway_duckdb_read_is_interrupted(
    big_duckdb_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 500)
    source = Source.connect(big_duckdb_url)
    try:
        started = time.monotonic()
        with (
            pytest.raises(sa.exc.DBAPIError, match=r"[Ii]nterrupt"),
            source.read_only() as connection,
        ):
            connection.exec_driver_sql(DUCKDB_RUNAWAY).scalar()
        assert time.monotonic() - started < 10
        with source.read_only() as connection:  # the pooled connection reads again
            count = connection.exec_driver_sql("SELECT count(*) FROM customer_360").scalar()
        assert count == MEMBERS
    finally:
        source.dispose()


def test_a_duckdb_reader_may_pause_longer_than_the_statement_timeout(
    big_duckdb_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a statement's execution is timed: a send waiting between chunks is not cut off."""
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 1000)
    campaign = parse_campaign(
        {
            "version": 1,
            "name": "Everyone",
            "audience": {"name": "Everyone", "conditions": []},
            "groups": [{"name": "All", "percent": 100, "destination": "AC"}],
        }
    )
    source = Source.connect(big_duckdb_url)
    try:
        plan = build_plan(campaign, source, DictResolver(), destination_defaults={})
        chunks = iter_contacts(plan, chunk_size=1000, paced=True)
        read = len(next(chunks))
        time.sleep(1.5)
        read += sum(len(chunk) for chunk in chunks)
    finally:
        source.dispose()
    assert read == MEMBERS
