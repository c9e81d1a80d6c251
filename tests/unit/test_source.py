"""Source over the demo Customer 360: catalog, counts, picklists, email column, on both backends."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from actui.config import SourceSettings
from actui.demo.data import iter_demo_rows
from actui.demo.schema import CUSTOMER_360_COLUMNS
from actui.source import ColumnKind, Source, SourceError
from tests.fixtures.demo import DEMO_ROWS, DEMO_SEED

EXPECTED_KINDS = {
    "customer_id": ColumnKind.STRING,
    "email": ColumnKind.STRING,
    "birthdate": ColumnKind.DATE,
    "state": ColumnKind.STRING,
    "lifetime_value": ColumnKind.NUMBER,
    "order_count": ColumnKind.NUMBER,
    "last_order_date": ColumnKind.DATE,
    "churn_propensity": ColumnKind.NUMBER,
    "email_opt_in": ColumnKind.BOOLEAN,
    "sms_opt_in": ColumnKind.BOOLEAN,
    "signup_date": ColumnKind.DATE,
    "last_seen_at": ColumnKind.DATETIME,
}


def _demo_values(name: str) -> list[object]:
    index = CUSTOMER_360_COLUMNS.index(name)
    return [row[index] for row in iter_demo_rows(DEMO_ROWS, DEMO_SEED)]


def test_catalog_lists_the_tables_and_column_kinds(demo_source: Source) -> None:
    assert demo_source.tables() == ["customer_360", "merged_customers", "orders"]
    columns = demo_source.columns("customer_360")
    assert [c.name for c in columns] == list(CUSTOMER_360_COLUMNS)
    kinds = {c.name: c.kind for c in columns}
    assert {name: kinds[name] for name in EXPECTED_KINDS} == EXPECTED_KINDS
    key = demo_source.column("customer_360", "customer_id")
    spelled = {"mysql": "VARCHAR(255)", "duckdb": "VARCHAR"}.get(demo_source.dialect, "TEXT")
    assert key.nullable is False and key.sql_type == spelled
    assert demo_source.column("customer_360", "email").nullable is True
    assert demo_source.table("customer_360") is demo_source.table("customer_360")


def test_row_count_is_exact(demo_source: Source) -> None:
    assert demo_source.row_count("customer_360").model_dump() == {
        "rows": DEMO_ROWS,
        "estimated": False,
    }


def test_picklist_counts_match_the_data_most_frequent_first(demo_source: Source) -> None:
    picklist = demo_source.picklist("customer_360", "loyalty_tier")
    expected = Counter(_demo_values("loyalty_tier"))
    assert {e.value: e.count for e in picklist.entries} == dict(expected)
    counts = [e.count for e in picklist.entries]
    assert counts == sorted(counts, reverse=True)
    assert (picklist.sampled, picklist.capped, picklist.sample_rows, picklist.note) == (
        False,
        False,
        None,
        None,
    )


def test_picklist_keeps_value_types_and_caps_long_lists(demo_source: Source) -> None:
    opt_in = demo_source.picklist("customer_360", "email_opt_in")
    assert {e.value for e in opt_in.entries} == {True, False}
    dates = demo_source.picklist("customer_360", "last_order_date", limit=5)
    assert dates.capped is True and len(dates.entries) == 5
    assert all(isinstance(e.value, date) or e.value is None for e in dates.entries)
    emails = demo_source.picklist("customer_360", "email", limit=3)
    top_email_count = Counter(_demo_values("email")).most_common(1)[0][1]
    assert emails.capped and emails.entries[0].count == top_email_count


def test_picklist_is_cached_and_safe_from_many_threads(demo_source: Source) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: demo_source.picklist("customer_360", "state"), range(16)))
    assert all(result is results[0] for result in results)
    assert results[0].entries[0].value == "CA"


def test_missing_table_or_column_names_the_nearest_match(demo_source: Source) -> None:
    with pytest.raises(SourceError, match=r"no table 'customer360' .*did you mean customer_360\?"):
        demo_source.table("customer360")
    with pytest.raises(SourceError, match=r"no column 'emial' in table customer_360: did you"):
        demo_source.column("customer_360", "emial")
    with pytest.raises(SourceError, match="no column 'zzz' in table merged_customers: the col"):
        demo_source.picklist("merged_customers", "zzz")


def test_email_column_is_found_by_name(demo_source: Source) -> None:
    assert demo_source.email_column() == "email"
    assert demo_source.email_column("merged_customers") == "email"


def test_read_only_connection_refuses_writes(demo_source: Source) -> None:
    with demo_source.read_only() as connection, pytest.raises(sa.exc.DBAPIError):
        connection.exec_driver_sql("DELETE FROM customer_360")
    assert demo_source.row_count("customer_360").rows == DEMO_ROWS
    with demo_source.engine.connect() as connection:  # the pooled connection is writable again
        connection.exec_driver_sql("CREATE TEMPORARY TABLE scratch (x INTEGER)")


def test_big_tables_get_a_labelled_sampled_picklist(
    demo_source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actui.source.source.SAMPLE_THRESHOLD_ROWS", 500)
    monkeypatch.setattr("actui.source.picklists.SAMPLE_ROWS", 1_000)
    picklist = demo_source.picklist("customer_360", "loyalty_tier")
    assert picklist.sampled is True
    assert picklist.sample_rows is not None and 0 < picklist.sample_rows < DEMO_ROWS
    assert sum(e.count for e in picklist.entries) == picklist.sample_rows
    assert picklist.note is not None and f"of {DEMO_ROWS:,} rows" in picklist.note
    assert "sample" in picklist.note


def test_sqlite_and_postgres_agree(demo_sqlite_url: str, demo_pg_url: str) -> None:
    sources = [Source.connect(demo_sqlite_url), Source.connect(demo_pg_url)]
    try:
        views = []
        for source in sources:
            views.append(
                {
                    "tables": source.tables(),
                    "kinds": [(c.name, c.kind) for c in source.columns("customer_360")],
                    "merged": [(c.name, c.kind) for c in source.columns("merged_customers")],
                    "rows": source.row_count("customer_360"),
                    "picklists": [
                        source.picklist("customer_360", column, limit=8).model_dump()
                        for column in (
                            "state",
                            "loyalty_tier",
                            "gender",
                            "email_opt_in",
                            "last_order_date",
                            "lifetime_value",
                            "email",
                            "preferred_store",
                        )
                    ],
                }
            )
    finally:
        for source in sources:
            source.dispose()
    assert views[0] == views[1]


def test_postgres_flags_estimated_counts_for_huge_tables(
    demo_pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actui.source.source.ESTIMATE_ABOVE_ROWS", 100)
    source = Source.connect(demo_pg_url)
    try:
        count = source.row_count("customer_360")
    finally:
        source.dispose()
    assert count.estimated is True
    assert count.rows == DEMO_ROWS  # the load ran ANALYZE, so the estimate is exact here


# -- tables built for one test ----------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database per test on each backend (PostgreSQL: a schema dropped afterwards)."""
    if request.param == "sqlite":
        path = tmp_path / "scratch.db"
        path.touch()  # an empty file is an empty SQLite database
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    schema = f"scratch_{request.node.name.split('[')[0][-20:]}".lower()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()

    request.addfinalizer(drop)
    scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def _create(url: str, table: sa.Table, rows: list[dict[str, object]]) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            table.create(connection)
            connection.execute(table.insert(), rows)
    finally:
        engine.dispose()


