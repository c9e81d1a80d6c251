"""The core never imports Textual: domain packages load in a fresh interpreter without it."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "actui.source",
    "actui.segments",
    "actui.campaigns",
    "actui.activecampaign",
    "actui.sandbox",
    "actui.sync",
    "actui.credentials",
    "actui.state",
    "actui.demo",
]


def test_core_packages_do_not_import_textual() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {CORE!r}:\n"
        "    pkg = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "prefixes = ('textual.', 'actui.tui')\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(prefixes))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_cli_help_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from actui.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
