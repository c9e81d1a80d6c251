"""A campaign streams on every executed engine: every member once, in flat memory.

The audience is 100,000 customers, whose rows held at once would take tens of megabytes of Python
objects. While the stream is read, the Python memory it allocates (traced) must stay a small,
fixed size: rows arrive a chunk at a time from a server-side or unbuffered cursor, never all
together (PyMySQL's default cursor, for one, would read every row first).
"""

from __future__ import annotations

import secrets
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from actui.campaigns.model import parse_campaign
from actui.campaigns.plan import build_plan
from actui.campaigns.stream import iter_contacts
from actui.segments.resolver import DictResolver
from actui.source import Source

MEMBERS = 100_000
#: traced Python memory the stream may hold at its peak (the whole audience: about 40 MB)
PEAK_LIMIT_MB = 8

_KEY = "'C' || lpad(CAST(i AS VARCHAR(8)), 7, '0')"
_FILL = {
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) "
        "SELECT printf('C%07d', i) AS customer_id FROM n"
    ),
    "postgresql": f"SELECT {_KEY} AS customer_id FROM generate_series(1, {{rows}}) AS t(i)",
    "duckdb": f"SELECT {_KEY} AS customer_id FROM range(1, {{rows}} + 1) AS t(i)",
    "mysql": "SELECT concat('C', lpad(seq, 7, '0')) AS customer_id FROM seq_1_to_{rows}",
}


def fill_customers(url: str) -> None:
    """customer_360 and merged_customers of MEMBERS customers, made by the database itself."""
    engine = sa.create_engine(url)
    dialect = engine.dialect.name
    key_type = "VARCHAR(16)"
    with engine.begin() as connection:
        for table in ("merged_customers", "customer_360"):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        connection.exec_driver_sql(
            f"CREATE TABLE customer_360 (customer_id {key_type} PRIMARY KEY)"
        )
        connection.exec_driver_sql(
            "INSERT INTO customer_360 (customer_id) " + _FILL[dialect].format(rows=MEMBERS)
        )
        connection.exec_driver_sql(
            f"CREATE TABLE merged_customers (customer_id {key_type} PRIMARY KEY, "
            "email VARCHAR(64), given_name VARCHAR(32))"
        )
        email = (
            "concat('person', customer_id, '@example.com')"
            if dialect == "mysql"
            else "'person' || customer_id || '@example.com'"
        )
        connection.exec_driver_sql(
            "INSERT INTO merged_customers (customer_id, email, given_name) "
            f"SELECT customer_id, {email}, 'Pat' FROM customer_360"
        )
    engine.dispose()


@contextmanager
def big_database(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> Iterator[str]:
    """A database of MEMBERS customers on ``engine`` (sqlite, postgres, mariadb or duckdb),
    dropped afterwards."""
    if engine in ("sqlite", "duckdb"):
        suffix = "db" if engine == "sqlite" else "duckdb"
        url = f"{engine}:///{tmp_path / f'big.{suffix}'}"
        if engine == "duckdb":
            request.getfixturevalue("duckdb_path")  # skips without duckdb-engine
        fill_customers(url)
        yield url
        return
    server = str(request.getfixturevalue("pg_url" if engine == "postgres" else "mysql_url"))
    name = f"actui_big_{secrets.token_hex(3)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        fill_customers(url)
        yield url
    finally:
        with admin.connect() as connection:
            drop = f"DROP DATABASE IF EXISTS {name}"
            connection.exec_driver_sql(drop + (" WITH (FORCE)" if engine == "postgres" else ""))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres", "mariadb", "duckdb"])
def big_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of MEMBERS customers on each executed engine, dropped after the test."""
    with big_database(request, request.param, tmp_path) as url:
        yield url


def test_a_campaign_streams_every_member_in_flat_memory(big_url: str) -> None:
    campaign = parse_campaign(
        {
            "version": 1,
            "id": "5f1c-stream-test",
            "name": "Everyone",
            "audience": {"name": "Everyone", "conditions": []},
            "groups": [
                {"name": "A", "percent": 90, "destination": "AC"},
                {"name": "Control", "percent": 10, "control": True},
            ],
            "attributes": {"email": "email", "first_name": "given_name"},
        }
    )
    source = Source.connect(big_url)
    try:
        plan = build_plan(campaign, source, DictResolver(), destination_defaults={})
        sent = 0
        held_out = 0
        tracemalloc.start()
        try:
            for chunk in iter_contacts(plan, chunk_size=1000):
                sent += len(chunk)
                assert all(contact.first_name == "Pat" for _group, contact in chunk)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        held_out = MEMBERS - sent
    finally:
        source.dispose()
    assert 0.08 * MEMBERS < held_out < 0.12 * MEMBERS  # the control group, about 10 %
    assert peak / 2**20 < PEAK_LIMIT_MB, f"{peak / 2**20:.1f} MB traced at the peak"
