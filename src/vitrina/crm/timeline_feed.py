"""The cross-channel timeline, fed by other domains' events on the bus.

Two ways in:
- any domain calls `crm.service.append_timeline(db, customer_id=..., kind=..., summary=...)`
  inside its own transaction;
- any DomainEvent carrying a `customer_id` (and optionally `summary` and `channel`) is
  recorded as it is published, and world presence and chat events of a guest session
  verified as a customer are recorded for that customer.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.db import transaction
from vitrina.core.events import DomainEvent, EventBus
from vitrina.crm import service, verification
from vitrina.crm.events import CrmEvent

log = structlog.get_logger(__name__)

_WORLD_SUMMARIES = {
    "world.presence_joined": "Entered the virtual store ({zone})",
    "world.presence_left": "Left the virtual store",
    "world.chat_posted": "Said in the store: {text}",
}


class TimelineFeed:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(DomainEvent, self.on_event)

    async def on_event(self, event: DomainEvent) -> None:
        if isinstance(event, CrmEvent):
            return  # the CRM's own changes are shown by the 360 view itself
        try:
            async with transaction(self.sessions) as db:
                await self._record(db, event)
        except Exception:
            log.exception("timeline_record_failed", event_type=event.type)

    async def _record(self, db: AsyncSession, event: DomainEvent) -> None:
        fields: dict[str, Any] = event.model_dump(mode="json")
        customer_id = fields.get("customer_id")
        summary = str(fields.get("summary", ""))
        channel = str(fields.get("channel", ""))
        if event.type in _WORLD_SUMMARIES:
            session_id = fields.get("session_id")
            brand = await brands.get_by_slug(db, slug=str(fields.get("brand", "")))
            if not session_id or brand is None:
                return
            customer_id = await verification.customer_of_session(
                db, session_id=str(session_id), brand_id=brand.id
            )
            summary = _WORLD_SUMMARIES[event.type].format(
                zone=fields.get("zone", ""), text=str(fields.get("text", ""))[:200]
            )
            channel = "world"
        if not customer_id or await service.get(db, customer_id=str(customer_id)) is None:
            return
        data = {k: v for k, v in fields.items() if k not in {"customer_id", "occurred_at"}}
        await service.append_timeline(
            db,
            customer_id=str(customer_id),
            kind=event.type,
            summary=summary or event.type,
            channel=channel,
            data=data,
            occurred_at=event.occurred_at,
        )
