"""Who drives a run, and who sends to a list: one holder at a time, named by pid and start time.

A lock is a row of ``sync_locks``, keyed ``run:<id>`` or ``list:<account>:<list name>``. It names
the process holding it by pid and that process's start time, so a lock left by a killed process
is recognised (the pid is gone, is a zombie, or now belongs to a process started later) and taken
over with one compare-and-swap ``UPDATE``. Within a process, each holder has its own ``owner``
token: two sends in one app wait for each other too. Taking a lock never blocks a transaction:
a waiter polls.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from actui.sync.audience import SendError
from actui.sync.store import lock_table

#: how often a waiter looks again
WAIT_POLL_SECONDS = 0.25


class LockBusy(SendError):
    """A run or a list is held by another live sender."""


def process_start(pid: int) -> str:
    """A stable mark of when process ``pid`` started ("" when unknown, "dead" when gone).

    Linux: clock ticks since boot from ``/proc/<pid>/stat``; elsewhere psutil when installed.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return "dead"
        return _start_elsewhere(pid)
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return "dead"
    return fields[19]


def _start_elsewhere(pid: int) -> str:
    try:
        import psutil
    except ImportError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "dead"
        except OSError:
            return ""
        return ""
    try:
        return str(psutil.Process(pid).create_time())
    except psutil.NoSuchProcess:
        return "dead"
    except psutil.Error:
        return ""


@dataclass(frozen=True)
class Holder:
    """The holder of a lock, as its row names it."""

    key: str
    run_id: str
    pid: int
    process_started: str
    owner: str
    acquired_at: float

    def alive(self) -> bool:
        """Whether the holding process still runs (a process of this app always does)."""
        if self.pid == os.getpid():
            return self.process_started == process_start(self.pid)
        now = process_start(self.pid)
        if now == "dead":
            return False
        return not (now and self.process_started and now != self.process_started)

    def described(self) -> str:
        since = datetime.fromtimestamp(self.acquired_at, UTC).strftime("%H:%M:%S UTC")
        return f"process {self.pid} (run {self.run_id}, since {since})"


def _list_busy(list_name: str, holder: Holder) -> str:
    return (
        f"List {list_name!r} is being sent to by {holder.described()}; wait for it with "
        "--wait, or send again once that run ends."
    )


def list_key(account_url: str, list_name: str) -> str:
    """The lock key of one list of one account."""
    return f"list:{account_url}:{list_name.casefold()}"


def run_key(run_id: str) -> str:
    return f"run:{run_id}"


def _holder(conn: Connection, key: str) -> Holder | None:
    row = conn.execute(lock_table.select().where(lock_table.c.key == key)).first()
    if row is None:
        return None
    return Holder(
        row.key, row.run_id, int(row.pid), row.process_started, row.owner, float(row.acquired_at)
    )


def claim(conn: Connection, key: str, run_id: str, owner: str) -> Holder | None:
    """Take ``key`` for ``owner`` in the caller's transaction; the live holder when it is taken.

    A stale holder (a process that is gone) is replaced.
    """
    mine = {
        "k": key,
        "r": run_id,
        "p": os.getpid(),
        "s": process_start(os.getpid()),
        "o": owner,
        "t": time.time(),
    }
    inserted = conn.execute(
        text(
            "INSERT OR IGNORE INTO sync_locks (key, run_id, pid, process_started, owner,"
            " acquired_at) VALUES (:k, :r, :p, :s, :o, :t)"
        ),
        mine,
    )
    if inserted.rowcount:
        return None
    holder = _holder(conn, key)
    if holder is None:  # released meanwhile: the caller tries again
        return claim(conn, key, run_id, owner)
    if holder.owner == owner:
        return None
    if holder.alive():
        return holder
    taken = conn.execute(
        text(
            "UPDATE sync_locks SET run_id = :r, pid = :p, process_started = :s, owner = :o,"
            " acquired_at = :t WHERE key = :k AND owner = :old"
        ),
        {**mine, "old": holder.owner},
    )
    if taken.rowcount:
        return None
    return _holder(conn, key)


@dataclass
class RunLocks:
    """The locks one send or resume holds: its run, then the lists it sends to."""

    engine: Engine
    run_id: str
    wait: bool = False
    #: set to stop waiting (Ctrl+C, the app's cancel button)
    cancel: threading.Event | asyncio.Event | None = None
    owner: str = field(default_factory=lambda: secrets.token_hex(8))
    held: list[str] = field(default_factory=list)

    def claim_new_run(self, conn: Connection) -> None:
        """Hold the run just created, in the transaction that creates it."""
        claim(conn, run_key(self.run_id), self.run_id, self.owner)
        self.held.append(run_key(self.run_id))

    async def take_run(self) -> bool:
        """Hold the run; returns True when another process held it first (and it was waited for)."""
        return await self._take(
            run_key(self.run_id),
            lambda h: (
                f"Run {self.run_id} is being sent by {h.described()}; "
                "wait for it with --wait, or stop that process first."
            ),
        )

    async def take_lists(self, lists: list[tuple[str, str]]) -> None:
        """Hold every (account URL, list name) of the run, in one order so waiters never cross."""
        by_key = {list_key(account_url, name): name for account_url, name in lists}
        for key in sorted(by_key):
            await self._take(key, partial(_list_busy, by_key[key]))

    async def _take(self, key: str, busy: Callable[[Holder], str]) -> bool:
        waited = False
        while True:
            with self.engine.begin() as conn:
                holder = claim(conn, key, self.run_id, self.owner)
            if holder is None:
                if key not in self.held:
                    self.held.append(key)
                return waited
            if not self.wait:
                raise LockBusy(busy(holder))
            if self.cancel is not None and self.cancel.is_set():
                raise LockBusy(f"Stopped while waiting: {busy(holder)}")
            waited = True
            await asyncio.sleep(WAIT_POLL_SECONDS)

    def release(self) -> None:
        """Let go of every lock held (a lock already taken over by someone else is left)."""
        if not self.held:
            return
        with self.engine.begin() as conn:
            for key in self.held:
                conn.execute(
                    lock_table.delete().where(
                        (lock_table.c.key == key) & (lock_table.c.owner == self.owner)
                    )
                )
        self.held.clear()
