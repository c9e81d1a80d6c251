"""The mirror guard: a mirror send may not unsubscribe more than a share of a list unasked.

Before a mirror send's first request to a list that has members, its senders are held while the
audience is staged. Each staged chunk tells the guard how many of the list's current members it
holds; once so many are seen that the leavers cannot exceed the limit, the senders go. If staging
ends first and the leavers exceed it (an empty audience always does), the send stops before any
request, with the numbers. ``allow_removal`` (``--allow-removal``, or a confirmation in the app)
turns the guard off for one run; the limit is the destination's ``max_removal`` percent (20 by
default), or ``--max-removal`` for one run.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from actui.sync.audience import SendError
from actui.sync.models import SendEstimate


class RemovalRefused(SendError):
    """A mirror send would unsubscribe more of a list than allowed: stopped before any request."""

    def __init__(self, message: str, lists: list[GuardedList]) -> None:
        super().__init__(message)
        self.lists = lists


@dataclass
class GuardedList:
    """One list of a mirror send: its current members, the most it may lose, those seen so far."""

    target_id: int
    list_name: str
    destination: str
    members: int
    max_percent: float
    seen: int = 0

    @property
    def allowed(self) -> int:
        """The most members this run may unsubscribe: never all of them."""
        return min(math.floor(self.members * self.max_percent / 100), self.members - 1)

    @property
    def removals(self) -> int:
        """Members not (yet) seen in the audience: the leavers once staging is done."""
        return max(self.members - self.seen, 0)

    @property
    def clear(self) -> bool:
        return self.removals <= self.allowed

    def refusal(self) -> str:
        share = 100.0 * self.removals / self.members
        what = (
            f"all {self.members} members"
            if self.removals == self.members
            else f"{self.removals} of its {self.members} members ({share:.1f} %)"
        )
        return (
            f"list {self.list_name!r} (destination {self.destination!r}) would lose {what}, "
            f"more than its limit of {self.max_percent:g} %"
        )


class MirrorGuard:
    """The guarded lists of one run; ``cleared`` is set once none can exceed its limit."""

    def __init__(self, lists: list[GuardedList]) -> None:
        self.lists = {guarded.target_id: guarded for guarded in lists}
        self.cleared = threading.Event()
        self._update()

    @property
    def holding(self) -> bool:
        """True while the senders must wait."""
        return not self.cleared.is_set()

    def saw(self, target_id: int, members: int) -> None:
        """A staged chunk held ``members`` current members of the target's list (staging thread)."""
        guarded = self.lists.get(target_id)
        if guarded is not None and members:
            guarded.seen += members
            self._update()

    def _update(self) -> None:
        if all(guarded.clear for guarded in self.lists.values()):
            self.cleared.set()

    def check(self) -> None:
        """Once the audience is staged: :class:`RemovalRefused` if a list would lose too many."""
        over = [guarded for guarded in self.lists.values() if not guarded.clear]
        if not over:
            self.cleared.set()
            return
        raise RemovalRefused(
            "Mirror send stopped before any request: "
            + "; ".join(guarded.refusal() for guarded in over)
            + ". Send again with --allow-removal to let it through, or --max-removal PCT "
            "to raise the limit for one run.",
            over,
        )


def over_limit(estimate: SendEstimate) -> list[GuardedList]:
    """The lists a dry-run mirror send would stop at, for a confirmation that shows the numbers."""
    request = estimate.request
    if request.mode != "mirror" or request.allow_removal:
        return []
    found: list[GuardedList] = []
    for number, target in enumerate(estimate.targets):
        counts = target.counts
        members = counts.unchanged + counts.update + counts.unsubscribe
        if not members:
            continue
        guarded = GuardedList(
            number,
            target.list_name,
            target.destination,
            members,
            target.max_removal,
            seen=members - counts.unsubscribe,
        )
        if not guarded.clear:
            found.append(guarded)
    return found
