"""Starts what the CRM runs beside requests: the timeline feed and the webhook dispatcher.

The composition root (vitrina.services) enters `running(...)` once the database and the
bus are ready, and leaves it before they close.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.core.config import Settings
from vitrina.core.events import EventBus
from vitrina.crm.timeline_feed import TimelineFeed
from vitrina.crm.webhooks import Dispatcher


@asynccontextmanager
async def running(
    *, settings: Settings, sessions: async_sessionmaker[AsyncSession], bus: EventBus
) -> AsyncIterator[Dispatcher]:
    TimelineFeed(sessions).subscribe(bus)
    dispatcher = Dispatcher(
        sessions,
        retry_base_s=settings.webhook_retry_base_s,
        max_attempts=settings.webhook_max_attempts,
    )
    dispatcher.subscribe(bus)
    dispatcher.start()
    try:
        yield dispatcher
    finally:
        await dispatcher.close()
