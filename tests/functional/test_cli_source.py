"""``actui tables``, ``actui picklist`` and ``actui demo-data`` as a user runs them."""

from __future__ import annotations

import json
import stat
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from actui.cli import cli
from actui.config import Config, save_config
from actui.demo.data import iter_demo_rows
from actui.demo.schema import CUSTOMER_360_COLUMNS
from tests.fixtures.demo import DEMO_ROWS, DEMO_SEED


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _assert_user_error(result: Result, *fragments: str) -> str:
    output = result.output.strip()
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1 and output.startswith("Error: "), output
    for fragment in fragments:
        assert fragment in output
    return output


def test_tables_json_lists_tables_columns_kinds_and_counts(demo_url: str) -> None:
    result = _run("tables", "--db", demo_url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    tables = {table["name"]: table for table in data["tables"]}
    assert sorted(tables) == ["customer_360", "merged_customers", "orders"]
    assert tables["customer_360"]["rows"] == {"rows": DEMO_ROWS, "estimated": False}
    kinds = {c["name"]: c["kind"] for c in tables["customer_360"]["columns"]}
    assert [c["name"] for c in tables["customer_360"]["columns"]] == list(CUSTOMER_360_COLUMNS)
    assert (kinds["last_seen_at"], kinds["signup_date"], kinds["sms_opt_in"]) == (
        "datetime",
        "date",
        "boolean",
    )


def test_tables_text_uses_the_group_db_option(demo_sqlite_url: str) -> None:
    result = _run("--db", demo_sqlite_url, "tables")
    assert result.exit_code == 0, result.output
    assert f"customer_360  ({DEMO_ROWS:,} rows)" in result.output
    assert "lifetime_value" in result.output and "number" in result.output


def test_picklist_json_and_text(demo_url: str) -> None:
    expected = Counter(
        row[CUSTOMER_360_COLUMNS.index("state")] for row in iter_demo_rows(DEMO_ROWS, DEMO_SEED)
    )
    result = _run("picklist", "customer_360", "state", "--db", demo_url, "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(e["value"], e["count"]) for e in data["entries"]] == expected.most_common(3)
    assert data["capped"] is True and data["sampled"] is False

    text = _run("picklist", "customer_360", "loyalty_tier", "--db", demo_url)
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0].split() == ["bronze", f"{expected_tier('bronze'):,}"]
    assert "(empty)" in text.output


def expected_tier(tier: str) -> int:
    index = CUSTOMER_360_COLUMNS.index("loyalty_tier")
    return sum(1 for row in iter_demo_rows(DEMO_ROWS, DEMO_SEED) if row[index] == tier)


def test_last_used_database_from_the_config_is_the_default(demo_sqlite_url: str) -> None:
    save_config(Config(last_db_url=demo_sqlite_url))
    result = _run("picklist", "customer_360", "email_opt_in", "--json")
    assert result.exit_code == 0, result.output
    assert {e["value"] for e in json.loads(result.output)["entries"]} == {True, False}


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("tables",), ("No Customer 360 database given",)),
        (("tables", "--db", "::not a url::"), ("not valid",)),
        (("tables", "--db", "sqlite:///{tmp}/missing.db"), ("does not exist",)),
        (("picklist", "customers", "state", "--db", "{demo}"), ("did you mean customer_360",)),
        (("picklist", "customer_360", "stat", "--db", "{demo}"), ("no column 'stat'", "state")),
    ],
    ids=["no-db", "malformed", "missing-file", "bad-table", "bad-column"],
)
def test_bad_input_exits_2_with_one_line(
    args: tuple[str, ...], fragments: tuple[str, ...], tmp_path: Path, demo_sqlite_url: str
) -> None:
    filled = [a.format(tmp=tmp_path, demo=demo_sqlite_url) for a in args]
    _assert_user_error(_run(*filled), *fragments)
    assert not (tmp_path / "missing.db").exists()


def test_wrong_password_exits_2_without_the_password(pg_url: str) -> None:
    import sqlalchemy as sa

    wrong = sa.make_url(pg_url).set(password="not-the-password")
    output = _assert_user_error(
        _run("tables", "--db", wrong.render_as_string(hide_password=False)), "refused the login"
    )
    assert "not-the-password" not in output


def test_demo_data_writes_a_private_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "demo.db"
    result = _run("demo-data", "--rows", "120", "--out", str(out), "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 120 and data["path"] == str(out)
    assert data["url"] == f"sqlite:///{out.resolve()}"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    listed = _run("tables", "--db", data["url"], "--json")
    assert json.loads(listed.output)["tables"][0]["rows"]["rows"] == 120

    _assert_user_error(_run("demo-data", "--rows", "10", "--out", str(out)), "already exists")
    forced = _run("demo-data", "--rows", "10", "--out", str(out), "--force")
    assert forced.exit_code == 0 and "Wrote 10 customers" in forced.output


def test_demo_data_rejects_zero_rows(tmp_path: Path) -> None:
    result = _run("demo-data", "--rows", "0", "--out", str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "x.db").exists()
