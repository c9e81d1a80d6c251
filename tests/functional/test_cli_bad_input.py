"""Bad input over the command line: each case exits 2 with one sentence and writes nothing.

Every case runs against the sandbox with a destination set up, so a case that got as far as a
request would leave a list or a contact behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from actui.cli import cli
from tests.fixtures.sandbox import RunningSandbox
from tests.functional.test_send_support import people, write_customers


def _segment(value: str) -> str:
    """A segment file's text whose only condition compares ``in_audience`` with ``value``."""
    return (
        '{"name": "bad", "conditions": [{"attribute": "in_audience", "operator": "is", '
        f'"value": {value}}}]}}'
    )


def _deep(depth: int) -> str:
    return '{"name": "deep", "conditions": ' + "[" * depth + "]" * depth + "}"


def _campaign_with_audience(segment_text: str) -> str:
    return (
        '{"name": "Bad", "audience": '
        + segment_text
        + ', "groups": [{"name": "All", "percent": 100, "destination": "sandbox"}]}'
    )


@dataclass(frozen=True)
class Case:
    """One bad input: the arguments (``{file}`` and ``{db}`` are filled in) and the file's bytes."""

    args: tuple[str, ...]
    file: bytes | None = None
    stdin: str | None = None
    says: str = ""


SEND_SEGMENT = ("send", "--segment", "{file}", "--destination", "sandbox", "--list", "Bad")
ADD_CREDENTIAL = ("credentials", "add", "acme", "--key-stdin", "--url")

