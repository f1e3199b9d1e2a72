"""Queues, a customer's place in them with a wait estimate, and the SLA escalation."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.routing.errors import RoutingErrorCode as Code
from vitrina.routing.matching import eligible, online
from vitrina.routing.models import Advisor, Queue
from vitrina.routing.schemas import QueueCreate, QueuePlace

DEFAULT_SLA_S = 120


async def queue_place(db: AsyncSession, *, conversation: Conversation) -> QueuePlace:
    """The customer's place in their queue and a wait estimate from recent handle times."""
    position = await conversations.position_in_queue(db, conversation=conversation)
    handle_s = await conversations.average_handle_s(db, brand_slug=conversation.brand_slug)
    return _place(conversation, position, await online(db), handle_s)


async def queue_places(
    db: AsyncSession, *, conversation_ids: Sequence[str]
) -> list[tuple[Conversation, QueuePlace]]:
    """`queue_place` for a batch: the queues, advisors and handle times are read once."""
    batch = await conversations.list_queued(db, conversation_ids=conversation_ids)
    if not batch:
        return []
    advisors = await online(db)
    handle_s: dict[str, float] = {}
    # Service order of each brand's whole queue, for every place in this batch.
    lines: dict[str, dict[str | None, list[str]]] = {}
    places: list[tuple[Conversation, QueuePlace]] = []
    for conversation in batch:
        brand = conversation.brand_slug
        if brand not in handle_s:
            handle_s[brand] = await conversations.average_handle_s(db, brand_slug=brand)
            lines[brand] = await conversations.queue_lines(db, brand_slug=brand)
        line = lines[brand].get(conversation.queue, [])
        position = line.index(conversation.id) + 1 if conversation.id in line else 0
        places.append((conversation, _place(conversation, position, advisors, handle_s[brand])))
    return places


def _place(
    conversation: Conversation, position: int, online: list[Advisor], handle_s: float
) -> QueuePlace:
    advisors = [a for a in online if eligible(a, conversation, 0)]
    slots = max(1, sum(a.capacity for a in advisors))
    rounds = math.ceil(position / slots) if position else 0
    return QueuePlace(
        conversation_id=conversation.id,
        position=position,
        ahead=max(0, position - 1),
        advisors_online=len(advisors),
        estimate_s=int(rounds * handle_s) if advisors else int(max(1, position) * handle_s),
    )


async def create_queue(db: AsyncSession, *, data: QueueCreate) -> Queue:
    existing = await db.execute(
        select(Queue).where(Queue.brand_slug == data.brand, Queue.name == data.name)
    )
    if existing.scalar_one_or_none() is not None:
        raise Conflict(f"Queue {data.name!r} exists for {data.brand}.", code=Code.QUEUE_EXISTS)
    queue = Queue(
        id=new_id(), brand_slug=data.brand, name=data.name, title=data.title, sla_s=data.sla_s
    )
    db.add(queue)
    await db.flush()
    return queue


async def list_queues(db: AsyncSession, *, brand_slugs: Iterable[str] | None) -> list[Queue]:
    query = select(Queue).order_by(Queue.brand_slug, Queue.name)
    if brand_slugs is not None:
        query = query.where(Queue.brand_slug.in_(list(brand_slugs)))
    return list((await db.execute(query)).scalars())


async def escalate_overdue(
    db: AsyncSession,
    *,
    bus: EventBus,
    now: datetime | None = None,
    default_sla_s: int = DEFAULT_SLA_S,
) -> int:
    """Escalate each queued conversation that waited past its queue's SLA, once."""
    now = now or utcnow()
    slas = {(q.brand_slug, q.name): q.sla_s for q in await list_queues(db, brand_slugs=None)}

    def overdue(wait: conversations.QueuedWait | Conversation) -> timedelta | None:
        if wait.escalated_at is not None or wait.queued_at is None:
            return None
        sla = slas.get((wait.brand_slug, wait.queue or ""), default_sla_s)
        waited = now - wait.queued_at
        return waited if waited > timedelta(seconds=sla) else None

    # The waits are read as columns; only the overdue conversations are loaded.
    due = [wait.id for wait in await conversations.queued_waits(db) if overdue(wait) is not None]
    escalated = 0
    for conversation in await conversations.list_queued(db, conversation_ids=due) if due else []:
        waited = overdue(conversation)
        if waited is not None:
            await conversations.escalate(
                db, bus=bus, conversation=conversation, waited_s=waited.total_seconds()
            )
            escalated += 1
    await db.flush()
    return escalated
