"""One writer at a time for SQLite, queued in order on the event loop.

SQLite lets one connection write at a time. Left to itself, a connection that finds the
database locked sleeps in SQLite's busy handler (1, 2, 5 … up to 100 ms between tries)
in its driver thread: under a burst of writes the lock often sits free while every
waiter sleeps, a writer can lose its turn again and again, and the last ones wait for
seconds. Here the first write statement of a transaction waits for its turn on an
`asyncio.Lock` (first come, first served, woken the instant the previous writer
finishes) and the turn ends when the connection goes back to the pool, after its commit
or rollback. Reads are never queued (WAL lets them run beside the writer).

Only for engines of this process: another process writing the same file still meets
the busy handler, as before.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HELD = "vitrina_sqlite_write_turn"


def install(engine: AsyncEngine, *, timeout_s: float) -> None:
    # One lock per event loop: tests and the CLI may drive one engine from several loops.
    locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
        weakref.WeakKeyDictionary()
    )

    def lock_of_this_loop() -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = locks.get(loop)
        if lock is None:
            lock = locks[loop] = asyncio.Lock()
        return lock

    async def take_turn(lock: asyncio.Lock) -> None:
        try:
            await asyncio.wait_for(lock.acquire(), timeout_s)
        except TimeoutError:
            raise OperationalError(
                "waiting to write", None, Exception("database is locked")
            ) from None

    def before_cursor_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _HELD in conn.info or not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        lock = lock_of_this_loop()
        await_only(take_turn(lock))
        conn.info[_HELD] = lock

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool: the transaction is over (committed or rolled back).
        lock = record.info.pop(_HELD, None)
        if lock is not None and lock.locked():
            lock.release()

    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine.sync_engine.pool, "checkin", checkin)
