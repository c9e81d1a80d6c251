"""Writing an unexpected error's traceback to a private log file: for the CLI and the app alike.

Only the traceback is written (the code path and the error's message), never local values,
which may hold an API key. The file goes under ``ACTUI_HOME/logs`` (mode 0600), or the temp
folder when the home cannot be written.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from actui.home import logs_dir, open_private


def write_crash_log(error: BaseException) -> Path | None:
    """Write ``error``'s traceback to a new private file: its path, or None if none was made."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"crash-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(error))
    folders: list[Callable[[], Path]] = [logs_dir, lambda: Path(tempfile.gettempdir())]
    for folder in folders:
        try:
            path = folder() / name
            with open_private(path) as log:
                log.write(text)
            return path
        except OSError:
            continue
    return None
