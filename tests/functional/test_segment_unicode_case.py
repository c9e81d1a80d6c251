# ruff: noqa: RUF001
"""Case-insensitive text conditions find the same rows on SQLite and PostgreSQL, beyond ASCII:
German ß and Ü, Turkish İ, Greek sigma (final and not)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from actui.segments.compiler import members_query
from actui.segments.model import parse_segment
from actui.source import Source
from actui.textcase import lower_like_postgres

TABLE = "case_people"
NAMES = [
    "Zürich",
    "ZÜRICH",
    "zürich",
    "Zurich",
    "Müller",
    "MÜLLER",
    "Mueller",
    "Straße",
    "STRASSE",
    "STRAẞE",
    "strasse",
    "İstanbul",
    "ISTANBUL",
    "istanbul",
    "ıstanbul",
    "ΟΔΟΣ",
    "οδος",
    "Οδός",
    "ΣΊΣΥΦΟΣ",
    "σίσυφος",
    "Σίσυφος",
    "\u212aelvin",  # the Kelvin sign: lower-cases to an ASCII k
    "kelvin",
    "",
    None,
]

#: (operator, value): every one case-insensitive
CONDITIONS: list[tuple[str, Any]] = [
    ("is", "ZÜRICH"),
    ("is", "zürich"),
    ("is", "Zurich"),
    ("is not", "ZÜRICH"),
    ("is one of", ["ZÜRICH", "İSTANBUL"]),
    ("is not one of", ["müller", "οδος"]),
    ("contains", "MÜL"),
    ("contains", "ü"),
    ("does not contain", "Ü"),
    ("is", "straße"),
    ("is", "STRASSE"),
    ("is", "STRAẞE"),
    ("contains", "ß"),
    ("contains", "SS"),
    ("is", "istanbul"),
    ("is", "İSTANBUL"),
    ("is", "İstanbul"),
    ("contains", "İST"),
    ("starts with", "ist"),
    ("starts with", "İs"),
    ("is", "ΟΔΟΣ"),
    ("is", "οδος"),
    ("is", "οδοσ"),
    ("ends with", "ΟΣ"),
    ("ends with", "ος"),
    ("contains", "σ"),
    ("contains", "Σ"),
    ("is", "σίσυφος"),
    ("starts with", "ΣΊ"),
    ("is", "kelvin"),
    ("contains", "KEL"),
]


def _write(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
        connection.execute(
            sa.text(
                f"CREATE TABLE {TABLE} (customer_id INTEGER PRIMARY KEY, email TEXT, city TEXT)"
            )
        )
        connection.execute(
            sa.text(f"INSERT INTO {TABLE} VALUES (:id, :email, :city)"),
            [
                {"id": i, "email": f"p{i}@example.com", "city": name}
                for i, name in enumerate(NAMES, start=1)
            ],
        )


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> Iterator[dict[str, Source]]:
    sqlite_path: Path = tmp_path_factory.mktemp("case") / "people.db"
    sa.create_engine(f"sqlite:///{sqlite_path}").dispose()
    made = {"sqlite": f"sqlite:///{sqlite_path}", "postgres": pg_url}
    opened: dict[str, Source] = {}
    for name, url in made.items():
        engine = sa.create_engine(url)
        _write(engine)
        engine.dispose()
        opened[name] = Source.connect(url)
    with opened["postgres"].read_only() as connection:
        ctype = connection.execute(sa.text("SHOW lc_ctype")).scalar_one()
        if connection.execute(sa.text("SELECT lower('Ü')")).scalar_one() != "ü":
            pytest.fail(f"this PostgreSQL lower() folds ASCII only (lc_ctype {ctype})")
    yield opened
    for source in opened.values():
        source.dispose()
    for url in made.values():  # the PostgreSQL database is shared by the whole session
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE {TABLE}"))
        engine.dispose()


def _members(source: Source, operator: str, value: Any) -> list[str | None]:
    segment = parse_segment(
        {
            "version": 1,
            "name": "case",
            "table": TABLE,
            "conditions": [{"attribute": "city", "operator": operator, "value": value}],
        }
    )
    with source.read_only() as connection:
        keys = sorted(row[0] for row in connection.execute(members_query(segment, source)))
    return [NAMES[int(key) - 1] for key in keys]


@pytest.mark.parametrize(("operator", "value"), CONDITIONS, ids=[f"{o} {v}" for o, v in CONDITIONS])
def test_sqlite_finds_what_postgresql_finds(
    sources: dict[str, Source], operator: str, value: Any
) -> None:
    assert _members(sources["sqlite"], operator, value) == _members(
        sources["postgres"], operator, value
    )


def test_the_cases_that_used_to_differ(sources: dict[str, Source]) -> None:
    sqlite = sources["sqlite"]
    assert _members(sqlite, "is", "ZÜRICH") == ["Zürich", "ZÜRICH", "zürich"]
    assert _members(sqlite, "contains", "MÜL") == ["Müller", "MÜLLER"]
    assert _members(sqlite, "is", "οδοσ") == ["ΟΔΟΣ"]  # each sigma on its own, as PostgreSQL
    assert _members(sqlite, "is", "STRAẞE") == ["Straße", "STRAẞE"]  # ß is not ss


def test_lower_like_postgres_character_by_character() -> None:
    assert lower_like_postgres("İSTANBUL") == "istanbul"
    assert lower_like_postgres("ΟΔΟΣ") == "οδοσ"
    assert lower_like_postgres("STRAẞE") == "straße"
    assert lower_like_postgres("Straße") == "straße"
    assert lower_like_postgres("\u212a") == "k"
    assert lower_like_postgres(None) is None
    assert lower_like_postgres(12) == "12"
