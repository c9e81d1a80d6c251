"""A statement timeout for SQLite, which has none of its own: a progress handler with a deadline.

Each statement gets :data:`budget` seconds of *execution* time. Time the caller spends between
fetches (a send consuming a stream slowly) does not count: when the handler has not been called for
longer than :data:`IDLE_GAP` seconds, the statement was paused, and its deadline moves by that gap.
"""

from __future__ import annotations

import time
from typing import Any

#: how many SQLite virtual-machine steps pass between two checks of the deadline
CHECK_EVERY_STEPS = 20_000
#: a gap between two checks longer than this means the caller was not fetching
IDLE_GAP = 0.25


class SqliteDeadline:
    """Interrupts a statement on a sqlite3 connection once it has run ``budget`` seconds."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self._deadline = time.monotonic() + budget
        self._last_check = time.monotonic()

    def restart(self, *_: Any) -> None:
        """Start the clock for a new statement (a SQLAlchemy ``before_cursor_execute`` hook)."""
        now = time.monotonic()
        self._deadline = now + self.budget
        self._last_check = now

    def __call__(self) -> int:
        now = time.monotonic()
        gap = now - self._last_check
        if gap > IDLE_GAP:
            self._deadline += gap
        self._last_check = now
        return 1 if now > self._deadline else 0

    def install(self, dbapi_connection: Any) -> None:
        dbapi_connection.set_progress_handler(self, CHECK_EVERY_STEPS)

    @staticmethod
    def remove(dbapi_connection: Any) -> None:
        dbapi_connection.set_progress_handler(None, CHECK_EVERY_STEPS)
