"""Answers to the reads every storefront visit makes (brands, products), kept in memory.

An entry is the answer's JSON bytes and its ETag. Any committed write to a table the
answers are built from (`WATCHED`) empties the cache of the process that wrote, whatever
wrote it: an admin route, an import, a seeder. The write is seen by the statement it runs,
not by the service that issued it, so no new write path can forget to invalidate. The
other processes (workers, nodes) hear of it on the broker and empty theirs; a process that
shares no broker with the writer (the CLI) is caught up by `MAX_AGE_S`.

The answers carry `ETag` and `Cache-Control: no-cache`: a browser keeps them and asks
again with `If-None-Match`, and gets 304 until something changed, so a change is seen on
the next visit rather than after some max-age.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi.encoders import jsonable_encoder
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from vitrina.core.broker import Broker

log = structlog.get_logger(__name__)

# The tables the cached answers are built from.
WATCHED = frozenset({"brand", "catalog_product", "catalog_asset"})
CHANNEL = "vitrina:readcache"
MAX_AGE_S = 5.0
MAX_ENTRIES = 10_000
CACHE_CONTROL = "public, no-cache"
_DIRTY = "vitrina_readcache_dirty"
# For the routes' `responses=`: the 304 a conditional request gets.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified since the ETag in If-None-Match"}
}
# The table a write statement writes: a chat message's row names its brand too, but
# only writes to these tables change what the answers show.
_WRITTEN_TABLE = re.compile(
    r'\s*(?:insert(?:\s+or\s+\w+)?\s+into|update|delete\s+from|replace\s+into)\s+"?(\w+)"?',
    re.IGNORECASE,
)


class ReadCache:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, tuple[float, str, bytes]] = {}
        self._clock = clock
        self._broker: Broker | None = None
        self._flights: dict[tuple[str, int], asyncio.Future[tuple[float, str, bytes]]] = {}
        self.generation = 0

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    async def respond(
        self, request: Request, key: str, build: Callable[[], Awaitable[Any]]
    ) -> Response:
        """The cached answer under `key`, else `build()`'s (JSON-encoded and kept);
        304 when the caller's If-None-Match names it."""
        entry = self._entries.get(key)
        if entry is None or self._clock() - entry[0] > MAX_AGE_S:
            entry = await self._build_once(key, build)
        _, etag, body = entry
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    async def _build_once(
        self, key: str, build: Callable[[], Awaitable[Any]]
    ) -> tuple[float, str, bytes]:
        """One build per key at a time: when an answer expires or is invalidated under
        load, the requests that miss together wait for one build instead of each running
        the queries (hundreds of identical builds queued on the database pool held the
        tail at seconds). Only a build started since the last write is shared, so nobody
        is answered from before a write committed ahead of their request."""
        flight = (key, self.generation)
        shared = self._flights.get(flight)
        if shared is not None:
            try:
                return await asyncio.shield(shared)
            except asyncio.CancelledError:
                if not shared.cancelled():
                    raise  # this request itself was cancelled
            except Exception:  # noqa: S110 - the builder's request reports its error
                pass
            # The shared build failed or its request went away: build for this one.
        future: asyncio.Future[tuple[float, str, bytes]] = (
            asyncio.get_running_loop().create_future()
        )
        self._flights[flight] = future
        try:
            entry = await self._build(key, build)
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(error)
                future.exception()  # marked retrieved: a waiter is not required
            raise
        else:
            future.set_result(entry)
            return entry
        finally:
            if self._flights.get(flight) is future:
                del self._flights[flight]

    async def _build(
        self, key: str, build: Callable[[], Awaitable[Any]]
    ) -> tuple[float, str, bytes]:
        generation = self.generation
        body = json.dumps(
            jsonable_encoder(await build()), ensure_ascii=False, separators=(",", ":")
        ).encode()
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        entry = (self._clock(), etag, body)
        # A write committed while this answer was built makes it stale already.
        if generation == self.generation:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = entry
        return entry

    def lookup(self, key: str) -> tuple[str, bytes] | None:
        """The fresh answer under `key` (ETag, body), if there is one."""
        entry = self._entries.get(key)
        if entry is None or self._clock() - entry[0] > MAX_AGE_S:
            return None
        return entry[1], entry[2]

    # --- invalidation -------------------------------------------------------------------

    def watch(self, engine: AsyncEngine) -> None:
        """Empty the cache after each commit on `engine` that wrote a watched table."""
        sync_engine = engine.sync_engine

        def before_cursor_execute(
            conn: Connection, _cursor: Any, statement: str, *_args: Any
        ) -> None:
            written = _WRITTEN_TABLE.match(statement)
            if written is not None and written.group(1).lower() in WATCHED:
                conn.info[_DIRTY] = True

        def commit(conn: Connection) -> None:
            if _take_dirty(conn):
                self.clear()
                self._announce()

        def rollback(conn: Connection) -> None:
            _take_dirty(conn)

        event.listen(sync_engine, "before_cursor_execute", before_cursor_execute)
        event.listen(sync_engine, "commit", commit)
        event.listen(sync_engine, "rollback", rollback)

    async def listen(self, broker: Broker) -> Callable[[], Awaitable[None]]:
        """Empty the cache when another process says it wrote; returns the unsubscribe."""
        self._broker = broker

        async def heard(_payload: bytes) -> None:
            self.clear()

        unsubscribe: Callable[[], Awaitable[None]] = await broker.subscribe(CHANNEL, heard)
        return unsubscribe

    def _announce(self) -> None:
        broker = self._broker
        if broker is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(broker.publish(CHANNEL, b"changed"))
        _pending.add(task)
        task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[object]] = set()


def _take_dirty(conn: Connection) -> bool:
    """Read and reset the connection's mark. A connection invalidated by a cancelled
    statement refuses even this until it is rolled back: its mark stays, and at worst
    empties the cache once more on a later commit."""
    try:
        return bool(conn.info.pop(_DIRTY, False))
    except SQLAlchemyError:  # PendingRollbackError and the like
        return False


def matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (or any, `*`)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in (t.strip().removeprefix("W/") for t in if_none_match.split(","))
