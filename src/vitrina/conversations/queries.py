"""Reading conversations, with the brand isolation every caller goes through."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.models import Conversation, Message, Transition
from vitrina.conversations.states import (
    OPEN,
    WITH_ADVISOR,
    State,
)
from vitrina.core import sealing
from vitrina.core.errors import NotFound
from vitrina.core.security import Principal


def visible_brands(principal: Principal) -> frozenset[str] | None:
    """The brands a member of staff may see; None means every brand (super-admin)."""
    return principal.visible_brands()


def may_see(principal: Principal, conversation: Conversation) -> bool:
    if not principal.is_staff:
        return conversation.guest_session_id == principal.session_id
    brands_ = visible_brands(principal)
    return brands_ is None or conversation.brand_slug in brands_


async def get(db: AsyncSession, *, conversation_id: str) -> Conversation | None:
    return await db.get(Conversation, conversation_id)


async def get_or_raise(db: AsyncSession, *, conversation_id: str) -> Conversation:
    conversation = await get(db, conversation_id=conversation_id)
    if conversation is None:
        raise NotFound(f"No conversation {conversation_id}.", code=Code.CONVERSATION_NOT_FOUND)
    return conversation


async def get_for_principal(
    db: AsyncSession, *, conversation_id: str, principal: Principal
) -> Conversation:
    """The conversation if the caller may see it; another brand's looks like a missing one."""
    conversation = await get(db, conversation_id=conversation_id)
    if conversation is None or not may_see(principal, conversation):
        raise NotFound(f"No conversation {conversation_id}.", code=Code.CONVERSATION_NOT_FOUND)
    return conversation


async def list_conversations(
    db: AsyncSession,
    *,
    principal: Principal,
    states: Sequence[State] | None = None,
    assigned_to: str | None = None,
    limit: int = 100,
) -> list[Conversation]:
    query = select(Conversation)
    brands_ = visible_brands(principal)
    if brands_ is not None:
        query = query.where(Conversation.brand_slug.in_(sorted(brands_)))
    if states:
        query = query.where(Conversation.state.in_([s.value for s in states]))
    if assigned_to is not None:
        query = query.where(Conversation.assigned_agent_id == assigned_to)
    query = query.order_by(
        Conversation.priority.desc(), Conversation.queued_at, Conversation.last_message_at.desc()
    ).limit(limit)
    return list((await db.execute(query)).scalars())


async def list_queued(
    db: AsyncSession, *, conversation_ids: Sequence[str] | None = None
) -> list[Conversation]:
    """Queued conversations in service order: priority first, then longest waiting (a
    brand's order alone, without loading the conversations: `queue_lines`)."""
    query = select(Conversation).where(Conversation.state == State.QUEUED)
    if conversation_ids is not None:
        query = query.where(Conversation.id.in_(list(conversation_ids)))
    query = query.order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
    return list((await db.execute(query)).scalars())


@dataclass(frozen=True)
class QueuedWait:
    """What the routing ticks look at first in a queued conversation, read as columns: the
    tick runs every few seconds, and loading every waiting conversation would open each one's
    sealed values."""

    id: str
    brand_slug: str
    queue: str | None
    queued_at: datetime | None
    escalated_at: datetime | None
    offered_to: str | None


async def queued_waits(db: AsyncSession) -> list[QueuedWait]:
    """Every queued conversation's wait, in service order (as `list_queued`)."""
    rows = await db.execute(
        select(
            Conversation.id,
            Conversation.brand_slug,
            Conversation.queue,
            Conversation.queued_at,
            Conversation.escalated_at,
            Conversation.offered_to,
        )
        .where(Conversation.state == State.QUEUED)
        .order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
    )
    return [QueuedWait(*row) for row in rows]


async def queue_lines(db: AsyncSession, *, brand_slug: str) -> dict[str | None, list[str]]:
    """The ids in each of a brand's queues, in service order. Ids only: telling every waiting
    customer their place must not open each queued conversation's sealed values."""
    rows = await db.execute(
        select(Conversation.id, Conversation.queue)
        .where(Conversation.state == State.QUEUED, Conversation.brand_slug == brand_slug)
        .order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
    )
    lines: dict[str | None, list[str]] = {}
    for conversation_id, queue in rows:
        lines.setdefault(queue, []).append(conversation_id)
    return lines


async def count_with_advisors(
    db: AsyncSession, *, agent_ids: Sequence[str] | None = None
) -> dict[str, int]:
    """How many open conversations each advisor holds (their load against capacity)."""
    query = (
        select(Conversation.assigned_agent_id, func.count())
        .where(Conversation.state.in_([s.value for s in WITH_ADVISOR]))
        .group_by(Conversation.assigned_agent_id)
    )
    if agent_ids is not None:
        query = query.where(Conversation.assigned_agent_id.in_(list(agent_ids)))
    rows = await db.execute(query)
    return {agent: n for agent, n in rows.all() if agent is not None}


