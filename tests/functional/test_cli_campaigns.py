"""`actui campaigns ...` end to end: import, list, show, export, preview --json, delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from actui.cli import cli

CAMPAIGN: dict[str, Any] = {
    "version": 1,
    "name": "Spring promo",
    "audience": {
        "name": "West coast",
        "conditions": [
            {"attribute": "state", "operator": "is one of", "value": ["CA", "WA", "OR"]}
        ],
    },
    "exclusions": [
        {"name": "Opted out", "conditions": [{"attribute": "email_opt_in", "operator": "is false"}]}
    ],
    "sub_audiences": [
        {
            "name": "Gold",
            "segment": {
                "name": "Gold tier",
                "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
            },
            "groups": [
                {"name": "A", "percent": 45, "destination": "AC", "list": "Spring - Gold A"},
                {"name": "B", "percent": 45, "destination": "AC"},
                {"name": "Control", "percent": 10, "control": True},
            ],
        },
        {"name": "Everyone else", "groups": [{"name": "All", "percent": 100, "destination": "AC"}]},
    ],
    "attributes": {"email": "email", "first_name": "given_name", "last_name": "surname"},
}


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_preview_json_shape_and_counts(demo_url: str, tmp_path: Path) -> None:
    file = tmp_path / "spring.json"
    file.write_text(json.dumps(CAMPAIGN), encoding="utf-8")
    result = run("campaigns", "preview", str(file), "--db", demo_url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    terms = ("customers", "contacts", "duplicate_email", "missing_email", "invalid_email")
    for key in (*terms, "excluded"):
        assert isinstance(data[key], int)
    assert [(g["sub_audience"], g["group"]) for g in data["groups"]] == [
        ("Gold", "A"),
        ("Gold", "B"),
        ("Gold", "Control"),
        ("Everyone else", "All"),
    ]
    for group in data["groups"]:
        assert {"sub_audience", "group", "control", "size", "destination", "list"} <= set(group)
    lists = {g["group"]: g["list"] for g in data["groups"]}
    assert lists == {
        "A": "Spring - Gold A",
        "B": "Spring promo - Gold - B",
        "Control": None,
        "All": "Spring promo - Everyone else - All",
    }
    engine = sa.create_engine(demo_url)
    with engine.connect() as connection:
        west = connection.execute(
            sa.text("SELECT count(*) FROM customer_360 WHERE state IN ('CA','WA','OR')")
        ).scalar_one()
        # excluded: opted out, or sharing a normalized email with any opted-out customer
        excluded = connection.execute(
            sa.text(
                "SELECT count(*) FROM customer_360 WHERE state IN ('CA','WA','OR') AND ("
                "email_opt_in = false OR lower(trim(email)) IN (SELECT lower(trim(email)) "
                "FROM customer_360 WHERE email_opt_in = false AND trim(email) <> ''))"
            )
        ).scalar_one()
    engine.dispose()
    assert (data["customers"], data["excluded"]) == (west, excluded)
    contacts = sum(g["size"] for g in data["groups"])
    assert contacts == data["contacts"] == data["to_send"] + data["held_out"]
    set_aside = data["duplicate_email"] + data["missing_email"] + data["invalid_email"]
    assert contacts + set_aside + data["excluded"] == west


def test_import_list_show_export_delete(tmp_path: Path) -> None:
    file = tmp_path / "spring.json"
    file.write_text(json.dumps(CAMPAIGN), encoding="utf-8")
    assert run("campaigns", "import", str(file)).exit_code == 0
    listed = json.loads(run("campaigns", "list", "--json").output)
    (entry,) = listed["campaigns"]
    assert entry["name"] == "Spring promo"
    shown = json.loads(run("campaigns", "show", "Spring promo").output)
    assert shown["id"] == entry["id"]
    out = tmp_path / "out.json"
    assert run("campaigns", "export", "Spring promo", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == shown
    assert run("campaigns", "delete", "Spring promo").exit_code == 0
    missing = run("campaigns", "show", "Spring promo")
    assert missing.exit_code == 2
    assert "Error: There is no saved campaign named 'Spring promo'" in missing.output


def test_a_bad_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = dict(
        CAMPAIGN,
        sub_audiences=[
            dict(
                CAMPAIGN["sub_audiences"][1],
                groups=[{"name": "All", "percent": 90, "destination": "AC"}],
            )
        ],
    )
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(bad), encoding="utf-8")
    result = run("campaigns", "import", str(file))
    assert result.exit_code == 2
    assert "add up to 90 %" in result.output
