"""Consent changes on the ledger: each grant or withdrawal (privacy's `ConsentChanged`,
delivered once the change is committed) becomes a `consent.changed` entry of the brand,
facts {"purpose", "granted"} and a commitment to the person (role "subject"). The brand
can then prove, to the person or an auditor, when it was told what, and the entries
outlive the person's erasure as proof, pointing to no one."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.core.events import EventBus
from vitrina.ledger import service
from vitrina.privacy.service import ConsentChanged

log = structlog.get_logger(__name__)

KIND = "consent.changed"


class ConsentLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def start(self, bus: EventBus) -> Callable[[], None]:
        """Subscribe; returns the unsubscribe function (the stop)."""
        return bus.subscribe(ConsentChanged, self.record)

    async def record(self, event: ConsentChanged) -> None:
        try:
            async with transaction(self._sessions) as db:
                brand = await brands.get(db, brand_id=event.brand_id)
                if brand is None:
                    return
                await service.append(
                    db,
                    brand=brand.slug,
                    kind=KIND,
                    facts={"purpose": event.purpose, "granted": event.granted},
                    subjects={"subject": event.subject},
                )
        except AppError as exc:  # the person was erased meanwhile
            log.warning("consent_not_on_ledger", brand_id=event.brand_id, why=exc.code)