CASES: dict[str, Case] = {
    "segment file not UTF-8": Case(
        SEND_SEGMENT, _segment('"Z\xfcrich"').encode("latin-1"), says="not UTF-8"
    ),
    "count a segment file not UTF-8": Case(
        ("count", "{file}"), b'{"name": "\xff"}', says="not UTF-8"
    ),
    "segment 3000 deep": Case(SEND_SEGMENT, _deep(3000).encode(), says="at most 64"),
    "segment 100000 deep": Case(SEND_SEGMENT, _deep(100_000).encode(), says="at most 64"),
    "NaN value": Case(SEND_SEGMENT, _segment("NaN").encode(), says="NaN"),
    "Infinity value": Case(SEND_SEGMENT, _segment("Infinity").encode(), says="Infinity"),
    "-Infinity in between": Case(
        SEND_SEGMENT,
        _segment("[-Infinity, 1]").replace('"is"', '"between"').encode(),
        says="-Infinity",
    ),
    "10^30 as an integer": Case(SEND_SEGMENT, _segment("1" + "0" * 30).encode(), says="range"),
    "1e30 on an integer column": Case(SEND_SEGMENT, _segment("1e30").encode(), says="range"),
    "10^30 in between": Case(
        SEND_SEGMENT,
        _segment("[1, 1" + "0" * 30 + "]").replace('"is"', '"between"').encode(),
        says="range",
    ),
    "lone surrogate in a value": Case(
        SEND_SEGMENT,
        _segment('"\\ud800"').replace("in_audience", "email").encode(),
        says="not valid Unicode",
    ),
    "campaign file not UTF-8": Case(
        ("campaigns", "import", "{file}"),
        _campaign_with_audience(_segment('"\xe9"')).encode("latin-1"),
        says="not UTF-8",
    ),
    "campaign file 3000 deep": Case(
        ("campaigns", "import", "{file}"),
        _campaign_with_audience(_deep(3000)).encode(),
        says="at most 64",
    ),
    "campaign with a NaN audience value": Case(
        ("campaigns", "import", "{file}"),
        _campaign_with_audience(_segment("NaN")).encode(),
        says="NaN",
    ),
    "campaign preview with 10^30": Case(
        ("campaigns", "preview", "{file}"),
        _campaign_with_audience(_segment("1" + "0" * 30)).encode(),
        says="range",
    ),
    "URL port 99999": Case((*ADD_CREDENTIAL, "https://acme.api-us1.com:99999"), stdin="k\n"),
    "URL port abc": Case((*ADD_CREDENTIAL, "https://acme.api-us1.com:abc"), stdin="k\n"),
    "URL port 0": Case((*ADD_CREDENTIAL, "https://acme.api-us1.com:0"), stdin="k\n"),
    "URL with a newline": Case(
        (*ADD_CREDENTIAL, "https://acme.api\n-us1.com"), stdin="k\n", says="control character"
    ),
    "URL with a tab": Case(
        (*ADD_CREDENTIAL, "https://acme.api-us1.com/\tapi/3"), stdin="k\n", says="control"
    ),
    "URL with a path": Case(
        (*ADD_CREDENTIAL, "https://acme.api-us1.com/app/contacts"), stdin="k\n", says="/api/3"
    ),
    "URL with a query": Case(
        (*ADD_CREDENTIAL, "https://acme.api-us1.com/api/3?x=1"), stdin="k\n", says="/api/3"
    ),
    "URL with a scheme actui cannot use": Case(
        (*ADD_CREDENTIAL, "ftp://acme.api-us1.com"), stdin="k\n", says="not an ActiveCampaign"
    ),
    "URL port 65536": Case((*ADD_CREDENTIAL, "https://acme.api-us1.com:65536"), stdin="k\n"),
    "URL with a fragment": Case(
        (*ADD_CREDENTIAL, "https://acme.api-us1.com/#x"), stdin="k\n", says="/api/3"
    ),
    "URL with a user name": Case(
        (*ADD_CREDENTIAL, "https://me:pw@acme.api-us1.com"), stdin="k\n", says="user name"
    ),
    "campaign file missing": Case(
        ("campaigns", "import", "{tmp}/nowhere.json"), says="Cannot read the campaign file"
    ),
    "segment file that is not an object": Case(SEND_SEGMENT, b"[1, 2]", says="JSON object"),
    "segment file with a UTF-8 byte-order mark and NaN": Case(
        SEND_SEGMENT, b"\xef\xbb\xbf" + _segment("NaN").encode(), says="NaN"
    ),
    "sandbox with a bad batch delay": Case(
        ("sandbox", "--batch-delay", "fast"), says="--batch-delay"
    ),
    "sandbox with a reversed batch delay": Case(("sandbox", "--batch-delay", "3-1"), says="range"),
    "missing SQLite file by URI": Case(
        ("tables", "--db", "sqlite:///file:{tmp}/missing.db?uri=true"), says="does not exist"
    ),
    "missing SQLite file by URI, read-only": Case(
        ("tables", "--db", "sqlite:///file:{tmp}/missing.db?mode=ro&uri=true"),
        says="does not exist",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(
    case: Case, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = write_customers(tmp_path / "c360.db", people(20))
    bad_file = tmp_path / "bad.json"
    if case.file is not None:
        bad_file.write_bytes(case.file)
    args = [arg.format(file=bad_file, tmp=tmp_path) for arg in case.args]
    if "--db" not in args and (
        args[0] in ("send", "count") or args[:2] == ["campaigns", "preview"]
    ):
        args += ["--db", db]
    before = sandbox.sandbox.dump()

    result = CliRunner().invoke(cli, args, input=case.stdin)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("Error: "), result.stderr
    assert case.says in lines[0] or case.says in result.stderr
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr  # indented details
    assert "Traceback" not in result.stderr
    after = sandbox.sandbox.dump()
    assert after["lists"] == before["lists"] == []
    assert after["contacts"] == before["contacts"] == []
    assert json.loads(CliRunner().invoke(cli, ["credentials", "list", "--json"]).stdout) == {
        "credentials": ["env"]
    }
    assert not (tmp_path / "missing.db").exists()


def test_a_crash_exits_2_with_one_sentence_and_its_traceback_in_a_log(
    monkeypatch: pytest.MonkeyPatch, actui_home: Path
) -> None:
    import actui.credentials

    def broken() -> list[str]:
        raise RuntimeError("the state database answered something unexpected")

    monkeypatch.setattr(actui.credentials, "list_credentials", broken)

    result = CliRunner().invoke(cli, ["credentials", "list"])

    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: actui stopped on an unexpected error (RuntimeError)")
    assert "answered something unexpected" not in line  # messages may hold data: log only
    log = Path(line.split("traceback is in ")[1].rstrip("."))
    assert log.parent == actui_home / "logs"
    assert log.stat().st_mode & 0o777 == 0o600
    text = log.read_text(encoding="utf-8")
    assert text.startswith("Traceback") and "answered something unexpected" in text


def _nested_groups(depth: int) -> dict[str, object]:
    node: dict[str, object] = {"attribute": "in_audience", "operator": "between", "value": [1, 1]}
    for _ in range(depth):
        node = {"match": "any", "conditions": [node]}
    return {"name": "nested", "conditions": [node]}


def test_thirty_nested_groups_still_count_and_thirty_one_are_refused(tmp_path: Path) -> None:
    db = write_customers(tmp_path / "c360.db", people(3))
    fits, too_deep = tmp_path / "fits.json", tmp_path / "deep.json"
    fits.write_text(json.dumps(_nested_groups(30)))
    too_deep.write_text(json.dumps(_nested_groups(31)))

    counted = CliRunner().invoke(cli, ["count", str(fits), "--db", db, "--json"])
    refused = CliRunner().invoke(cli, ["count", str(too_deep), "--db", db])

    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.stdout)["customers"] == 3
    assert refused.exit_code == 2
    assert "at most 64" in refused.stderr


def test_a_segment_built_in_the_app_is_held_to_the_same_depth(tmp_path: Path) -> None:
    from actui.segments.model import parse_segment, parse_segment_json, segment_to_json
    from actui.segments.validate import segment_problems
    from actui.source import Source

    source = Source.connect(write_customers(tmp_path / "c360.db", people(3)))
    try:
        fits = parse_segment(_nested_groups(30))
        too_deep = parse_segment(_nested_groups(31))  # built without a file, as the app does
        assert segment_problems(fits, source) == []
        [problem] = segment_problems(too_deep, source)
        assert "groups nest more than 30 deep" in problem.message
        assert parse_segment_json(segment_to_json(fits)) == fits  # saved, it loads again
    finally:
        source.dispose()


@pytest.mark.parametrize(
    ("value", "says"),
    # a saved body keeps NaN and Infinity as null (pydantic's JSON), which is no number either
    [(10**30, "out of range"), (float("nan"), "needs a number"), (float("inf"), "needs a number")],
)
def test_a_saved_campaign_with_a_bad_number_stops_before_any_request(
    sandbox: RunningSandbox, tmp_path: Path, value: float, says: str
) -> None:
    from actui.campaigns.store import import_campaign

    db = write_customers(tmp_path / "c360.db", people(20))
    segment = {
        "name": "bad",
        "conditions": [{"attribute": "in_audience", "operator": "greater than", "value": value}],
    }
    groups = [{"name": "All", "percent": 100, "destination": "sandbox", "list": "Bad"}]
    import_campaign({"name": "Bad", "audience": segment, "groups": groups})  # as an older actui

    for mode in ("mirror", "upsert"):
        result = CliRunner().invoke(cli, ["send", "Bad", "--db", db, "--mode", mode])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Error: ") and says in result.stderr
        assert "Traceback" not in result.stderr
    dump = sandbox.sandbox.dump()
    assert dump["lists"] == [] and dump["contacts"] == []
