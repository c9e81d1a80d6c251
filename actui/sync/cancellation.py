"""Stopping a run's work from outside: a cancel event polled while the work is awaited."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")
CancelEvent = threading.Event | asyncio.Event


async def run_cancellable(work: Awaitable[T], cancel: CancelEvent | None) -> tuple[T | None, bool]:
    """Await ``work``, cancelling it when ``cancel`` is set; returns (result, was_cancelled)."""
    task = asyncio.ensure_future(work)
    if cancel is None:
        return await task, False
    while not task.done():
        if cancel.is_set():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            return None, True
        await asyncio.wait({task}, timeout=0.1)
    return task.result(), False


async def settled(future: asyncio.Future[Any]) -> None:
    """Wait until ``future`` is done, whatever it raises and however often we are cancelled."""
    while not future.done():
        with suppress(asyncio.CancelledError):
            await asyncio.wait({future})
    if not future.cancelled():
        future.exception()  # retrieved: not reported as never retrieved
