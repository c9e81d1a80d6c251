"""SQL-mode segments: members, the suggested email column, refusals and read-only enforcement."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from actui.emails import normalize_email
from actui.segments.compiler import members_query
from actui.segments.errors import SegmentError
from actui.segments.model import SqlSegment
from actui.segments.sql_mode import query_columns, suggest_email_column
from actui.segments.validate import validate_segment
from actui.source import Source


def _members(source: Source, segment: SqlSegment) -> list[tuple[str, str]]:
    with source.read_only() as connection:
        return [tuple(row) for row in connection.execute(members_query(segment, source))]


def test_members_come_from_the_query(demo_source: Source) -> None:
    segment = SqlSegment(
        name="tx",
        sql="-- Texans\nSELECT customer_id, email AS contact FROM customer_360 "
        "WHERE state = 'TX' AND email IS NOT NULL;",
    )
    rows = _members(demo_source, segment)
    with demo_source.read_only() as connection:
        expected = set(
            connection.execute(
                text(
                    "SELECT customer_id, email FROM customer_360 "
                    "WHERE state = 'TX' AND email IS NOT NULL"
                )
            ).all()
        )
    assert rows and set(rows) == {tuple(row) for row in expected}


def test_email_column_is_suggested_by_name_then_by_content(demo_source: Source) -> None:
    assert suggest_email_column(demo_source, "SELECT city, email FROM customer_360") == "email"
    by_content = "SELECT city, email AS addr FROM customer_360 WHERE email LIKE '%@%'"
    assert suggest_email_column(demo_source, by_content) == "addr"
    assert suggest_email_column(demo_source, "SELECT city FROM customer_360") is None


def test_without_a_customer_key_the_normalized_email_is_the_key(demo_source: Source) -> None:
    segment = SqlSegment(name="e", sql="SELECT email FROM customer_360 WHERE state = 'WA'")
    rows = _members(demo_source, segment)
    assert rows and all(key == normalize_email(email) for key, email in rows if email)
    assert any(key != email for key, email in rows if email), "the demo has mixed-case emails"


def test_a_missing_email_column_is_explained(demo_source: Source) -> None:
    segment = SqlSegment(name="e", sql="SELECT city FROM customer_360", email_column="mail")
    with pytest.raises(SegmentError, match="no column 'mail'"):
        validate_segment(segment, demo_source)
    with pytest.raises(SegmentError, match="email_column"):
        members_query(SqlSegment(name="n", sql="SELECT city FROM customer_360"), demo_source)


def test_writes_are_refused_before_running(demo_source: Source) -> None:
    for sql, reason in [
        ("DELETE FROM customer_360", "starts with 'DELETE'"),
        ("SELECT email FROM customer_360; DELETE FROM customer_360", "more than one statement"),
        ("WITH x AS (UPDATE customer_360 SET email = '' RETURNING *) SELECT * FROM x", "UPDATE"),
    ]:
        with pytest.raises(SegmentError, match=reason):
            validate_segment(SqlSegment(name="w", sql=sql), demo_source)
    with demo_source.read_only() as connection:
        count = connection.execute(text("SELECT count(*) FROM customer_360")).scalar_one()
    assert count == 2000


def test_a_broken_query_names_the_database_error(demo_source: Source) -> None:
    with pytest.raises(SegmentError, match="failed in the database"):
        query_columns(demo_source, "SELECT nope FROM customer_360")


def test_the_read_only_connection_refuses_writes(demo_source: Source) -> None:
    with pytest.raises(SQLAlchemyError), demo_source.read_only() as connection:
        connection.execute(text("DELETE FROM customer_360"))
    with demo_source.read_only() as connection:
        assert connection.execute(text("SELECT count(*) FROM customer_360")).scalar_one() == 2000


@pytest.mark.postgres
def test_a_writing_function_inside_a_select_is_stopped(demo_pg_url: str) -> None:
    """A query that passes the keyword check but writes through a function still cannot write."""
    from sqlalchemy import create_engine

    engine = create_engine(demo_pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS audit_log (n int)"))
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION sneaky() RETURNS int LANGUAGE sql AS "
                "$$ INSERT INTO audit_log VALUES (1) RETURNING n $$"
            )
        )
    try:
        source = Source.connect(demo_pg_url)
        segment = SqlSegment(name="s", sql="SELECT email FROM customer_360 WHERE sneaky() = 1")
        with pytest.raises((SegmentError, SQLAlchemyError), match="read-only"):
            _members(source, segment)
        source.dispose()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 0
    finally:  # the PostgreSQL database is shared by the session: leave it clean
        with engine.begin() as connection:
            connection.execute(text("DROP FUNCTION IF EXISTS sneaky()"))
            connection.execute(text("DROP TABLE IF EXISTS audit_log"))
        engine.dispose()
