"""The demo Customer 360: deterministic, believable (messy emails), private, same everywhere."""

from __future__ import annotations

import re
import stat
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from actui.demo.data import DemoError, iter_demo_rows, load_demo, merged_row, write_demo_sqlite
from actui.demo.paths import demo_db_path, ensure_demo_db
from actui.demo.schema import CUSTOMER_360_COLUMNS, MERGED_CUSTOMERS_COLUMNS
from actui.demo.vocabulary import REFERENCE_DATE

EMAIL = CUSTOMER_360_COLUMNS.index("email")
VALID_SHAPE = re.compile(r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")


def _column(rows: list[tuple[object, ...]], name: str) -> list[object]:
    index = CUSTOMER_360_COLUMNS.index(name)
    return [row[index] for row in rows]


def test_same_seed_gives_same_rows_and_other_seeds_differ() -> None:
    first = list(iter_demo_rows(500, seed=3))
    assert first == list(iter_demo_rows(500, seed=3))
    assert first != list(iter_demo_rows(500, seed=4))
    assert list(iter_demo_rows(200, seed=3)) == first[:200]


def test_rows_follow_the_documented_columns_and_types() -> None:
    rows = list(iter_demo_rows(1_000, seed=11))
    assert all(len(row) == len(CUSTOMER_360_COLUMNS) for row in rows)
    assert _column(rows, "customer_id")[:2] == ["C0000001", "C0000002"]
    assert len(set(_column(rows, "customer_id"))) == 1_000
    assert {type(v) for v in _column(rows, "last_seen_at")} == {datetime}
    assert {type(v) for v in _column(rows, "email_opt_in")} == {bool}
    assert {type(v) for v in _column(rows, "birthdate")} == {date, type(None)}
    assert set(_column(rows, "loyalty_tier")) == {"bronze", "silver", "gold", "platinum", None}
    assert set(_column(rows, "preferred_channel")) <= {"email", "sms", "web", "store", None}
    assert len({v for v in _column(rows, "preferred_store") if v}) > 30
    orders = [v for v in _column(rows, "last_order_date") if isinstance(v, date)]
    assert max(orders) <= REFERENCE_DATE
    assert min(orders) >= date(REFERENCE_DATE.year - 3, REFERENCE_DATE.month, 1)
    for row in rows:
        first, last = (
            row[CUSTOMER_360_COLUMNS.index("first_order_date")],
            row[CUSTOMER_360_COLUMNS.index("last_order_date")],
        )
        signup = row[CUSTOMER_360_COLUMNS.index("signup_date")]
        if first is not None:
            assert signup <= first <= last
        assert 0.0 <= row[CUSTOMER_360_COLUMNS.index("churn_propensity")] <= 1.0


def test_states_lean_toward_the_big_ones_and_values_are_skewed() -> None:
    rows = list(iter_demo_rows(5_000, seed=5))
    top_states = [state for state, _ in Counter(_column(rows, "state")).most_common(4)]
    assert set(top_states) == {"CA", "TX", "NY", "FL"}
    values = sorted(v for v in _column(rows, "lifetime_value") if isinstance(v, float) and v > 0)
    median, mean = values[len(values) // 2], sum(values) / len(values)
    assert mean > median * 1.2  # a long right tail, like real spend


def test_emails_are_messy_like_a_real_customer_file() -> None:
    rows = list(iter_demo_rows(10_000, seed=42))
    emails = [e for e in _column(rows, "email") if isinstance(e, str)]
    assert 9_850 <= len(emails) < 10_000  # a few customers have no email at all
    invalid = [e for e in emails if not VALID_SHAPE.match(e.strip().lower())]
    assert 0.01 <= len(invalid) / len(rows) <= 0.03
    assert any("@" not in e for e in invalid)
    assert any(" " in e.strip() for e in invalid)
    assert any(".." in e for e in invalid)
    padded = [e for e in emails if e != e.strip()]
    mixed = [e for e in emails if e.strip() != e.strip().lower()]
    assert len(padded) > 50 and len(mixed) > 200
    owners = Counter(e.strip().lower() for e in emails)
    shared = [e for e, n in owners.items() if n > 1]
    assert 0.005 <= len(shared) / len(rows) <= 0.02


def test_sqlite_file_is_private_and_reads_back_as_the_generated_rows(tmp_path: Path) -> None:
    path = tmp_path / "c360.db"
    stats = write_demo_sqlite(path, rows=300, seed=9)
    assert stats.rows == 300 and stats.path == path and stats.seconds >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["c360.db"]  # no partial file left behind
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        meta = sa.MetaData()
        c360 = sa.Table("customer_360", meta, autoload_with=engine)
        merged = sa.Table("merged_customers", meta, autoload_with=engine)
        with engine.connect() as connection:
            stored = [
                tuple(r) for r in connection.execute(sa.select(c360).order_by(c360.c.customer_id))
            ]
            stored_merged = [
                tuple(r)
                for r in connection.execute(sa.select(merged).order_by(merged.c.customer_id))
            ]
            indexed = {
                ix["column_names"][0] for ix in sa.inspect(connection).get_indexes("customer_360")
            }
    finally:
        engine.dispose()
    expected = list(iter_demo_rows(300, seed=9))
    assert stored == expected
    assert tuple(c.name for c in c360.columns) == CUSTOMER_360_COLUMNS
    assert tuple(c.name for c in merged.columns) == MERGED_CUSTOMERS_COLUMNS
    assert stored_merged == [merged_row(row) for row in expected]
    assert {"state", "loyalty_tier", "lifetime_value", "last_order_date", "email"} <= indexed


def test_an_existing_file_is_kept_unless_overwrite_is_asked(tmp_path: Path) -> None:
    path = tmp_path / "c360.db"
    path.write_text("precious")
    with pytest.raises(DemoError, match="already exists"):
        write_demo_sqlite(path, rows=10)
    assert path.read_text() == "precious"
    write_demo_sqlite(path, rows=10, overwrite=True)
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_load_demo_into_a_sqlite_url_refuses_to_clobber_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'generic.db'}"
    load_demo(url, rows=20, seed=1)
    with pytest.raises(DemoError, match="already has the table"):
        load_demo(url, rows=20, seed=1)
    stats = load_demo(url, rows=30, seed=1, overwrite=True)
    assert stats.rows == 30
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM customer_360").scalar() == 30
    engine.dispose()


def test_rows_below_one_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DemoError, match="at least one row"):
        write_demo_sqlite(tmp_path / "x.db", rows=0)


@pytest.mark.postgres
def test_postgres_load_stores_exactly_the_generated_rows(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE SCHEMA demo_load_check")
        schema_url = sa.make_url(pg_url).update_query_dict(
            {"options": "-csearch_path=demo_load_check"}
        )
        stats = load_demo(schema_url.render_as_string(hide_password=False), rows=150, seed=2)
        assert stats.url is not None and "***" in stats.url
        meta = sa.MetaData(schema="demo_load_check")
        c360 = sa.Table("customer_360", meta, autoload_with=engine)
        with engine.connect() as connection:
            stored = [
                tuple(r) for r in connection.execute(sa.select(c360).order_by(c360.c.customer_id))
            ]
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA demo_load_check CASCADE")
        engine.dispose()
    assert stored == list(iter_demo_rows(150, seed=2))


def test_ensure_demo_db_writes_the_demo_once_under_actui_home(actui_home: Path) -> None:
    path = ensure_demo_db(rows=50)
    assert path == demo_db_path() == actui_home / "demo" / "customer360.db"
    written = path.stat().st_mtime_ns
    assert ensure_demo_db(rows=50) == path
    assert path.stat().st_mtime_ns == written
