"""How far the staging of an audience may run ahead of the senders taking its batches.

While a run stages its audience in a thread and sends batches as they fill (see
``actui.sync.sending``), both share the process's one interpreter lock. Staging is busy Python;
left alone it would take the lock from the event loop for seconds at a time and starve the
throttled senders. So staging stays only a little ahead of them: once ``ahead`` contacts wait
unsent, it pauses until the senders catch up. Counters are plain integers written by one side
and read by the other (each write is atomic under the interpreter lock).
"""

from __future__ import annotations

import threading
from typing import Final

#: contacts staged but not yet taken into batches before staging pauses (40 full imports)
DEFAULT_AHEAD: Final = 10_000
#: how often a paused staging looks again
PAUSE_SECONDS: Final = 0.02


class StagingFlow:
    """The shared state of one run's staging thread and its senders."""

    def __init__(self, ahead: int = DEFAULT_AHEAD) -> None:
        self.ahead = ahead
        #: contacts staged with an action that costs requests (written by the staging thread)
        self.staged = 0
        #: contacts taken into batches (written by the senders)
        self.taken = 0
        #: set by the staging thread once every row and leaver is committed
        self.finished = False
        #: False once the senders stopped early: staging then runs to its end without pausing
        self.pace = True
        self.stop = threading.Event()

    @property
    def streaming(self) -> bool:
        """True while the audience is still being staged: senders take only full batches."""
        return not self.finished

    def add_staged(self, contacts: int) -> None:
        self.staged += contacts

    def add_taken(self, contacts: int) -> None:
        self.taken += contacts

    def wait_for_room(self) -> None:
        """Block the staging thread while ``ahead`` contacts already wait for the senders."""
        while (
            self.pace
            and self.staged - self.taken > self.ahead
            and not self.stop.wait(PAUSE_SECONDS)
        ):
            pass
