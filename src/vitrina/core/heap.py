"""Keep the garbage collector off the start-up heap.

Once started, a node holds millions of long-lived objects: the bot's models, every
route and schema, SQLAlchemy's mappers. CPython's oldest-generation collection walks
all of them: measured at about 0.5 s per pass on a served node, with a pass every few
seconds under steady signal ingestion, stalling every request and world tick in flight
(the p99 of the signal benchmark was these pauses). Freezing the heap once start-up
work is done moves those objects out of the collector's sight; objects made later are
collected as before. See the `gc.freeze` documentation.
"""

from __future__ import annotations

import asyncio
import gc

import structlog

log = structlog.get_logger(__name__)


class Warming(set[str]):
    """Names of start-up work still running (e.g. "bot" models); /readyz waits for it."""


async def freeze_after_warm_up(warming: set[str], *, poll_s: float = 1.0) -> None:
    """Wait until the start-up work named in `warming` is done, then freeze the heap."""
    # The set is polled (it has no event to wait on); the first look comes after start-up
    # has handed over to the server, when every part has named its background work.
    while True:
        await asyncio.sleep(poll_s)
        if not warming:
            break
    gc.collect()  # garbage left by start-up is freed, not frozen
    gc.freeze()
    log.info("heap_frozen", objects=gc.get_freeze_count())
