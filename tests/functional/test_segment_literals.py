"""User text in conditions matches literally: quotes, SQL, wildcards, backslashes, unicode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, select

from actui.config import SourceSettings
from actui.segments.compiler import members_query
from actui.segments.model import Condition, RuleSegment
from actui.source import Source
from actui.source.connect import create_source_engine, parse_source_url

TRICKY = [
    "O'Brien",
    "'; DROP TABLE people; --",
    "100%",
    "100x",
    "a_b",
    "axb",
    "back\\slash",
    "back/slash",
    "bang!mark",
    "Zoë",
    "ZOË",
    "日本語",
    'double "quote"',
    "",
]


#: MySQL and MariaDB key only sized text
_TEXT = Text().with_variant(String(100), "mysql", "mariadb")


def _write_people(url: str) -> None:
    engine = create_engine(url)
    table = Table(
        "people",
        MetaData(),
        Column("customer_id", _TEXT, primary_key=True),
        Column("email", _TEXT),
        Column("note", _TEXT),
    )
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [
                {"customer_id": f"c{index}", "email": f"p{index}@example.com", "note": value}
                for index, value in enumerate(TRICKY)
            ],
        )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres", "mariadb", "duckdb"])
def people_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A tiny table whose values are injection and wildcard attempts, one customer each."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tricky.db'}"
    elif request.param == "duckdb":
        url = f"duckdb:///{request.getfixturevalue('duckdb_path').parent / 'tricky.duckdb'}"
    else:
        fixture = "pg_url" if request.param == "postgres" else "mysql_url"
        url = str(request.getfixturevalue(fixture))
    _write_people(url)
    yield url
    engine = create_engine(url)  # server databases are shared by the session: leave them clean
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS people")
    engine.dispose()


@pytest.fixture
def tricky_source(people_url: str) -> Iterator[Source]:
    settings = SourceSettings(segment_table="people", attribute_table="people")
    source = Source.connect(people_url, settings)
    yield source
    source.dispose()


def _notes(
    source: Source, operator: str, value: str | None, case_sensitive: bool = True
) -> set[str]:
    segment = RuleSegment(
        name="t",
        conditions=[Condition(attribute="note", operator=operator, value=value)],
        case_sensitive=case_sensitive,
    )
    with source.read_only() as connection:
        keys = {row.customer_key for row in connection.execute(members_query(segment, source))}
    return {TRICKY[int(key[1:])] for key in keys}


def test_every_operator_matches_the_text_literally(tricky_source: Source) -> None:
    for value in [item for item in TRICKY if item]:
        assert _notes(tricky_source, "is", value) == {value}
        assert _notes(tricky_source, "contains", value) == {
            item for item in TRICKY if value in item
        }
        assert _notes(tricky_source, "starts with", value) == {
            item for item in TRICKY if item.startswith(value)
        }
        assert _notes(tricky_source, "ends with", value) == {
            item for item in TRICKY if item.endswith(value)
        }
        assert _notes(tricky_source, "does not contain", value) == {
            item for item in TRICKY if value not in item
        }


def test_wildcards_do_not_widen_a_match(tricky_source: Source) -> None:
    assert _notes(tricky_source, "contains", "%") == {"100%"}
    assert _notes(tricky_source, "contains", "_") == {"a_b"}
    assert _notes(tricky_source, "ends with", "0%", case_sensitive=False) == {"100%"}
    assert _notes(tricky_source, "contains", "\\") == {"back\\slash"}
    assert _notes(tricky_source, "contains", "!") == {"bang!mark"}
    assert _notes(tricky_source, "is empty", None) == {""}


def test_case_sensitive_is_exact_and_default_ignores_ascii_case(tricky_source: Source) -> None:
    assert _notes(tricky_source, "is", "o'brien", case_sensitive=True) == set()
    assert _notes(tricky_source, "is", "o'brien", case_sensitive=False) == {"O'Brien"}
    assert _notes(tricky_source, "contains", "BRI", case_sensitive=False) == {"O'Brien"}
    assert _notes(tricky_source, "ends with", "Ë", case_sensitive=True) == {"ZOË"}


def test_injection_leaves_the_table_untouched(tricky_source: Source, people_url: str) -> None:
    for operator in ("is", "contains", "starts with", "is not", "does not contain"):
        _notes(tricky_source, operator, "'; DROP TABLE people; --")
        _notes(tricky_source, operator, "x'); DELETE FROM people; --")
    tricky_source.dispose()  # DuckDB opens a file once per process, read-only or not
    engine = create_source_engine(parse_source_url(people_url))
    with engine.connect() as connection:
        table = Table("people", MetaData(), autoload_with=connection)
        notes = [row.note for row in connection.execute(select(table))]
    engine.dispose()
    assert sorted(notes) == sorted(TRICKY)
