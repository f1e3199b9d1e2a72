"""Stopping background workers without cutting a round short."""

from __future__ import annotations

import asyncio
import contextlib


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
