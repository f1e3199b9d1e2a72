"""What the CRM announces: domain events on the bus and, for each, signed webhooks.

`emit` is the one path: it queues the webhook deliveries in the same transaction as the
change (an outbox, so a webhook is never sent for a change that rolled back, nor lost for
one that committed) and publishes the domain event after commit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.events import DomainEvent, EventBus
from vitrina.crm.models import WebhookDelivery, WebhookEndpoint


class CrmEvent(DomainEvent):
    """Base of the CRM's events; `webhook` is the name integrations subscribe to."""

    webhook: ClassVar[str]
    brand_id: str
    customer_id: str
    data: dict[str, Any]


class CustomerCreated(CrmEvent):
    type: ClassVar[str] = "crm.customer_created"
    webhook: ClassVar[str] = "customer.created"


class CustomerUpdated(CrmEvent):
    type: ClassVar[str] = "crm.customer_updated"
    webhook: ClassVar[str] = "customer.updated"


class IdentityLinked(CrmEvent):
    type: ClassVar[str] = "crm.identity_linked"
    webhook: ClassVar[str] = "identity.linked"


class IdentityUnlinked(CrmEvent):
    type: ClassVar[str] = "crm.identity_unlinked"
    webhook: ClassVar[str] = "identity.unlinked"


class ProfilesMerged(CrmEvent):
    type: ClassVar[str] = "crm.profiles_merged"
    webhook: ClassVar[str] = "profiles.merged"


class MergeUndone(CrmEvent):
    type: ClassVar[str] = "crm.merge_undone"
    webhook: ClassVar[str] = "profiles.unmerged"


WEBHOOK_EVENTS = tuple(
    sorted(
        e.webhook
        for e in (
            CustomerCreated,
            CustomerUpdated,
            IdentityLinked,
            IdentityUnlinked,
            ProfilesMerged,
            MergeUndone,
        )
    )
)


async def emit(db: AsyncSession, bus: EventBus | None, event: CrmEvent) -> None:
    endpoints = await db.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.brand_id == event.brand_id, WebhookEndpoint.is_active.is_(True)
        )
    )
    now = utcnow()
    for endpoint in endpoints.scalars():
        if endpoint.events and event.webhook not in endpoint.events:
            continue
        delivery_id = new_id()
        db.add(
            WebhookDelivery(
                id=delivery_id,
                endpoint_id=endpoint.id,
                event_type=event.webhook,
                payload={
                    "id": delivery_id,
                    "type": event.webhook,
                    "occurred_at": event.occurred_at.isoformat(),
                    "brand_id": event.brand_id,
                    "customer_id": event.customer_id,
                    "data": event.data,
                },
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(db, event)
