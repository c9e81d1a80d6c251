"""Saved source settings reach every command that opens a Customer 360, and PostgreSQL's shapes.

The database keeps its customers in schema ``crm`` (a table with spaces in its column names),
while ``public`` holds a decoy ``customer_360``. Only a saved ``default_schema`` leads a command to
the right table, so each command proves it opened its source through the one door.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from actui.cli import SUBCOMMANDS, cli
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import subscribed

pytestmark = pytest.mark.postgres

CRM_ROWS = 300
DECOY_ROWS = 40


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _city(i: int) -> str:
    return ("Zürich", "Köln", "Lyon")[i % 3]


@pytest.fixture
def crm_url(new_pg_url: Callable[[], str]) -> str:
    url = new_pg_url()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA crm")
        connection.exec_driver_sql(
            'CREATE TABLE crm.members ("Member ID" integer PRIMARY KEY, "Email Address" text, '
            '"Home City" text, "Tier" text)'
        )
        connection.execute(
            sa.text("INSERT INTO crm.members VALUES (:id, :email, :city, :tier)"),
            [
                {"id": i, "email": f"member{i}@example.org", "city": _city(i), "tier": "gold"}
                for i in range(1, CRM_ROWS + 1)
            ],
        )
        connection.exec_driver_sql(
            'CREATE TABLE crm.orders ("Member ID" integer, ordered_on date, amount float)'
        )
        connection.exec_driver_sql(
            "CREATE TABLE public.customer_360 (customer_id integer PRIMARY KEY, email text)"
        )
        connection.execute(
            sa.text("INSERT INTO public.customer_360 VALUES (:id, :email)"),
            [{"id": i, "email": f"decoy{i}@example.org"} for i in range(DECOY_ROWS)],
        )
    engine.dispose()
    return url


def _segment(tmp_path: Path, **extra: Any) -> str:
    body = {
        "version": 1,
        "name": "Zurich members",
        "conditions": [{"attribute": "Home City", "operator": "is", "value": "Zürich"}],
        **extra,
    }
    path = tmp_path / "segment.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return str(path)


ZURICH = {f"member{i}@example.org" for i in range(1, CRM_ROWS + 1) if _city(i) == "Zürich"}


def _commands_with_db(command: click.Command, path: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    if any(isinstance(p, click.Option) and "--db" in p.opts for p in command.params) and path:
        found.append(" ".join(path))
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                found.extend(_commands_with_db(sub, (*path, name)))
    return found


def test_every_command_that_takes_db_honours_the_saved_schema(
    crm_url: str, tmp_path: Path, sandbox: RunningSandbox, actui_home: Path
) -> None:
    saved = _run("source", "set", "--db", crm_url, "--default-schema", "crm")
    assert saved.exit_code == 0, saved.output
    password = sa.make_url(crm_url).password
    assert password and password not in (actui_home / "state.db").read_bytes().decode("latin-1")
    segment = _segment(tmp_path)
    campaign = tmp_path / "campaign.json"
    campaign.write_text(
        json.dumps(
            {
                "version": 1,
                "name": "CRM split",
                "audience": json.loads(Path(segment).read_text(encoding="utf-8")),
                "groups": [
                    {"name": "A", "percent": 90, "destination": "sandbox", "list": "CRM A"},
                    {"name": "Control", "percent": 10, "control": True},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )

    def tables() -> None:
        listed = json.loads(_run("tables", "--db", crm_url, "--json").stdout)
        assert [table["name"] for table in listed["tables"]] == ["members", "orders"]

    def picklist() -> None:
        result = _run("picklist", "members", "Home City", "--db", crm_url, "--json")
        assert result.exit_code == 0, result.output
        values = {entry["value"]: entry["count"] for entry in json.loads(result.stdout)["entries"]}
        assert values["Zürich"] == len(ZURICH)

    def count() -> None:
        result = _run("count", segment, "--db", crm_url, "--json")
        assert result.exit_code == 0, result.output
        counted = json.loads(result.stdout)
        assert (counted["customers"], counted["total"]) == (len(ZURICH), CRM_ROWS)

    def campaigns_preview() -> None:
        result = _run("campaigns", "preview", str(campaign), "--db", crm_url, "--json")
        assert result.exit_code == 0, result.output
        sizes = [group["size"] for group in json.loads(result.stdout)["groups"]]
        assert sum(sizes) == len(ZURICH)

    def campaigns_results() -> None:
        imported = _run("campaigns", "import", str(campaign))
        assert imported.exit_code == 0, imported.output
        sent = _run("send", "CRM split", "--db", crm_url, "--json")
        assert sent.exit_code == 0, sent.output
        result = _run("campaigns", "results", "CRM split", "--db", crm_url, "--json")
        assert result.exit_code == 0, result.output
        groups = json.loads(result.stdout)["groups"]
        assert sum(group["members"] for group in groups) == len(ZURICH)

    def send() -> None:
        common = ["--segment", segment, "--destination", "sandbox", "--list", "CRM"]
        dry = _run("send", *common, "--db", crm_url, "--dry-run", "--json")
        assert dry.exit_code == 0, dry.output
        assert json.loads(dry.stdout)["counts"]["subscribe"] == len(ZURICH)
        sent = _run("send", *common, "--db", crm_url, "--json")
        assert sent.exit_code == 0, sent.output
        assert subscribed(sandbox.sandbox.dump(), "CRM") == ZURICH

    def source_show() -> None:
        shown = json.loads(_run("source", "show", "--db", crm_url, "--json").stdout)
        assert (shown["segment_table"], shown["customer_key"], shown["email_column"]) == (
            "members",
            "Member ID",
            "Email Address",
        )
        assert shown["default_schema"] == "crm"

    def source_set() -> None:  # a second setting keeps the first
        result = _run("source", "set", "--db", crm_url, "--email-column", "Email Address")
        assert result.exit_code == 0, result.output
        assert (
            json.loads(_run("source", "show", "--db", crm_url, "--json").stdout)["default_schema"]
            == "crm"
        )

    checks = {
        "tables": tables,
        "picklist": picklist,
        "count": count,
        "campaigns preview": campaigns_preview,
        "campaigns results": campaigns_results,
        "send": send,
        "source show": source_show,
        "source set": source_set,
    }
    walked = _commands_with_db(cli, ())
    assert "source reset" in walked  # checked last: it drops the saved schema
    assert sorted([*checks, "source reset"]) == sorted(walked), "a new command takes --db"
    for name in sorted(checks):
        checks[name]()

    assert _run("source", "reset", "--db", crm_url).exit_code == 0
    listed = json.loads(_run("tables", "--db", crm_url, "--json").stdout)
    assert [table["name"] for table in listed["tables"]] == ["customer_360"]
    assert set(SUBCOMMANDS) >= {"source", "tables", "count"}


def test_a_segment_names_a_schema_qualified_table(crm_url: str, tmp_path: Path) -> None:
    segment = _segment(tmp_path, table="crm.members")
    result = _run("count", segment, "--db", crm_url, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["customers"] == len(ZURICH)
    wrong = _segment(tmp_path, table="crm.member")
    missing = _run("count", wrong, "--db", crm_url, "--json")
    assert missing.exit_code == 2 and "crm.member" in missing.output
