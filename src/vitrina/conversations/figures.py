"""The raw facts a supervisor's dashboard is computed from: conversations of a period with
their transitions and first messages. No personal value leaves here (no names, no text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.models import Conversation, Message, Transition
from vitrina.conversations.states import State


@dataclass(slots=True)
class Step:
    to_state: str
    from_state: str | None
    # The reason of a move made by the bot, an advisor or the system (a code such as
    # "low_confidence"); a customer's own words are personal and never read here.
    reason: str
    at: datetime
    actor_kind: str = "system"


@dataclass(slots=True)
class ConversationFacts:
    id: str
    brand: str
    channel: str
    state: str
    queue: str | None
    created_at: datetime
    resolved_at: datetime | None
    csat: int | None
    first_customer_at: datetime | None = None
    first_agent_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)


def _aware(at: datetime | None) -> datetime | None:
    from datetime import UTC

    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


async def facts(
    db: AsyncSession,
    *,
    brands: set[str] | None,
    since: datetime,
    until: datetime,
    channel: str | None = None,
    queue: str | None = None,
) -> list[ConversationFacts]:
    """Conversations created in [since, until) of `brands` (None: every brand)."""
    q = select(
        Conversation.id,
        Conversation.brand_slug,
        Conversation.channel,
        Conversation.state,
        Conversation.queue,
        Conversation.created_at,
        Conversation.resolved_at,
        Conversation.csat_score,
    ).where(Conversation.created_at >= since, Conversation.created_at < until)
    if brands is not None:
        q = q.where(Conversation.brand_slug.in_(sorted(brands)))
    if channel is not None:
        q = q.where(Conversation.channel == channel)
    if queue is not None:
        q = q.where(Conversation.queue == queue)
    found = {
        row[0]: ConversationFacts(*row[:5], _aware(row[5]), _aware(row[6]), row[7])  # type: ignore[arg-type]
        for row in await db.execute(q)
    }
    if not found:
        return []
    ids = sorted(found)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        steps = await db.execute(
            select(
                Transition.conversation_id,
                Transition.to_state,
                Transition.from_state,
                Transition.reason,
                Transition.created_at,
                Transition.actor_kind,
            )
            .where(Transition.conversation_id.in_(part))
            .order_by(Transition.created_at)
        )
        for cid, to_state, from_state, reason, at, actor in steps:
            words = "" if actor == "customer" else (reason or "")
            found[cid].steps.append(Step(to_state, from_state, words, _aware(at), actor))  # type: ignore[arg-type]
        firsts = await db.execute(
            select(Message.conversation_id, Message.author_kind, func.min(Message.created_at))
            .where(
                Message.conversation_id.in_(part),
                Message.author_kind.in_(["customer", "agent"]),
                Message.internal.is_(False),
            )
            .group_by(Message.conversation_id, Message.author_kind)
        )
        for cid, kind, at in firsts:
            if kind == "customer":
                found[cid].first_customer_at = _aware(at)
            else:
                found[cid].first_agent_at = _aware(at)
    return list(found.values())


async def queued_now(
    db: AsyncSession, *, brands: set[str] | None, channel: str | None, queue: str | None
) -> list[datetime]:
    """When each conversation waiting in a queue right now joined it."""
    q = select(Conversation.queued_at, Conversation.created_at).where(
        Conversation.state == State.QUEUED
    )
    if brands is not None:
        q = q.where(Conversation.brand_slug.in_(sorted(brands)))
    if channel is not None:
        q = q.where(Conversation.channel == channel)
    if queue is not None:
        q = q.where(Conversation.queue == queue)
    return [_aware(a or b) for a, b in await db.execute(q)]  # type: ignore[misc]