def test_mixed_case_names_with_spaces_work(scratch_url: str) -> None:
    table = sa.Table(
        "Customer List",
        sa.MetaData(),
        sa.Column("Customer ID", sa.Integer, primary_key=True),
        sa.Column("Loyalty Tier", sa.Text),
        sa.Column("E-Mail Address", sa.Text),
    )
    tiers = ["Gold", "gold", "Silver", "Gold", None]
    _create(
        scratch_url,
        table,
        [
            {"Customer ID": i, "Loyalty Tier": tier, "E-Mail Address": f"p{i}@example.com"}
            for i, tier in enumerate(tiers)
        ],
    )
    source = Source.connect(scratch_url)
    try:
        picklist = source.picklist("Customer List", "Loyalty Tier")
        assert [(e.value, e.count) for e in picklist.entries] == [
            ("Gold", 2),
            ("Silver", 1),
            ("gold", 1),
            (None, 1),
        ]
        assert source.row_count("Customer List").rows == 5
        assert source.email_column("Customer List") == "E-Mail Address"
    finally:
        source.dispose()


def test_email_column_found_by_content_or_reported_missing(scratch_url: str) -> None:
    meta = sa.MetaData()
    contacts = sa.Table(
        "contacts",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.Text),
        sa.Column("contact", sa.Text),
    )
    _create(
        scratch_url,
        contacts,
        [{"id": i, "note": f"called {i}", "contact": f"c{i}@shop.example"} for i in range(30)],
    )
    stores = sa.Table("stores", meta, sa.Column("id", sa.Integer), sa.Column("name", sa.Text))
    _create(scratch_url, stores, [{"id": 1, "name": "Union Square"}])
    source = Source.connect(scratch_url)
    try:
        assert source.email_column("contacts") == "contact"
        with pytest.raises(SourceError, match="Table stores has no column that looks like email"):
            source.email_column("stores")
    finally:
        source.dispose()
    configured = Source.connect(scratch_url, SourceSettings(email_column="mail"))
    try:
        with pytest.raises(SourceError, match="no column 'mail' in table contacts"):
            configured.email_column("contacts")
    finally:
        configured.dispose()


def test_a_real_big_sqlite_table_samples_its_unique_column(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT)")
        connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250000) "
            "INSERT INTO people SELECT i, 'p' || i || '@example.com' FROM n"
        )
        connection.exec_driver_sql("CREATE VIEW people_view AS SELECT * FROM people")
    engine.dispose()
    source = Source.connect(f"sqlite:///{path}")
    try:
        picklists = [source.picklist(name, "email", limit=10) for name in ("people", "people_view")]
    finally:
        source.dispose()
    for picklist in picklists:  # a view has no rowid: its sample is its first rows
        assert picklist.sampled and picklist.capped
        assert picklist.sample_rows is not None and 50_000 <= picklist.sample_rows <= 150_000
        assert {e.count for e in picklist.entries} == {1}
        assert picklist.note is not None and "of 250,000 rows" in picklist.note
