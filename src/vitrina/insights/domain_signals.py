"""Interest signals from what visitors do elsewhere in the store, through the consent gate.

A saved configuration is a `configure` signal, a customer's message that names a product
an `ask`, a booking about a product a `book`, a paid order a `buy` for each product in it.
Each is about the visitor's own session (or the customer the booking names) and goes
through `service.ingest_signals`, so without analytics consent at that moment nothing is
stored, and a withdrawal later takes its influence away as for any other signal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.catalog import service as catalog
from vitrina.catalog.service import ConfigurationSaved, ProductChanged
from vitrina.commerce import orders
from vitrina.commerce.events import OrderChanged
from vitrina.commerce.models import OrderStatus
from vitrina.conversations import queries as conversations
from vitrina.conversations.events import CustomerMessage
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.insights import service
from vitrina.insights.mentions import ProductNames
from vitrina.insights.schemas import SignalIn, SignalType
from vitrina.privacy import subjects
from vitrina.scheduling.events import AppointmentBooked

log = structlog.get_logger(__name__)

# Product names are read again after this long even without a change heard on this node
# (another node may have changed the catalog).
NAMES_TTL_S = 60.0


@dataclass(frozen=True, slots=True)
class _Names:
    brand_id: str
    names: ProductNames
    read_at: float


class DomainSignals:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings
        self._names: dict[str, _Names] = {}

    def start(self) -> Callable[[], None]:
        """Subscribe; returns the function that unsubscribes."""
        stops = [
            self.bus.subscribe(ConfigurationSaved, self.on_configured),
            self.bus.subscribe(CustomerMessage, self.on_message),
            self.bus.subscribe(AppointmentBooked, self.on_booked),
            self.bus.subscribe(OrderChanged, self.on_order),
            self.bus.subscribe(ProductChanged, self.on_product_changed),
        ]

        def stop() -> None:
            for unsubscribe in stops:
                unsubscribe()

        return stop

    # Each handler hands its database work to the bus to run beside the other subscribers:
    # the bot's reply to a message must not wait for its signal to be stored.

    def on_configured(self, event: ConfigurationSaved) -> None:
        if event.session_id:
            self.bus.spawn(
                self._ingest(
                    event.brand,
                    subjects.guest(event.session_id),
                    "configure",
                    [event.product],
                    event.occurred_at,
                )
            )

    def on_message(self, event: CustomerMessage) -> None:
        self.bus.spawn(self._asked(event))

    async def _asked(self, event: CustomerMessage) -> None:
        async with self.sessions() as db:
            names = await self._names_of(db, event.brand_slug)
            named = names.names.named_in(event.text) if names is not None else []
            if not named:
                return
            conversation = await conversations.get(db, conversation_id=event.conversation_id)
        if conversation is None or not conversation.guest_session_id:
            return
        subject = subjects.guest(conversation.guest_session_id)
        await self._ingest(event.brand_slug, subject, "ask", named, event.occurred_at)

    def on_booked(self, event: AppointmentBooked) -> None:
        if event.product and subjects.is_valid(event.customer_ref):
            self.bus.spawn(
                self._ingest(
                    event.brand_slug, event.customer_ref, "book", [event.product], event.occurred_at
                )
            )

    def on_order(self, event: OrderChanged) -> None:
        if event.to_status == OrderStatus.PAID and event.from_status != OrderStatus.PAID:
            self.bus.spawn(self._bought(event))

    async def _bought(self, event: OrderChanged) -> None:
        async with self.sessions() as db:
            order = await orders.get_or_raise(db, order_id=event.order_id)
            bought = sorted({line.product_slug for line in await orders.lines_of(db, order=order)})
        if order.session_id and bought:
            subject = subjects.guest(order.session_id)
            await self._ingest(event.brand, subject, "buy", bought, event.occurred_at)

    def on_product_changed(self, event: ProductChanged) -> None:
        self._names.pop(event.brand, None)

    async def _names_of(self, db: AsyncSession, brand_slug: str) -> _Names | None:
        cached = self._names.get(brand_slug)
        if cached is not None and time.monotonic() - cached.read_at < NAMES_TTL_S:
            return cached
        brand = await brands.get_by_slug(db, slug=brand_slug)
        if brand is None:
            return None
        products = await catalog.list_products(db, brand=brand)
        fresh = _Names(
            brand_id=brand.id,
            names=ProductNames.of((p.slug, p.name) for p in products),
            read_at=time.monotonic(),
        )
        self._names[brand_slug] = fresh
        return fresh

    async def _ingest(
        self,
        brand_slug: str,
        subject: str,
        kind: SignalType,
        products: Sequence[str],
        at: datetime,
    ) -> None:
        async with transaction(self.sessions) as db:
            brand = await brands.get_by_slug(db, slug=brand_slug)
            if brand is None:
                return
            result = await service.ingest_signals(
                db,
                brand_id=brand.id,
                signals=[SignalIn(type=kind, subject=subject, product=p, at=at) for p in products],
                limits=service.GateLimits.of(
                    self.settings.signal_max_age_s, self.settings.signal_clock_skew_s
                ),
            )
        log.debug("domain_signals", kind=kind, accepted=result.accepted, rejected=result.rejected)
