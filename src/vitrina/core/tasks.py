"""Background workers: running a round periodically, and stopping without cutting a
round short."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


async def every(
    interval_s: float, stop: asyncio.Event, work: Callable[[], Awaitable[object]], *, failed: str
) -> None:
    """Run `work` every `interval_s` until `stop` is set (the first round after one
    interval); a round that raises is logged as `failed` and the next one runs."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        if stop.is_set():
            return
        try:
            await work()
        except Exception:
            log.exception(failed)


async def stop_after_round(task: asyncio.Task[None] | None, *, timeout_s: float = 10.0) -> None:
    """Wait for a worker that was told to stop to finish its round, and cancel it only after
    `timeout_s`: a database call cancelled half-way can leave its connection (and, on
    SQLite, the write lock) behind."""
    if task is None:
        return
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=timeout_s)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
