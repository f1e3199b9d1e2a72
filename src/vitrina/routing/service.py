"""Routing: advisor presence and capacity, queues, offers, accept, transfer, SLA.

The routing decision picks, among the advisors who are online, serve the brand, have
the skills (language, product line, queue) and a free slot, the one idle the longest.
Accepting is a claim: of concurrent accepts exactly one wins (see conversations.claim).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import SYSTEM, WITH_ADVISOR, Actor
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import SYSTEM_PRINCIPAL, Principal
from vitrina.routing.errors import RoutingErrorCode as Code
from vitrina.routing.events import Offered, PresenceChanged
from vitrina.routing.models import Advisor, Queue
from vitrina.routing.schemas import Presence, PresenceUpdate, QueueCreate, QueuePlace

DEFAULT_SLA_S = 120


# Advisors --------------------------------------------------------------------------


async def get_advisor(db: AsyncSession, *, user_id: str) -> Advisor | None:
    return await db.get(Advisor, user_id)


async def list_advisors(db: AsyncSession, *, principal: Principal) -> list[Advisor]:
    rows = (await db.execute(select(Advisor).order_by(Advisor.display_name))).scalars()
    visible = conversations.visible_brands(principal)
    return [a for a in rows if visible is None or set(a.brand_slugs) & visible or a.all_brands]


async def _ensure_advisor(db: AsyncSession, principal: Principal) -> Advisor:
    if principal.user_id is None:
        raise NotFound("Only staff members can be advisors.", code=Code.ADVISOR_NOT_FOUND)
    advisor = await get_advisor(db, user_id=principal.user_id)
    now = utcnow()
    if advisor is None:
        advisor = Advisor(
            user_id=principal.user_id,
            display_name=principal.display_name,
            brand_slugs=[],
            all_brands=False,
            status=Presence.OFFLINE.value,
            capacity=3,
            languages=[],
            product_lines=[],
            queues=[],
            idle_since=now,
            connections=0,
            last_seen_at=now,
        )
        db.add(advisor)
    advisor.display_name = principal.display_name
    advisor.brand_slugs = sorted(principal.brand_slugs)
    advisor.all_brands = principal.visible_brands() is None
    return advisor


async def lock_advisor(db: AsyncSession, *, user_id: str) -> Advisor | None:
    """Serialise decisions about one advisor's load.

    A write is the lock: PostgreSQL takes the row lock, SQLite the database write lock,
    and both hold it until the transaction ends.
    """
    await db.execute(
        update(Advisor)
        .where(Advisor.user_id == user_id)
        .values(last_seen_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    advisor = await get_advisor(db, user_id=user_id)
    if advisor is not None:
        await db.refresh(advisor)
    return advisor


async def set_presence(
    db: AsyncSession, *, bus: EventBus, principal: Principal, data: PresenceUpdate
) -> Advisor:
    advisor = await _ensure_advisor(db, principal)
    previous = advisor.status
    if data.capacity is not None:
        advisor.capacity = data.capacity
    if data.languages is not None:
        advisor.languages = sorted(set(data.languages))
    if data.product_lines is not None:
        advisor.product_lines = sorted(set(data.product_lines))
    if data.queues is not None:
        advisor.queues = sorted(set(data.queues))
    advisor.status = data.status.value
    if previous != Presence.ONLINE and data.status is Presence.ONLINE:
        advisor.idle_since = utcnow()
    await db.flush()
    if data.status is Presence.OFFLINE and previous != Presence.OFFLINE.value:
        await _requeue_all(db, bus, advisor, reason=f"{advisor.display_name} went offline")
    _announce_presence(db, bus, advisor)
    if data.status is Presence.ONLINE:
        await offer_waiting(db, bus=bus, brand_slugs=_brands_of(advisor))
    return advisor


async def connected(db: AsyncSession, *, principal: Principal) -> Advisor:
    advisor = await _ensure_advisor(db, principal)
    await db.flush()
    await db.execute(
        update(Advisor)
        .where(Advisor.user_id == advisor.user_id)
        .values(connections=Advisor.connections + 1, last_seen_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await db.refresh(advisor)
    return advisor


async def disconnected(db: AsyncSession, *, user_id: str) -> int:
    """Count one console socket gone; returns how many the advisor still has open."""
    await db.execute(
        update(Advisor)
        .where(Advisor.user_id == user_id, Advisor.connections > 0)
        .values(connections=Advisor.connections - 1)
        .execution_options(synchronize_session=False)
    )
    advisor = await get_advisor(db, user_id=user_id)
    if advisor is None:
        return 0
    await db.refresh(advisor)
    return advisor.connections


async def release_if_gone(db: AsyncSession, *, bus: EventBus, user_id: str) -> int:
    """The advisor's consoles stayed closed past the grace period: offline, and every
    conversation they held goes back to its queue with its history. Returns how many."""
    advisor = await lock_advisor(db, user_id=user_id)
    if advisor is None or advisor.connections > 0 or advisor.status == Presence.OFFLINE:
        return 0
    advisor.status = Presence.OFFLINE.value
    await db.flush()
    moved = await _requeue_all(db, bus, advisor, reason=f"{advisor.display_name} disconnected")
    _announce_presence(db, bus, advisor)
    return moved


async def _requeue_all(db: AsyncSession, bus: EventBus, advisor: Advisor, *, reason: str) -> int:
    held = await conversations.list_conversations(
        db, principal=_system_view(), states=sorted(WITH_ADVISOR), assigned_to=advisor.user_id
    )
    for conversation in held:
        await conversations.requeue(
            db, bus=bus, conversation=conversation, actor=SYSTEM, reason=reason
        )
    return len(held)


def _system_view() -> Principal:
    return SYSTEM_PRINCIPAL


def _brands_of(advisor: Advisor) -> list[str] | None:
    return None if advisor.all_brands else list(advisor.brand_slugs)


def _announce_presence(db: AsyncSession, bus: EventBus, advisor: Advisor) -> None:
    bus.publish_on_commit(
        db,
        PresenceChanged(
            user_id=advisor.user_id,
            display_name=advisor.display_name,
            status=advisor.status,
            brand_slugs=list(advisor.brand_slugs),
            all_brands=advisor.all_brands,
        ),
    )


# The routing decision --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Need:
    """What a conversation asks of an advisor, read once per decision rather than once per
    advisor looked at (ORM attribute reads add up over 50 advisors and 200 handoffs)."""

    brand: str
    language: str | None
    product_line: str | None
    queue: str | None

    @classmethod
    def of(cls, conversation: Conversation) -> Need:
        skills = conversation.skills
        return cls(
            conversation.brand_slug,
            skills.get("language"),
            skills.get("product_line"),
            conversation.queue,
        )


def eligible(advisor: Advisor, conversation: Conversation | Need, load: int) -> bool:
    need = conversation if isinstance(conversation, Need) else Need.of(conversation)
    if advisor.status != Presence.ONLINE or load >= advisor.capacity:
        return False
    if not advisor.all_brands and need.brand not in advisor.brand_slugs:
        return False
    if advisor.languages and need.language and need.language not in advisor.languages:
        return False
    if (
        advisor.product_lines
        and need.product_line
        and need.product_line not in advisor.product_lines
    ):
        return False
    return not (advisor.queues and need.queue not in advisor.queues)


async def _online(db: AsyncSession) -> list[Advisor]:
    rows = await db.execute(
        select(Advisor)
        .where(Advisor.status == Presence.ONLINE.value)
        .order_by(Advisor.idle_since, Advisor.user_id)
    )
    return list(rows.scalars())


async def _loads(db: AsyncSession, advisors: Iterable[Advisor]) -> Counter[str]:
    ids = [a.user_id for a in advisors]
    loads: Counter[str] = Counter(await conversations.count_with_advisors(db, agent_ids=ids))
    loads.update(await conversations.count_offers(db))
    return loads


def choose(
    advisors: list[Advisor], conversation: Conversation, loads: Counter[str]
) -> Advisor | None:
    """Longest idle first among the eligible; `advisors` come sorted by idle_since."""
    need = Need.of(conversation)
    for advisor in advisors:
        if eligible(advisor, need, loads[advisor.user_id]):
            return advisor
    return None


async def route(db: AsyncSession, *, bus: EventBus, conversation_id: str) -> Advisor | None:
    """Offer a queued conversation to the best advisor now, if any is free."""
    return (await route_many(db, bus=bus, conversation_ids=[conversation_id])).get(conversation_id)


async def route_many(
    db: AsyncSession, *, bus: EventBus, conversation_ids: Sequence[str]
) -> dict[str, Advisor | None]:
    """Decide for a batch of queued conversations at once, in service order.

    The advisors and their loads are read once for the whole batch and each offer counts
    against the chosen advisor's load for the next one, so a burst of handoffs costs a
    handful of queries rather than a handful per conversation. Conversations no longer
    queued are left out of the result.
    """
    started = time.perf_counter()
    batch = await conversations.list_queued(db, conversation_ids=conversation_ids)
    if not batch:
        return {}
    advisors = await _online(db)
    loads = await _loads(db, advisors)
    decided: dict[str, Advisor | None] = {}
    for conversation in batch:
        if conversation.offered_to:
            loads[conversation.offered_to] -= 1  # its own offer may be renewed
        advisor = choose(advisors, conversation, loads)
        if advisor is not None:
            loads[advisor.user_id] += 1
        _offer(db, bus, conversation, advisor, started)
        decided[conversation.id] = advisor
    await db.flush()
    return decided


async def offer_waiting(
    db: AsyncSession, *, bus: EventBus, brand_slugs: list[str] | None = None
) -> int:
    """Go through the queue in service order: keep each offer whose advisor can still take
    it, offer the others anew. An offer made by concurrent decisions to an advisor who
    filled up meanwhile is moved on here. Returns how many new offers were made."""
    started = time.perf_counter()
    advisors = await _online(db)
    by_id = {a.user_id: a for a in advisors}
    ids = [a.user_id for a in advisors]
    loads: Counter[str] = Counter(await conversations.count_with_advisors(db, agent_ids=ids))
    offered = 0
    for conversation in await conversations.list_queued(db):
        if brand_slugs is not None and conversation.brand_slug not in brand_slugs:
            continue
        current = by_id.get(conversation.offered_to or "")
        if current is not None and eligible(current, conversation, loads[current.user_id]):
            loads[current.user_id] += 1
            continue
        advisor = choose(advisors, conversation, loads)
        if advisor is not None:
            loads[advisor.user_id] += 1
            offered += 1
        if advisor is not None or conversation.offered_to is not None:
            _offer(db, bus, conversation, advisor, started)
    await db.flush()
    return offered


def _offer(
    db: AsyncSession,
    bus: EventBus,
    conversation: Conversation,
    advisor: Advisor | None,
    started: float,
) -> None:
    conversations.set_offer(conversation, agent_id=advisor.user_id if advisor else None)
    if advisor is not None:
        bus.publish_on_commit(
            db,
            Offered(
                conversation_id=conversation.id,
                brand_slug=conversation.brand_slug,
                advisor_id=advisor.user_id,
                decision_ms=(time.perf_counter() - started) * 1000,
            ),
        )


async def queue_place(db: AsyncSession, *, conversation: Conversation) -> QueuePlace:
    """The customer's place in their queue and a wait estimate from recent handle times."""
    position = await conversations.position_in_queue(db, conversation=conversation)
    handle_s = await conversations.average_handle_s(db, brand_slug=conversation.brand_slug)
    return _place(conversation, position, await _online(db), handle_s)


