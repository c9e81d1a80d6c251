"""SQL mode's static check: one read-only SELECT/WITH, refused otherwise with a clear message."""

from __future__ import annotations

import pytest

from actui.segments.compiler import like_escape
from actui.segments.errors import SegmentError
from actui.segments.sql_mode import check_read_only_sql


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT email FROM customer_360", "SELECT email FROM customer_360"),
        ("  select email from t ;  ", "select email from t"),
        ("WITH a AS (SELECT 1 AS x) SELECT x FROM a", "WITH a AS (SELECT 1 AS x) SELECT x FROM a"),
        ("SELECT 'drop; delete' AS s -- update\n", "SELECT 'drop; delete' AS s"),
        ("SELECT /* insert */ email FROM t", "SELECT   email FROM t"),
        ('SELECT "update" FROM t', 'SELECT "update" FROM t'),
        ("SELECT $$ ; drop $$ AS x", "SELECT $$ ; drop $$ AS x"),
        ("SELECT replace(email, ' ', '') AS email FROM t", None),
    ],
)
def test_read_only_queries_are_accepted(sql: str, expected: str | None) -> None:
    assert check_read_only_sql(sql) == (expected or sql)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM customer_360", "starts with 'DELETE'"),
        ("SELECT 1; DROP TABLE customer_360", "more than one statement"),
        ("SELECT 1;; ", "more than one statement"),
        ("PRAGMA query_only = 0", "starts with 'PRAGMA'"),
        ("ATTACH DATABASE 'x.db' AS x", "starts with 'ATTACH'"),
        ("SELECT * INTO backup FROM customer_360", "uses INTO"),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "uses DELETE"),
        ("SELECT * FROM t FOR UPDATE", "uses UPDATE"),
        ("COPY t TO '/tmp/x'", "starts with 'COPY'"),
        ("SELECT pg_terminate_backend(1)", "pg_terminate_backend()"),
        ("SELECT 'unterminated", "never closed"),
        ("-- only a comment", "empty"),
        ("/* open comment SELECT 1", "never closed"),
    ],
)
def test_anything_else_is_refused_with_a_reason(sql: str, message: str) -> None:
    with pytest.raises(SegmentError) as caught:
        check_read_only_sql(sql)
    assert message in str(caught.value)


def test_like_escape_makes_wildcards_literal() -> None:
    assert like_escape("50%_off!") == "50!%!_off!!"
