"""Shared test set-up: a private ACTUI_HOME per test; fixture plugins live in tests/fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.mysql",
    "tests.fixtures.demo",
    "tests.fixtures.sandbox",
    "tests.fixtures.keyring",
]


@pytest.fixture(autouse=True)
def actui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private ACTUI_HOME per test, so no test sees another's state or the user's."""
    from actui.state import reset_engines

    home = tmp_path / "actui-home"
    monkeypatch.setenv("ACTUI_HOME", str(home))
    monkeypatch.delenv("ACTUI_AC_URL", raising=False)
    monkeypatch.delenv("ACTUI_AC_KEY", raising=False)
    monkeypatch.delenv("ACTUI_AC_NAME", raising=False)
    reset_engines()
    yield home
    reset_engines()
