"""``actui segments ...`` and ``actui count`` as a script uses them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from actui.cli import cli

GOLD = {
    "version": 1,
    "name": "Gold",
    "conditions": [
        {"attribute": "loyalty_tier", "operator": "is", "value": "gold"},
        {"attribute": "email_opt_in", "operator": "is true"},
    ],
}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_list_show_export_delete(tmp_path: Path) -> None:
    file = tmp_path / "gold.json"
    file.write_text(json.dumps(GOLD), encoding="utf-8")
    assert _run("segments", "import", str(file))[0] == 0
    assert _run("segments", "import", str(file), "--name", "Gold copy")[0] == 0
    code, out, _ = _run("segments", "list", "--json")
    assert code == 0
    assert [item["name"] for item in json.loads(out)["segments"]] == ["Gold", "Gold copy"]
    code, out, _ = _run("segments", "show", "Gold")
    assert code == 0 and json.loads(out) == {**GOLD, "match": "all"}
    exported = tmp_path / "out.json"
    assert _run("segments", "export", "Gold copy", "--out", str(exported))[0] == 0
    assert json.loads(exported.read_text(encoding="utf-8")) == {
        **GOLD,
        "match": "all",
        "name": "Gold copy",
    }
    assert _run("segments", "delete", "Gold copy")[0] == 0
    code, _, err = _run("segments", "show", "Gold copy")
    assert code == 2 and "Error: There is no saved segment named 'Gold copy'" in err


def test_count_json_for_a_file_and_a_saved_name(demo_sqlite_url: str, tmp_path: Path) -> None:
    file = tmp_path / "gold.json"
    file.write_text(json.dumps(GOLD), encoding="utf-8")
    code, out, err = _run(
        "count", "--db", demo_sqlite_url, str(file), "--json", "--breakdown", "state"
    )
    assert code == 0, err
    data = json.loads(out)
    assert 0 < data["contacts"] <= data["customers"] < data["total"] == 2000
    assert data["missing_email"] + data["invalid_email"] == sum(data["invalid_reasons"].values())
    assert data["customers"] == (
        data["contacts"] + data["duplicate_email"] + data["missing_email"] + data["invalid_email"]
    )
    assert [item["path"] for item in data["condition_sizes"]] == ["conditions[0]", "conditions[1]"]
    assert (
        sum(row["customers"] for row in data["breakdown"]["rows"]) + data["breakdown"]["other"]
        == data["customers"]
    )
    _run("segments", "import", str(file))
    code, out, _ = _run("--db", demo_sqlite_url, "count", "Gold", "--json")
    assert code == 0 and json.loads(out)["customers"] == data["customers"]
    code, out, _ = _run("count", "--db", demo_sqlite_url, "Gold")
    assert code == 0 and "customers" in out and "Each condition alone" in out


def test_count_prints_every_validation_problem_on_its_own_line(
    demo_sqlite_url: str, tmp_path: Path
) -> None:
    broken = {
        "version": 1,
        "name": "broken",
        "conditions": [
            {"attribute": "loyalty", "operator": "is", "value": "gold"},
            {"attribute": "order_count", "operator": "contains", "value": 3},
        ],
    }
    file = tmp_path / "broken.json"
    file.write_text(json.dumps(broken), encoding="utf-8")
    code, _, err = _run("count", "--db", demo_sqlite_url, str(file), "--json")
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("Error: The segment 'broken' has 2 problems")
    assert lines[1].strip().startswith("conditions[0].attribute: unknown attribute 'loyalty'")
    assert "loyalty_tier" in lines[1]
    assert lines[2].strip().startswith("conditions[1].operator:")
