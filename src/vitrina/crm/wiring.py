"""Starts what the CRM runs beside requests: the timeline feed and the webhook dispatcher.

`install(app)` wraps the application's lifespan, so both start after the database is
ready and stop before it is closed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from vitrina.core.config import Settings
from vitrina.crm.timeline_feed import TimelineFeed
from vitrina.crm.webhooks import Dispatcher


def install(app: FastAPI) -> None:
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with inner(application):
            settings: Settings = application.state.settings
            sessions = application.state.sessions
            TimelineFeed(sessions).subscribe(application.state.bus)
            dispatcher = Dispatcher(
                sessions,
                retry_base_s=settings.webhook_retry_base_s,
                max_attempts=settings.webhook_max_attempts,
            )
            dispatcher.subscribe(application.state.bus)
            dispatcher.start()
            application.state.webhook_dispatcher = dispatcher
            try:
                yield
            finally:
                await dispatcher.close()

    app.router.lifespan_context = lifespan
