"""Routing decisions for handoffs as they arrive, a batch at a time, one pass at a time.

A burst of handoffs (a campaign, advisors back from a break, a node restarting with a
full queue) used to start one transaction per handoff, each reading every online advisor
and the load of all of them, all competing at once: for SQLite's single writer, for
PostgreSQL's connection pool, and for this node's one CPU. The measured p99 of a decision
was then the time to work through the whole burst. Here one task per node takes whatever
arrived since its last pass and decides for all of it in one short transaction, so a
decision waits at most for the pass in progress. Customers are told their place in a
second transaction, in small chunks, after the offers are out.

Nodes decide independently; an advisor offered more than their free slots by two nodes
has the extra offers moved on by `offer_waiting` (the SLA tick, and whenever a slot frees).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import service as conversations
from vitrina.conversations.states import SYSTEM
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.core.tasks import stop_after_round
from vitrina.routing import service as routing

log = structlog.get_logger(__name__)

# A pass decides for at most this many conversations; the rest wait for the next pass.
MAX_BATCH = 500
# Queue-place messages are written this many per transaction, so customers' own messages
# (SQLite has one writer) are not held up behind a burst of them.
PLACE_CHUNK = 25


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        *,
        on_decided: Callable[[dict[str, float]], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        # Conversation id -> when it was submitted (perf_counter), in arrival order.
        self._pending: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Told, after each pass commits, how long each decision took in ms (benchmarks).
        self.on_decided = on_decided

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        """Finish the pass under way, then stop (what is still pending waits for the SLA
        tick of the next start)."""
        self._stopping = True
        self._wake.set()
        await stop_after_round(self._task)

    def submit(self, conversation_id: str) -> None:
        """Decide for this conversation in the next pass (a repeat is decided once)."""
        self._pending.setdefault(conversation_id, time.perf_counter())
        self._idle.clear()
        self._wake.set()

    async def settled(self) -> None:
        """Wait until everything submitted so far is decided and its customer told."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            while self._pending:
                ids = list(self._pending)[:MAX_BATCH]
                submitted = {cid: self._pending.pop(cid) for cid in ids}
                try:
                    await self.decide(submitted)
                except Exception:
                    # The SLA tick offers whatever this pass could not.
                    log.exception("routing_pass_failed", conversations=len(ids))
            self._idle.set()

    async def decide(self, submitted: dict[str, float]) -> None:
        ids = list(submitted)
        async with transaction(self.sessions) as db:
            await routing.route_many(db, bus=self.bus, conversation_ids=ids)
        if self.on_decided is not None:
            now = time.perf_counter()
            self.on_decided({cid: (now - at) * 1000 for cid, at in submitted.items()})
        for start in range(0, len(ids), PLACE_CHUNK):
            async with transaction(self.sessions) as db:
                await self._tell_places(db, ids[start : start + PLACE_CHUNK])

    async def _tell_places(self, db: AsyncSession, ids: list[str]) -> None:
        """Tell each customer still waiting their place in the queue and the wait."""
        for conversation, place in await routing.queue_places(db, conversation_ids=ids):
            minutes = max(1, round(place.estimate_s / 60))
            await conversations.post_event(
                db,
                bus=self.bus,
                conversation=conversation,
                actor=SYSTEM,
                body=conversations.notice(
                    "queue_place",
                    conversation.locale,
                    position=place.position,
                    minutes=minutes,
                ),
                data={"event": "queue_place", **place.model_dump(mode="json")},
            )