async def queue_places(
    db: AsyncSession, *, conversation_ids: Sequence[str]
) -> list[tuple[Conversation, QueuePlace]]:
    """`queue_place` for a batch: the queues, advisors and handle times are read once."""
    batch = await conversations.list_queued(db, conversation_ids=conversation_ids)
    if not batch:
        return []
    advisors = await _online(db)
    handle_s: dict[str, float] = {}
    order: dict[tuple[str, str | None], list[str]] = {}
    places: list[tuple[Conversation, QueuePlace]] = []
    for conversation in batch:
        brand = conversation.brand_slug
        if brand not in handle_s:
            handle_s[brand] = await conversations.average_handle_s(db, brand_slug=brand)
            # Service order of the brand's whole queue, for every place in this batch.
            for queued in await conversations.list_queued(db, brand_slug=brand):
                order.setdefault((brand, queued.queue), []).append(queued.id)
        line = order.get((brand, conversation.queue), [])
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


# Accept and transfer ---------------------------------------------------------------


async def accept(
    db: AsyncSession, *, bus: EventBus, principal: Principal, conversation_id: str
) -> Conversation:
    conversation = await conversations.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    assert principal.user_id is not None  # staff principals always carry one
    advisor = await lock_advisor(db, user_id=principal.user_id)
    if advisor is not None and advisor.status == Presence.AWAY:
        raise Conflict("You are away: go online to accept conversations.", code=Code.NOT_AVAILABLE)
    if advisor is None or advisor.status == Presence.OFFLINE:
        # Pressing "Accept" in a console that just opened (offline until told otherwise)
        # says the advisor is at work: they go online rather than being refused.
        advisor = await _ensure_advisor(db, principal)
        advisor.status = Presence.ONLINE.value
        advisor.idle_since = utcnow()
        await db.flush()
        _announce_presence(db, bus, advisor)
    load = (await conversations.count_with_advisors(db, agent_ids=[advisor.user_id])).get(
        advisor.user_id, 0
    )
    if load >= advisor.capacity:
        raise Conflict(
            f"You already hold {load} conversations (your capacity).", code=Code.AT_CAPACITY
        )
    return await conversations.claim(
        db, bus=bus, conversation_id=conversation.id, actor=Actor.of(principal)
    )


