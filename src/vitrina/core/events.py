"""A small in-process domain event bus.

Domains publish typed events instead of reaching into each other's tables.
Events raised inside a database transaction are delivered only after it commits
(`publish_on_commit`), so subscribers never see a change that was rolled back.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import structlog
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger(__name__)


class DomainEvent(BaseModel):
    """Base of every event; subclasses set `type` to a dotted name like `world.chat_posted`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type: ClassVar[str]
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], Awaitable[None] | None]

_PENDING_KEY = "vitrina_pending_events"
_LISTENING_KEY = "vitrina_events_listening"


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(
        self,
        event_type: type[E],
        handler: Callable[[E], Awaitable[None] | None],
    ) -> Callable[[], None]:
        """Register `handler` for `event_type` and its subclasses; returns an unsubscribe function."""
        self._handlers[event_type].append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers[event_type]:
                self._handlers[event_type].remove(handler)

        return unsubscribe

    async def publish(self, event: DomainEvent) -> None:
        """Deliver to every subscriber in order; one failing handler does not stop the others."""
        for event_type in type(event).__mro__:
            for handler in list(self._handlers.get(event_type, ())):
                try:
                    result = handler(event)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception(
                        "event_handler_failed", event_type=event.type, handler=repr(handler)
                    )

    def spawn(self, work: Awaitable[None]) -> None:
        """Run a handler's slow part beside the other subscribers instead of before them;
        `drain()` waits for it like for any delivery. It runs in a context of its own: it
        is no part of the request whose commit published the event."""

        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("event_work_failed")

        task = asyncio.get_running_loop().create_task(run(), context=contextvars.Context())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout_s: float = 5.0) -> int:
        """Let deliveries under way finish (and those they start), then cancel the rest.

        Called at shutdown before the database engine goes: a delivery cut off mid-write
        would keep its connection, and on SQLite its write lock, after the app has stopped.
        Returns how many deliveries had to be cancelled.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)
        stuck = set(self._tasks)
        for task in stuck:
            task.cancel()
        await asyncio.gather(*stuck, return_exceptions=True)
        if stuck:
            log.warning("event_deliveries_cancelled", count=len(stuck))
        return len(stuck)

    def publish_on_commit(self, session: AsyncSession, event: DomainEvent) -> None:
        """Queue `event` until `session` commits; dropped if it rolls back."""
        sync_session = session.sync_session
        info = sync_session.info
        if _LISTENING_KEY not in info:
            info[_LISTENING_KEY] = True
            sa_event.listen(sync_session, "after_commit", self._deliver_pending)
            sa_event.listen(sync_session, "after_rollback", _discard_pending)
        info.setdefault(_PENDING_KEY, []).append(event)

    def _deliver_pending(self, sync_session: Any) -> None:
        events: list[DomainEvent] = sync_session.info.pop(_PENDING_KEY, [])
        if not events:
            return
        loop = asyncio.get_running_loop()
        for ev in events:
            task = loop.create_task(self.publish(ev))
            # The loop keeps only weak references to tasks; hold them until done.
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


def _discard_pending(sync_session: Any) -> None:
    sync_session.info.pop(_PENDING_KEY, None)
