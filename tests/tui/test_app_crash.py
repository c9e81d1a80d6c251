"""An unexpected error in the app ends it with exit 2, one sentence and its traceback in a log:
never Textual's report, which prints local values (an API key among them, perhaps)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from actui.cli.crash import exit_if_app_crashed
from actui.tui.app import ActuiApp
from actui.tui.services import Services

SECRET = "k3y-0123456789abcdef"


class CrashingApp(ActuiApp):
    """The app with a bug in a key handler's path: it raises while a secret is a local value."""

    def on_mount(self) -> None:
        api_key = SECRET
        raise RuntimeError(f"a bug while saving ({len(api_key)} characters)")


def test_a_crash_in_the_app_exits_2_with_its_traceback_in_a_log(
    make_services: Callable[..., Services],
    actui_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = CrashingApp(make_services(None))
    app.run(headless=True, size=(80, 24))
    assert app.return_code == 1 and app.crash is not None
    error, log = app.crash

    with pytest.raises(SystemExit) as exited:
        exit_if_app_crashed(error, log)

    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err
    [line] = captured.err.splitlines()
    assert line == (
        f"Error: actui stopped on an unexpected error (RuntimeError); its traceback is in {log}."
    )
    assert log is not None and log.parent == actui_home / "logs"
    text = log.read_text(encoding="utf-8")
    assert "a bug while saving (20 characters)" in text and "on_mount" in text
    assert SECRET not in text  # the traceback, never the local values
