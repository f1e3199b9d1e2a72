"""Routing's background work: offer handoffs as they arrive, re-offer when advisors free
up, escalate past the SLA, and release advisors whose consoles went away.

Each piece of work runs in its own transaction, after the change that caused it
committed (events come from the bus), so a failure here never undoes a customer's message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations.events import HandoffRequested, StateChanged
from vitrina.conversations.states import WITH_ADVISOR
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.core.tasks import every, stop_after_round
from vitrina.routing import service as routing
from vitrina.routing.dispatcher import Dispatcher

log = structlog.get_logger(__name__)


class RoutingJobs:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings
        self._unsubscribe: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.dispatcher = Dispatcher(sessions, bus)

    def start(self) -> None:
        self._unsubscribe.append(self.bus.subscribe(HandoffRequested, self.on_handoff))
        self._unsubscribe.append(self.bus.subscribe(StateChanged, self.on_state_changed))
        self.dispatcher.start()
        self._ticker = asyncio.create_task(self._tick_forever())

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        await self.dispatcher.close()
        self._stop.set()
        await stop_after_round(self._ticker)
        tasks = list(self._tasks)  # advisors' grace periods end with the process
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def on_handoff(self, event: HandoffRequested) -> None:
        """Offer the conversation (in the dispatcher's next pass), then tell the customer
        their place and the wait."""
        self.dispatcher.submit(event.conversation_id)

    async def on_state_changed(self, event: StateChanged) -> None:
        left = event.previous_agent_id
        was_serving = event.from_state in {s.value for s in WITH_ADVISOR}
        if not left or not was_serving:
            return
        if event.to_state in {s.value for s in WITH_ADVISOR} and event.agent_id == left:
            return
        async with transaction(self.sessions) as db:
            await routing.advisor_freed(db, bus=self.bus, user_id=left, brand_slug=event.brand_slug)

    def release_later(self, user_id: str) -> None:
        """After the grace period, release the advisor if no console came back."""
        task = asyncio.create_task(self._release_after_grace(user_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _release_after_grace(self, user_id: str) -> None:
        await asyncio.sleep(self.settings.console_disconnect_grace_s)
        async with transaction(self.sessions) as db:
            moved = await routing.release_if_gone(db, bus=self.bus, user_id=user_id)
        if moved:
            log.info("advisor_released", user_id=user_id, requeued=moved)

    async def tick(self) -> None:
        async with transaction(self.sessions) as db:
            await routing.escalate_overdue(
                db, bus=self.bus, default_sla_s=self.settings.routing_default_sla_s
            )
            await routing.offer_waiting(db, bus=self.bus)

    async def _tick_forever(self) -> None:
        await every(
            self.settings.routing_tick_s, self._stop, self.tick, failed="routing_tick_failed"
        )
