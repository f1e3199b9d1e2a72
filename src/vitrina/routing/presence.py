"""Advisor presence and capacity: online, away or offline, skills, connected consoles; an
advisor who leaves hands their conversations back to the queue."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations import service as conversations
from vitrina.conversations.states import SYSTEM, WITH_ADVISOR
from vitrina.core.db import utcnow
from vitrina.core.errors import NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import SYSTEM_PRINCIPAL, Principal
from vitrina.routing.errors import RoutingErrorCode as Code
from vitrina.routing.events import PresenceChanged
from vitrina.routing.matching import offer_waiting
from vitrina.routing.models import Advisor
from vitrina.routing.schemas import Presence, PresenceUpdate


async def get_advisor(db: AsyncSession, *, user_id: str) -> Advisor | None:
    return await db.get(Advisor, user_id)


async def list_advisors(db: AsyncSession, *, principal: Principal) -> list[Advisor]:
    rows = (await db.execute(select(Advisor).order_by(Advisor.display_name))).scalars()
    visible = conversations.visible_brands(principal)
    return [a for a in rows if visible is None or set(a.brand_slugs) & visible or a.all_brands]


async def ensure_advisor(db: AsyncSession, principal: Principal) -> Advisor:
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
    advisor = await ensure_advisor(db, principal)
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
    announce_presence(db, bus, advisor)
    if data.status is Presence.ONLINE:
        await offer_waiting(db, bus=bus, brand_slugs=_brands_of(advisor))
    return advisor


async def connected(db: AsyncSession, *, principal: Principal) -> Advisor:
    advisor = await ensure_advisor(db, principal)
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
    announce_presence(db, bus, advisor)
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


def announce_presence(db: AsyncSession, bus: EventBus, advisor: Advisor) -> None:
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


async def advisor_freed(db: AsyncSession, *, bus: EventBus, user_id: str, brand_slug: str) -> None:
    """A conversation left the advisor: they are idle from now, and may get the next one."""
    advisor = await get_advisor(db, user_id=user_id)
    if advisor is not None:
        advisor.idle_since = utcnow()
    await offer_waiting(db, bus=bus, brand_slugs=[brand_slug])
