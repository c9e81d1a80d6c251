"""``actui credentials`` and ``actui destinations`` from the command line, against the sandbox."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from actui.cli import cli


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_add_with_a_hidden_prompt_list_and_remove() -> None:
    added = run("credentials", "add", "acme", "--url", "https://acme.api-us1.com", input="k3y\n")
    assert added.exit_code == 0, added.output
    assert "Saved credential 'acme' for https://acme.api-us1.com/api/3" in added.output
    assert "k3y" not in added.output
    listed = run("credentials", "list", "--json")
    assert json.loads(listed.output) == {"credentials": ["acme"]}
    assert run("credentials", "remove", "acme").exit_code == 0
    assert json.loads(run("credentials", "list", "--json").output) == {"credentials": []}


def test_the_key_is_never_an_argument() -> None:
    result = run("credentials", "add", "acme", "--url", "https://a.api-us1.com", "--key", "k")
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_test_reports_the_user_or_the_fix(sandbox_server: Any) -> None:
    add = run(
        "credentials",
        "add",
        "sb",
        "--url",
        sandbox_server.url,
        "--key-stdin",
        input=sandbox_server.api_key + "\n",
    )
    assert add.exit_code == 0, add.output
    ok = run("credentials", "test", "sb")
    assert ok.exit_code == 0, ok.output
    assert "admin@sandbox.example.com" in ok.output
    run("credentials", "add", "bad", "--url", sandbox_server.url, "--key-stdin", input="nope\n")
    failed = run("credentials", "test", "bad")
    assert failed.exit_code == 2
    assert failed.output.startswith("Error: ActiveCampaign refused the API key")
    assert "Settings > Developer" in failed.output


def test_http_is_refused_for_a_real_account() -> None:
    result = run("credentials", "add", "acme", "--url", "http://acme.api-us1.com", input="k\n")
    assert result.exit_code == 2
    assert "must use https" in result.output


def test_destinations_add_list_test_remove(sandbox_server: Any) -> None:
    run(
        "credentials",
        "add",
        "sb",
        "--url",
        sandbox_server.url,
        "--key-stdin",
        input=sandbox_server.api_key + "\n",
    )
    added = run(
        "destinations",
        "add",
        "vip",
        "--credential",
        "sb",
        "--list",
        "VIP",
        "--verbose-logs",
        "--attribute",
        "Source=actui",
        "--max-removal",
        "35",
    )
    assert added.exit_code == 0, added.output
    listed = json.loads(run("destinations", "list", "--json").output)
    assert listed["destinations"] == [
        {
            "name": "vip",
            "credential": "sb",
            "group": "Admin",
            "list": "VIP",
            "primary_key": "email",
            "verbose_logs": True,
            "default_attributes": {"Source": "actui"},
            "max_removal": 35.0,
        }
    ]
    tested = run("destinations", "test", "vip")
    assert tested.exit_code == 0, tested.output
    assert [line.split()[0] for line in tested.output.splitlines()] == ["ok"] * 4
    in_use = run("credentials", "remove", "sb")
    assert in_use.exit_code == 2 and "used by destinations vip" in in_use.output
    assert run("destinations", "remove", "vip").exit_code == 0
    assert json.loads(run("destinations", "list", "--json").output) == {"destinations": []}


def test_destinations_test_prints_each_fix_and_exits_2(sandbox_server: Any) -> None:
    run(
        "credentials",
        "add",
        "sb",
        "--url",
        sandbox_server.url,
        "--key-stdin",
        input=sandbox_server.api_key + "\n",
    )
    run("destinations", "add", "ops", "--credential", "sb", "--group", "Ops")
    tested = run("destinations", "test", "ops")
    assert tested.exit_code == 2
    assert "FAILED group: ActiveCampaign has no user group named 'Ops'" in tested.output
    assert "fix: Run 'actui destinations add NAME --credential C --group G' with one of: Admin" in (
        tested.output
    )
    as_json = run("destinations", "test", "ops", "--json")
    assert as_json.exit_code == 2
    checks = json.loads(as_json.output)["checks"]
    assert {c["check"]: c["ok"] for c in checks} == {
        "credential": True,
        "api key": True,
        "group": False,
        "list": True,
    }


def test_destination_needs_a_known_credential() -> None:
    result = run("destinations", "add", "vip", "--credential", "ghost")
    assert result.exit_code == 2
    assert "No credential named 'ghost'" in result.output
