"""Customer 360s that are not the demo's: detected, counted, split and sent with no config edited.

Each of the four shapes of :mod:`tests.fixtures.foreign` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from actui.cli import cli
from tests.fixtures.foreign import (
    SHAPES,
    audience,
    build,
    hand_count,
    persons,
    sendable_emails,
)
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import subscribed

BACKENDS = ["sqlite", "postgres"]


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(params=BACKENDS)
def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """Build a shape on this test's backend and return its URL."""

    def make(shape: str) -> str:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'{shape}.db'}"
        else:
            new_pg_url: Callable[[], str] = request.getfixturevalue("new_pg_url")
            url = new_pg_url()
        build(shape, url)
        return url

    return make


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_source_show_says_what_was_detected_and_why(
    shape: str, make_db: Callable[[str], str]
) -> None:
    url = make_db(shape)
    result = _run("source", "show", "--db", url, "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    expected = SHAPES[shape]
    assert (
        shown["segment_table"],
        shown["attribute_table"],
        shown["customer_key"],
        shown["email_column"],
    ) == (
        expected.segment_table,
        expected.attribute_table,
        expected.customer_key,
        expected.email_column,
    )
    for name, origin in expected.origins.items():
        assert shown["origins"][name] == origin
    text = _run("source", "show", "--db", url)
    assert text.exit_code == 0 and expected.segment_table in text.output


@pytest.mark.parametrize("shape", list(SHAPES))
def test_count_equals_hand_written_sql(
    shape: str, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_db(shape)
    segment = _write(tmp_path, "segment.json", SHAPES[shape].segment())
    result = _run("count", segment, "--db", url, "--json")
    assert result.exit_code == 0, result.output
    counted = json.loads(result.stdout)
    assert counted["customers"] == hand_count(url, SHAPES[shape].count_sql) > 0
    assert counted["contacts"] == len(sendable_emails(audience(persons())))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_campaign_preview_splits_by_the_set_percentages(
    shape: str, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_db(shape)
    campaign = {
        "version": 1,
        "name": f"Split {shape}",
        "audience": SHAPES[shape].segment(),
        "groups": [
            {"name": "A", "percent": 50, "destination": "nowhere", "list": "A"},
            {"name": "B", "percent": 30, "destination": "nowhere", "list": "B"},
            {"name": "Control", "percent": 20, "control": True},
        ],
    }
    path = _write(tmp_path, "campaign.json", campaign)
    result = _run("campaigns", "preview", path, "--db", url, "--json")
    assert result.exit_code == 0, result.output
    sizes = {group["group"]: group["size"] for group in json.loads(result.stdout)["groups"]}
    contacts = len(sendable_emails(audience(persons())))
    assert sum(sizes.values()) == contacts
    for group, percent in (("A", 50), ("B", 30), ("Control", 20)):
        assert abs(sizes[group] / contacts * 100 - percent) < 5, sizes


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_segment_send_leaves_the_list_equal_to_the_audience(
    shape: str, make_db: Callable[[str], str], tmp_path: Path, sandbox: RunningSandbox
) -> None:
    url = make_db(shape)
    segment = _write(tmp_path, "segment.json", SHAPES[shape].segment())
    list_name = f"Foreign {shape}"
    result = _run(
        "send", "--segment", segment, "--destination", "sandbox", "--list", list_name,
        "--db", url, "--json",
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output  # 1: the invalid emails were rejected
    assert subscribed(sandbox.sandbox.dump(), list_name) == sendable_emails(audience(persons()))


def test_a_key_saved_for_a_view_is_used_and_its_repeats_reported(
    make_db: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_db("view")
    segment = _write(tmp_path, "segment.json", SHAPES["view"].segment())
    before = json.loads(_run("count", segment, "--db", url, "--json").stdout)
    saved = _run("source", "set", "--db", url, "--customer-key", "person_ref")
    assert saved.exit_code == 0, saved.output
    assert "not unique" in saved.output and "rows repeat a key" in saved.output
    shown = json.loads(_run("source", "show", "--db", url, "--json").stdout)
    assert shown["customer_key"] == "person_ref"
    assert shown["origins"]["customer_key"] == "saved by you"
    assert shown["warnings"] and "not unique" in shown["warnings"][0]
    after = json.loads(_run("count", segment, "--db", url, "--json").stdout)
    distinct = hand_count(
        url,
        "SELECT COUNT(DISTINCT person_ref) FROM people WHERE city IN ('Zürich', 'Paris')",
    )
    assert after["customers"] == distinct < before["customers"]
    reset = _run("source", "reset", "--db", url)
    assert reset.exit_code == 0
    shown = json.loads(_run("source", "show", "--db", url, "--json").stdout)
    assert shown["customer_key"] is None


def test_a_sql_segment_needs_no_customer_360_and_keys_by_the_returned_key(
    make_db: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_db("pascal")
    sql = (
        'SELECT c."CustomerId", c."Email" FROM "Customer" c '
        'JOIN "Invoice" i ON i."CustomerId" = c."CustomerId" WHERE i."Total" >= 20'
    )
    segment = _write(tmp_path, "sql.json", {"version": 1, "name": "Big invoices", "sql": sql})
    result = _run("count", segment, "--db", url, "--json")
    assert result.exit_code == 0, result.output
    counted = json.loads(result.stdout)
    expected = hand_count(url, f'SELECT COUNT(DISTINCT q."CustomerId") FROM ({sql}) q')
    assert counted["customers"] == expected > 0
    total = hand_count(url, 'SELECT COUNT(*) FROM "Customer"')
    assert counted["total"] == total


def test_settings_that_name_missing_things_exit_2_listing_the_columns(
    make_db: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_db("one_table")
    missing_column = _run("source", "set", "--db", url, "--customer-key", "cust_no")
    assert missing_column.exit_code == 2
    message = missing_column.output.strip()
    assert len(message.splitlines()) == 1 and "cust_no" in message
    assert "id, Email, first_name, city, spend" in message
    missing_table = _run("source", "set", "--db", url, "--segment-table", "clients")
    assert missing_table.exit_code == 2 and "customers" in missing_table.output
    assert json.loads(_run("source", "show", "--db", url, "--json").stdout)["customer_key"] == "id"


def test_a_saved_setting_that_no_longer_fits_is_named_at_connect(
    tmp_path: Path,
) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'c.db'}"
    build("one_table", url)
    assert _run("source", "set", "--db", url, "--email-column", "Email").exit_code == 0
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql('ALTER TABLE customers RENAME COLUMN "Email" TO mail')
    engine.dispose()
    segment = _write(tmp_path, "segment.json", SHAPES["one_table"].segment())
    result = _run("count", segment, "--db", url, "--json")
    assert result.exit_code == 2
    assert "The saved email column 'Email' is not a column of table 'customers'" in result.output
    assert "Traceback" not in result.output
