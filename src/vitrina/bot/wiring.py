"""Starts the bot beside the app: it answers `conversations.CustomerMessage` events and
puts a greeter avatar in the world.

The composition root (vitrina.services) enters `running(...)` once the database, the bus
and the world hub are ready, and leaves it before they close.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.bot import service
from vitrina.bot.greeter import Greeter
from vitrina.bot.ports import PersonaChoices
from vitrina.conversations.events import CustomerMessage
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.core.events import EventBus
from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)


class Responder:
    """Answers each customer message in its own transaction, after the message committed."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, runtime: service.Runtime
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.runtime = runtime
        # One turn at a time per conversation, so two quick messages see each other's state.
        self._locks: dict[str, asyncio.Lock] = {}

    async def on_customer_message(self, event: CustomerMessage) -> None:
        if event.state != "bot":
            return
        lock = self._locks.setdefault(event.conversation_id, asyncio.Lock())
        async with lock:
            try:
                async with transaction(self.sessions) as db:
                    await service.reply(
                        db,
                        bus=self.bus,
                        runtime=self.runtime,
                        conversation_id=event.conversation_id,
                        text=event.text,
                    )
            except AppError as exc:
                log.info("bot_reply_refused", conversation_id=event.conversation_id, why=exc.detail)
        if not lock.locked():
            self._locks.pop(event.conversation_id, None)


@asynccontextmanager
async def running(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus,
    world_hub: WorldHub,
    warming: set[str],
    personas: PersonaChoices | None = None,
) -> AsyncIterator[service.Runtime | None]:
    """The bot's runtime while it answers and greets, or None where the bot is off."""
    bot_settings = service.BotSettings()
    if not bot_settings.active(settings.environment):
        yield None
        return
    runtime = service.Runtime.from_settings(settings.data_dir, bot_settings)
    runtime.personas = personas
    responder = Responder(sessions, bus, runtime)
    unsubscribe = bus.subscribe(CustomerMessage, responder.on_customer_message)
    greeter = Greeter(sessions=sessions, bus=bus, hub=world_hub, runtime=runtime)
    try:
        greeter.start()
        warm_up = None
        if settings.environment != "test":
            # Train or load the brand models now rather than on the first question.
            warming.add("bot")
            warm_up = asyncio.create_task(_warm_up(runtime))
            warm_up.add_done_callback(lambda _: warming.discard("bot"))
        try:
            yield runtime
        finally:
            if warm_up is not None:
                warm_up.cancel()
    finally:
        unsubscribe()
        await greeter.close()


async def _warm_up(runtime: service.Runtime) -> None:
    from vitrina.bot.content import available_brands

    for brand in available_brands(runtime.content_dir):
        await runtime.brain(brand)
