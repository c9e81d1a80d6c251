"""SQLite reads stop after the statement timeout, but a slow reader of a stream is not cut off."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from actui.source import Source
from actui.source import source as source_module

ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


@pytest.fixture
def tiny_db(tmp_path: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c360.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customer_360 (customer_id TEXT, email TEXT)")
        connection.exec_driver_sql(
            "INSERT INTO customer_360 VALUES ('c1', 'a@example.com'), ('c2', 'b@example.com')"
        )
    engine.dispose()
    return f"sqlite:///{tmp_path / 'c360.db'}"


def test_a_runaway_sqlite_query_is_interrupted(
    tiny_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 300)
    source = Source.connect(tiny_db)
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError, match="interrupted"), source.read_only() as c:
        c.exec_driver_sql(ENDLESS).scalar()
    assert time.monotonic() - started < 5
    # the connection is usable again afterwards, without the deadline
    with source.read_only() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM customer_360").scalar() == 2
    source.dispose()


def test_time_spent_between_fetches_does_not_count(
    tiny_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_module, "STATEMENT_TIMEOUT_MS", 300)
    source = Source.connect(tiny_db)
    rows = []
    with source.read_only() as connection:
        result = connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
            "SELECT i FROM n"
        )
        for row in result:
            rows.append(row[0])
            if len(rows) % 1000 == 0:
                time.sleep(0.4)  # a slow consumer: longer than the whole budget
    assert len(rows) == 3000
    source.dispose()
