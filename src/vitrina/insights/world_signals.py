"""Interest signals from the world socket, through the same consent gate as the batch API.

The world publishes `InterestSignalled` for every valid `interest` frame and awaits the
subscribers, so a frame is gated, and stored or dropped and counted, before the visitor's
next frame is read.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.insights import service
from vitrina.insights.errors import RejectReason
from vitrina.insights.metrics import SIGNALS_REJECTED
from vitrina.world.interest import InterestSignalled

log = structlog.get_logger(__name__)


class WorldSignals:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings

    def start(self) -> Callable[[], None]:
        """Subscribe; returns the function that unsubscribes."""
        return self.bus.subscribe(InterestSignalled, self.on_signalled)

    async def on_signalled(self, event: InterestSignalled) -> None:
        async with transaction(self.sessions) as db:
            brand = await brands.get_by_slug(db, slug=event.brand)
            if brand is None:
                return
            try:
                await service.ingest_from_visitor(
                    db,
                    settings=self.settings,
                    brand_id=brand.id,
                    session_id=event.session_id,
                    signals=event.signals,
                )
            except ValidationError:
                # The world checked the frame's shape; whatever it let through that the
                # batch schema refuses is out of range, refused whole like a bad batch.
                SIGNALS_REJECTED.labels(reason=RejectReason.OUT_OF_RANGE).inc(len(event.signals))
                log.info("world_signals_refused", count=len(event.signals))
