"""The shared email rule reaches SQL: SQLite's function, MySQL's REGEXP, the portable fallback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mssql, mysql

from actui.campaigns.emails import check_email
from actui.emails import SQLITE_EMAIL_REASON_FUNCTION, sql_email_reason
from actui.segments.email_sql import email_reason_sql, is_exact, valid_email_sql
from actui.source.connect import create_source_engine


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    path = tmp_path / "emails.db"
    sqlite3.connect(path).close()
    return create_source_engine(sa.make_url(f"sqlite:///{path}"))


@pytest.mark.parametrize(
    "raw",
    [" Jane@Mail.COM ", "a@mail.test", "a@@b.co", None, "", "\u212a@mail.com", "a..b@c.io"],
)
def test_every_sqlite_connection_judges_emails_with_the_send_rule(
    engine: sa.Engine, raw: str | None
) -> None:
    for _ in range(2):  # a fresh pooled connection gets the function too
        with engine.connect() as connection:
            reason = connection.execute(
                sa.select(sa.func.actui_email_reason(sa.literal(raw, sa.String)))
            ).scalar_one()
        engine.dispose()
        assert reason == sql_email_reason(raw)


def test_the_kelvin_sign_is_refused_like_a_send_refuses_it() -> None:
    assert check_email("\u212a@mail.com") == ("k@mail.com", None)  # lower-cases to ASCII...
    assert sql_email_reason("\u212a@mail.com") == "invalid email: has non-ASCII characters"


def test_the_function_is_deterministic_so_sqlite_may_index_it(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE people (email TEXT)"))
        connection.execute(
            sa.text(f"CREATE INDEX by_reason ON people ({SQLITE_EMAIL_REASON_FUNCTION}(email))")
        )
        connection.execute(sa.text("INSERT INTO people VALUES ('a@b.co'), ('nope')"))
        bad = connection.execute(
            sa.text(
                f"SELECT count(*) FROM people "
                f"WHERE {SQLITE_EMAIL_REASON_FUNCTION}(email) IS NOT NULL"
            )
        ).scalar_one()
    assert bad == 1


def test_databases_without_a_regex_get_the_documented_like_approximation() -> None:
    email = sa.column("email", sa.String)
    compiled = str(valid_email_sql(email, "mssql").compile(dialect=mssql.dialect()))
    assert "LIKE" in compiled
    assert SQLITE_EMAIL_REASON_FUNCTION not in compiled
    assert not is_exact("mssql")


def test_mysql_judges_emails_with_regexp_not_like() -> None:
    email = sa.column("email", sa.String)
    compiled = str(email_reason_sql(email, "mysql").compile(dialect=mysql.dialect()))
    assert " REGEXP " in compiled and "LIKE" not in compiled
    assert is_exact("mysql") and is_exact("mariadb")
