"""Audience sizes on awkward values equal hand-written SQL, on every engine the tests execute.

The table holds NULLs, ``%`` and ``_`` inside values, quotes, a backslash, mixed case, accents
(and the same word without them), blank and space-padded text and non-ASCII text. For each
segment, the customers counted must be the rows of a query an analyst would write by hand for
that engine, and the emails those rows' emails as a send judges them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from actui.config import SourceSettings
from actui.emails import check_email, sql_email_reason
from actui.segments.insights import audience_size
from actui.segments.model import parse_segment
from actui.source import Source

ROWS: list[tuple[str, str | None, str | None, float | None]] = [
    ("c01", "Ann@Mail.com", "O'Brien", 10),
    ("c02", "ann@mail.com ", "100%", None),
    ("c03", None, "a_b", 5),
    ("c04", "bad email", "axb", 7.5),
    ("c05", "zo\u00eb@mail.com", "Zo\u00eb", -1),
    ("c06", "x@mail.test", "ZO\u00cb", 0),
    ("c07", " B@Mail.Com", None, 20),
    ("c08", "", "", None),
    ("c09", "c@mail.co", "back\\slash", 3),
    ("c10", "d@mail.co", 'it\'s "quoted"', 3),
    ("c11", "E@MAIL.CO", "MiXeD Case", 4),
    ("c12", "f@mail.co", "\u65e5\u672c\u8a9e", 100),
    ("c13", "g@mail.co", "  padded  ", 1),
    ("c14", "h@mail.co", "padded", 2),
    ("c15", "i@mail.co", "   ", 2.5),
    ("c16", "j@mail.co", "Zoe", 6),
    ("c17", "k@mail.co", "100x", None),
]

#: (segment conditions, hand-written WHERE clause); ``{exact:X}`` compares X byte for byte, which
#: MySQL and MariaDB need written out (their collations ignore case, accents and trailing spaces)
CASES: list[tuple[str, list[dict[str, Any]], str, dict[str, Any]]] = [
    (
        "is, ignoring case",
        [{"attribute": "note", "operator": "is", "value": "o'brien"}],
        "{exact:lower(note)} = {exact::v}",
        {"v": "o'brien"},
    ),
    (
        "contains a percent sign",
        [{"attribute": "note", "operator": "contains", "value": "%"}],
        "note LIKE :v ESCAPE '!'",
        {"v": "%!%%"},
    ),
    (
        "contains an underscore",
        [{"attribute": "note", "operator": "contains", "value": "_"}],
        "note LIKE :v ESCAPE '!'",
        {"v": "%!_%"},
    ),
    (
        "is a backslash text, case-sensitive",
        [{"attribute": "note", "operator": "is", "value": "back\\slash", "case_sensitive": True}],
        "{exact:note} = {exact::v}",
        {"v": "back\\slash"},
    ),
    (
        "is a quoted text",
        [{"attribute": "note", "operator": "is", "value": 'it\'s "quoted"'}],
        "{exact:lower(note)} = {exact::v}",
        {"v": 'it\'s "quoted"'},
    ),
    (
        "is, with an accent, case-sensitive",
        [{"attribute": "note", "operator": "is", "value": "Zo\u00eb", "case_sensitive": True}],
        "{exact:note} = {exact::v}",
        {"v": "Zo\u00eb"},
    ),
    (
        "ends with an accented letter, case-sensitive",
        [{"attribute": "note", "operator": "ends with", "value": "\u00eb", "case_sensitive": True}],
        "{exact:note} LIKE {exact::v}",
        {"v": "%\u00eb"},
    ),
    (
        "is mixed case, ignoring case",
        [{"attribute": "note", "operator": "is", "value": "mixed case"}],
        "{exact:lower(note)} = {exact::v}",
        {"v": "mixed case"},
    ),
    (
        "is empty",
        [{"attribute": "note", "operator": "is empty"}],
        "note IS NULL OR {exact:note} = {exact::v}",
        {"v": ""},
    ),
    (
        "is not, missing values included",
        [{"attribute": "note", "operator": "is not", "value": "padded"}],
        "note IS NULL OR {exact:lower(note)} <> {exact::v}",
        {"v": "padded"},
    ),
    (
        "is non-ASCII text",
        [{"attribute": "note", "operator": "is one of", "value": ["\u65e5\u672c\u8a9e", "Zoe"]}],
        "{exact:lower(note)} IN ({exact::a}, {exact::b})",
        {"a": "\u65e5\u672c\u8a9e", "b": "zoe"},
    ),
    (
        "number greater than",
        [{"attribute": "score", "operator": "greater than", "value": 3}],
        "score > 3",
        {},
    ),
    (
        "number between, NULLs out",
        [{"attribute": "score", "operator": "between", "value": [0, 5]}],
        "score BETWEEN 0 AND 5",
        {},
    ),
    ("number is empty", [{"attribute": "score", "operator": "is empty"}], "score IS NULL", {}),
    ("everyone", [], "1 = 1", {}),
]

_TEXT = sa.Text().with_variant(sa.String(100), "mysql", "mariadb")


def _write_edge(url: str) -> None:
    engine = sa.create_engine(url)
    table = sa.Table(
        "edge",
        sa.MetaData(),
        sa.Column("customer_id", _TEXT, primary_key=True),
        sa.Column("email", _TEXT),
        sa.Column("note", _TEXT),
        sa.Column("score", sa.Double()),
    )
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [
                dict(zip(("customer_id", "email", "note", "score"), row, strict=True))
                for row in ROWS
            ],
        )
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres", "mariadb", "duckdb"])
def edge_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The edge-case table on each executed engine, written once for this module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('edge') / 'edge.db'}"
    elif request.param == "duckdb":
        url = f"duckdb:///{request.getfixturevalue('duckdb_path').parent / 'edge.duckdb'}"
    else:
        fixture = "pg_url" if request.param == "postgres" else "mysql_url"
        url = str(request.getfixturevalue(fixture))
    _write_edge(url)
    yield url
    engine = sa.create_engine(url)  # server databases are shared by the session
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS edge")
    engine.dispose()


def _hand_written(where: str, dialect: str) -> str:
    """``where`` with each ``{exact:X}`` spelled for ``dialect``."""
    parts = where.split("{exact:")
    text = parts[0]
    for part in parts[1:]:
        inner, _, rest = part.partition("}")
        text += (f"CAST({inner} AS BINARY)" if dialect in ("mysql", "mariadb") else inner) + rest
    return text


@pytest.mark.parametrize(
    ("conditions", "where", "params"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_counts_equal_hand_written_sql(
    edge_url: str, conditions: list[dict[str, Any]], where: str, params: dict[str, Any]
) -> None:
    segment = parse_segment({"version": 1, "name": "edge", "conditions": conditions})
    settings = SourceSettings(segment_table="edge", attribute_table="edge")
    source = Source.connect(edge_url, settings)
    try:
        size = audience_size(segment, source)
        query = f"SELECT email FROM edge WHERE {_hand_written(where, source.dialect)}"
        with source.read_only() as connection:
            emails = list(connection.execute(sa.text(query), params).scalars())
    finally:
        source.dispose()
    assert size.customers == len(emails)
    sendable = {check_email(raw)[0] for raw in emails if sql_email_reason(raw) is None}
    assert size.contacts == len(sendable)
    assert size.missing_email + size.invalid_email == sum(
        1 for raw in emails if sql_email_reason(raw) is not None
    )
    assert size.total == len(ROWS)


def test_the_table_has_the_awkward_values_the_counts_are_about() -> None:
    notes = [row[2] for row in ROWS]
    assert None in notes and "" in notes and "   " in notes
    assert any("%" in note for note in notes if note) and any("_" in n for n in notes if n)
    assert any(not note.isascii() for note in notes if note)
    assert {"Zo\u00eb", "ZO\u00cb", "Zoe"} <= set(notes)
