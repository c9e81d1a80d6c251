"""The last line of defence of the ``actui`` command: an unexpected error becomes exit 2 and a log.

A crash must never look like a partial success (exit 1) or spill a traceback on a scheduler's
terminal. The traceback goes to a private file under ``ACTUI_HOME/logs`` (or the temp dir when
the home cannot be written) and stderr gets one sentence naming that file.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

import click

from actui.home import logs_dir, open_private

#: exit code of an unexpected error: the documented "error", never 1 ("partial")
CRASH_EXIT_CODE = 2


def write_crash_log(error: BaseException) -> Path | None:
    """Write ``error``'s traceback to a new private file: its path, or None if none was made."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"crash-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(error))
    for folder in (_home_logs, lambda: Path(tempfile.gettempdir())):
        try:
            path = folder() / name
            with open_private(path) as log:
                log.write(text)
            return path
        except OSError:
            continue
    return None


def _home_logs() -> Path:
    return logs_dir()


def crash_sentence(error: BaseException, log_path: Path | None) -> str:
    """The one line printed for an unexpected error (its type only: messages may hold data)."""
    where = f"its traceback is in {log_path}" if log_path is not None else "no log could be written"
    return f"Error: actui stopped on an unexpected error ({type(error).__name__}); {where}."


def report_crash(error: BaseException) -> int:
    """Log ``error``, print its one sentence on stderr and return the exit code to use."""
    log_path = write_crash_log(error)
    click.echo(crash_sentence(error, log_path), err=True)
    return CRASH_EXIT_CODE
