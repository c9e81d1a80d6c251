"""MariaDB and DuckDB: a runaway read is stopped; a campaign's stream outlives a pause."""

from __future__ import annotations

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
from tests.functional.test_engine_streaming import MEMBERS, big_database

#: ten billion rows to count: far longer than any timeout here
RUNAWAY = "SELECT count(*) FROM seq_1_to_100000 AS a, seq_1_to_100000 AS b"


#: ten billion pairs to test: DuckDB takes far longer than the timeouts here
DUCKDB_RUNAWAY = (
    "SELECT count(*) FROM range(100000) AS a(i), range(100000) AS b(j) WHERE (i * j) % 7 = 3"
)


#: per engine: a read that runs far longer than any timeout here, and how its stop reads
RUNAWAYS = {
    "mariadb": (RUNAWAY, sa.exc.OperationalError, "max_statement_time"),
    "duckdb": (DUCKDB_RUNAWAY, sa.exc.DBAPIError, r"[Ii]nterrupt"),
}


@pytest.fixture(params=list(RUNAWAYS))
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(engine, URL of a database of MEMBERS customers on it)."""
    with big_database(request, request.param, tmp_path) as url:
        yield request.param, url


def _runaway_is_stopped(source: Source, engine: str) -> None:
    sql, error, message = RUNAWAYS[engine]
    started = time.monotonic()
    with pytest.raises(error, match=message), source.read_only() as connection:
        connection.exec_driver_sql(sql).scalar()
    assert time.monotonic() - started < 10


def test_a_runaway_read_is_stopped(
    engine_url: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, url = engine_url
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 500)
    source = Source.connect(url)
    try:
        _runaway_is_stopped(source, engine)
        with source.read_only() as connection:  # the pooled connection reads again
            count = connection.exec_driver_sql("SELECT count(*) FROM customer_360").scalar()
        assert count == MEMBERS
    finally:
        source.dispose()


def test_a_send_may_pause_its_read_longer_than_the_statement_timeout(
    engine_url: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send's staging waits for its senders between chunks: its read must survive the wait
    (only a statement's execution is timed), and the next plain query is limited again."""
    engine, url = engine_url
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 1000)
    campaign = parse_campaign(
        {
            "version": 1,
            "name": "Everyone",
            "audience": {"name": "Everyone", "conditions": []},
            "groups": [{"name": "All", "percent": 100, "destination": "AC"}],
        }
    )
    source = Source.connect(url)
    try:
        plan = build_plan(campaign, source, DictResolver(), destination_defaults={})
        chunks = iter_contacts(plan, chunk_size=1000, paced=True)
        read = len(next(chunks))
        time.sleep(1.5)
        read += sum(len(chunk) for chunk in chunks)
        _runaway_is_stopped(source, engine)
    finally:
        source.dispose()
    assert read == MEMBERS