async def transfer(
    db: AsyncSession,
    *,
    bus: EventBus,
    principal: Principal,
    conversation: Conversation,
    queue: str | None,
    advisor_id: str | None,
    reason: str,
) -> Conversation:
    actor = Actor.of(principal)
    if advisor_id is None:
        return await conversations.requeue(
            db, bus=bus, conversation=conversation, actor=actor, reason=reason, queue=queue
        )
    target = await lock_advisor(db, user_id=advisor_id)
    if target is None:
        raise NotFound(f"No advisor {advisor_id}.", code=Code.ADVISOR_NOT_FOUND)
    load = (await conversations.count_with_advisors(db, agent_ids=[advisor_id])).get(advisor_id, 0)
    if not eligible(target, conversation, load):
        raise Conflict(
            f"{target.display_name} cannot take this conversation now.", code=Code.NOT_AVAILABLE
        )
    return await conversations.transfer_to_advisor(
        db,
        bus=bus,
        conversation=conversation,
        actor=actor,
        to_agent_id=target.user_id,
        to_agent_name=target.display_name,
        reason=reason,
    )


async def advisor_freed(db: AsyncSession, *, bus: EventBus, user_id: str, brand_slug: str) -> None:
    """A conversation left the advisor: they are idle from now, and may get the next one."""
    advisor = await get_advisor(db, user_id=user_id)
    if advisor is not None:
        advisor.idle_since = utcnow()
    await offer_waiting(db, bus=bus, brand_slugs=[brand_slug])


# Queues and SLA --------------------------------------------------------------------


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
    escalated = 0
    for conversation in await conversations.list_queued(db):
        if conversation.escalated_at is not None or conversation.queued_at is None:
            continue
        sla = slas.get((conversation.brand_slug, conversation.queue or ""), default_sla_s)
        waited = now - conversation.queued_at
        if waited > timedelta(seconds=sla):
            await conversations.escalate(
                db, bus=bus, conversation=conversation, waited_s=waited.total_seconds()
            )
            escalated += 1
    await db.flush()
    return escalated