async def position_in_queue(db: AsyncSession, *, conversation: Conversation) -> int:
    """1-based place among the queued conversations of the same brand and queue, in service
    order (priority, then waiting time); 0 when the conversation is not queued."""
    if conversation.state != State.QUEUED or conversation.queued_at is None:
        return 0
    ahead = await db.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.state == State.QUEUED.value,
            Conversation.brand_slug == conversation.brand_slug,
            Conversation.queue == conversation.queue,
            or_(
                Conversation.priority > conversation.priority,
                and_(
                    Conversation.priority == conversation.priority,
                    or_(
                        Conversation.queued_at < conversation.queued_at,
                        and_(
                            Conversation.queued_at == conversation.queued_at,
                            Conversation.id < conversation.id,
                        ),
                    ),
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


async def count_offers(db: AsyncSession) -> dict[str, int]:
    """How many queued conversations are offered to each advisor right now."""
    rows = await db.execute(
        select(Conversation.offered_to, func.count())
        .where(Conversation.state == State.QUEUED.value, Conversation.offered_to.is_not(None))
        .group_by(Conversation.offered_to)
    )
    return {agent: n for agent, n in rows.all() if agent is not None}


async def messages(
    db: AsyncSession, *, conversation: Conversation, include_internal: bool, after_seq: int = 0
) -> list[Message]:
    query = select(Message).where(
        Message.conversation_id == conversation.id, Message.seq > after_seq
    )
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    return list((await db.execute(query.order_by(Message.seq))).scalars())


async def transitions(db: AsyncSession, *, conversation: Conversation) -> list[Transition]:
    rows = await db.execute(
        select(Transition)
        .where(Transition.conversation_id == conversation.id)
        .order_by(Transition.created_at, Transition.id)
    )
    return list(rows.scalars())


async def list_for_customer(
    db: AsyncSession,
    *,
    brand_slug: str,
    guest_session_ids: Sequence[str] = (),
    emails: Sequence[str] = (),
) -> list[Conversation]:
    """A customer's conversations on every channel, newest first (the CRM timeline)."""
    conditions = []
    if guest_session_ids:
        conditions.append(Conversation.guest_session_id.in_(list(guest_session_ids)))
    if emails:
        hashes = await sealing.blind_many(db, [e.lower() for e in emails])
        conditions.append(Conversation.customer_email_hash.in_(hashes))
    if not conditions:
        return []
    rows = await db.execute(
        select(Conversation)
        .where(Conversation.brand_slug == brand_slug, or_(*conditions))
        .order_by(Conversation.created_at.desc())
    )
    return list(rows.scalars())


async def find_open(
    db: AsyncSession,
    *,
    brand_slug: str,
    guest_session_id: str | None = None,
    external_contact: str | None = None,
) -> Conversation | None:
    """The customer's open conversation on this brand, whatever channel it started on."""
    query = select(Conversation).where(
        Conversation.brand_slug == brand_slug,
        Conversation.state.in_([s.value for s in OPEN]),
    )
    if guest_session_id is not None:
        query = query.where(Conversation.guest_session_id == guest_session_id)
    elif external_contact is not None:
        hashed = await sealing.blind(db, external_contact)
        query = query.where(Conversation.external_contact_hash == hashed)
    else:
        return None
    query = query.order_by(Conversation.last_message_at.desc()).limit(1)
    return (await db.execute(query)).scalar_one_or_none()


async def find_latest(
    db: AsyncSession,
    *,
    brand_slug: str,
    guest_session_id: str | None = None,
    external_contact: str | None = None,
) -> Conversation | None:
    """A customer's latest conversation, open or not (a rating reply, a reload)."""
    query = select(Conversation).where(Conversation.brand_slug == brand_slug)
    if guest_session_id is not None:
        query = query.where(Conversation.guest_session_id == guest_session_id)
    elif external_contact is not None:
        hashed = await sealing.blind(db, external_contact)
        query = query.where(Conversation.external_contact_hash == hashed)
    else:
        return None
    row = await db.execute(query.order_by(Conversation.last_message_at.desc()).limit(1))
    return row.scalar_one_or_none()


async def find_by_external_ids(
    db: AsyncSession, *, brand_slug: str, external_ids: Sequence[str]
) -> Conversation | None:
    """The conversation holding one of these message ids (email threading)."""
    if not external_ids:
        return None
    row = await db.execute(
        select(Conversation)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Conversation.brand_slug == brand_slug, Message.external_id.in_(list(external_ids)))
        .order_by(Message.created_at.desc())
        .limit(1)
    )
    return row.scalar_one_or_none()


async def average_handle_s(db: AsyncSession, *, brand_slug: str, default: float = 300.0) -> float:
    """Mean time from accept to resolve over the brand's last 200 resolved conversations."""
    rows = await db.execute(
        select(Conversation.assigned_at, Conversation.resolved_at)
        .where(
            Conversation.brand_slug == brand_slug,
            Conversation.state == State.RESOLVED.value,
            Conversation.assigned_at.is_not(None),
        )
        .order_by(Conversation.resolved_at.desc())
        .limit(200)
    )
    spans = [(end - start).total_seconds() for start, end in rows.all() if start and end]
    return sum(spans) / len(spans) if spans else default


async def csat_figures(
    db: AsyncSession, *, brand_slugs: Iterable[str] | None, since: datetime
) -> dict[str, dict[str, Any]]:
    """Per brand, since `since`: conversations resolved, how many were rated, and the
    count of each score (1-5). What the supervisor reads; averages are derived from it."""
    query = select(Conversation.brand_slug, Conversation.csat_score, func.count()).where(
        Conversation.state == State.RESOLVED.value,
        Conversation.resolved_at >= since,
    )
    if brand_slugs is not None:
        query = query.where(Conversation.brand_slug.in_(list(brand_slugs)))
    rows = await db.execute(query.group_by(Conversation.brand_slug, Conversation.csat_score))
    figures: dict[str, dict[str, Any]] = {}
    for brand, score, count in rows:
        entry = figures.setdefault(
            brand, {"resolved": 0, "rated": 0, "scores": {str(n): 0 for n in range(1, 6)}}
        )
        entry["resolved"] += count
        if score is not None:
            entry["rated"] += count
            entry["scores"][str(score)] += count
    return figures
