"""The last line of defence of the ``actui`` command: an unexpected error becomes exit 2 and a log.

A crash must never look like a partial success (exit 1) or spill a traceback on a scheduler's
terminal. The traceback goes to a private file (:mod:`actui.crashlog`) and stderr gets one
sentence naming that file. The app's crashes end the same way (:func:`exit_if_app_crashed`).
"""

from __future__ import annotations

from pathlib import Path

import click

from actui.crashlog import write_crash_log

#: exit code of an unexpected error: the documented "error", never 1 ("partial")
CRASH_EXIT_CODE = 2


def crash_sentence(error: BaseException, log_path: Path | None) -> str:
    """The one line printed for an unexpected error (its type only: messages may hold data)."""
    where = f"its traceback is in {log_path}" if log_path is not None else "no log could be written"
    return f"Error: actui stopped on an unexpected error ({type(error).__name__}); {where}."


def report_crash(error: BaseException) -> int:
    """Log ``error``, print its one sentence on stderr and return the exit code to use."""
    log_path = write_crash_log(error)
    click.echo(crash_sentence(error, log_path), err=True)
    return CRASH_EXIT_CODE


def exit_if_app_crashed(error: BaseException | None, log_path: Path | None) -> None:
    """After the app has closed: exit 2 with the crash's sentence when it ended on an error."""
    if error is None:
        return
    click.echo(crash_sentence(error, log_path), err=True)
    raise SystemExit(CRASH_EXIT_CODE)
