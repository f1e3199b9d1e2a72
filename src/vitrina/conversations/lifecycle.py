"""Handoff, claim, transfer, hand back, resolve and rate: the life of a conversation."""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.events import (
    Escalated,
    HandoffRequested,
)
from vitrina.conversations.models import Conversation
from vitrina.conversations.notices import notice
from vitrina.conversations.queries import get_or_raise
from vitrina.conversations.schemas import HandoffSummary
from vitrina.conversations.states import (
    SYSTEM,
    WITH_ADVISOR,
    Actor,
    State,
)
from vitrina.conversations.timeline import (
    announce,
    append,
    check_owner,
    customer_actor,
    move,
    record,
)
from vitrina.core.db import utcnow
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal

DEFAULT_QUEUE = "general"
# A reply to the rating request on a text channel: "4", "4/5", "5 - quick and kind".
_RATING = re.compile(r"^\s*([1-5])\b[\s:.,/-]*(?:5\b)?(.*)", re.DOTALL)


def parse_rating(text: str) -> tuple[int, str | None] | None:
    """The score and comment of a rating written as text, or None when it is no rating."""
    found = _RATING.match(text)
    if found is None:
        return None
    return int(found.group(1)), (found.group(2) or "").strip()[:2000] or None


async def request_handoff(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation_id: str,
    actor: Actor,
    reason: str,
    summary: HandoffSummary | None = None,
    queue: str | None = None,
    product_line: str | None = None,
) -> Conversation:
    """Put the conversation in a queue for a human; routing offers it after commit."""
    conversation = await get_or_raise(db, conversation_id=conversation_id)
    state = State(conversation.state)
    if state is State.QUEUED:
        return conversation
    if state is State.RESOLVED:
        raise Conflict("This conversation is resolved.", code=Code.CONVERSATION_CLOSED)
    if state in WITH_ADVISOR:
        raise Conflict("An advisor already has this conversation.", code=Code.INVALID_TRANSITION)
    skills = {"language": conversation.locale}
    if product_line:
        skills["product_line"] = product_line
    await move(
        db,
        bus,
        conversation,
        State.QUEUED,
        actor=actor,
        reason=reason,
        changes={
            "queue": queue or DEFAULT_QUEUE,
            "skills": skills,
            "queued_at": utcnow(),
            "escalated_at": None,
            "offered_to": None,
        },
    )
    if summary is not None:
        # Sealed at rest, so written by the session's flush, in this transaction, now
        # that the move above has the conversation (its row lock on PostgreSQL).
        conversation.handoff_summary = summary.model_dump(mode="json")
    await append(
        db,
        bus,
        conversation,
        author=actor,
        kind="event",
        body=notice("handoff", conversation.locale),
        data={
            "event": "handoff",
            "reason": reason,
            "queue": conversation.queue,
            "summary": conversation.handoff_summary,
        },
    )
    bus.publish_on_commit(
        db,
        HandoffRequested(
            conversation_id=conversation.id,
            brand_slug=conversation.brand_slug,
            queue=conversation.queue,
            skills=skills,
        ),
    )
    return conversation


async def claim(
    db: AsyncSession, *, bus: EventBus, conversation_id: str, actor: Actor
) -> Conversation:
    """Give a queued conversation to an advisor; of concurrent claims exactly one wins.

    The state check and the write are one conditional UPDATE: PostgreSQL re-checks the
    row after a concurrent writer commits, SQLite serialises writers.
    """
    now = utcnow()
    result = await db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == State.QUEUED.value)
        .values(
            state=State.ASSIGNED.value,
            assigned_agent_id=actor.id,
            assigned_agent_name=actor.name,
            assigned_at=now,
            offered_to=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    conversation = await get_or_raise(db, conversation_id=conversation_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "Another advisor accepted this conversation first.", code=Code.ALREADY_CLAIMED
        )
    await db.refresh(conversation)
    record(db, conversation, State.QUEUED, State.ASSIGNED, actor=actor, reason="accepted")
    announce(
        db, bus, conversation, State.QUEUED, actor=actor, reason="accepted", previous_agent_id=None
    )
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="event",
        body=notice("advisor_joined", conversation.locale, name=actor.name),
        data={"event": "assigned", "agent": actor.name},
    )
    return conversation


async def transfer_to_advisor(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    actor: Actor,
    to_agent_id: str,
    to_agent_name: str,
    reason: str,
) -> Conversation:
    """Hand a conversation straight to another advisor (routing checks their capacity)."""
    if State(conversation.state) not in WITH_ADVISOR | {State.QUEUED}:
        raise Conflict(
            "Only a conversation in service can be transferred.", code=Code.INVALID_TRANSITION
        )
    previous = conversation.assigned_agent_id
    await move(
        db,
        bus,
        conversation,
        State.ASSIGNED,
        actor=actor,
        reason=reason,
        previous_agent_id=previous,
        changes={
            "assigned_agent_id": to_agent_id,
            "assigned_agent_name": to_agent_name,
            "assigned_at": utcnow(),
        },
    )
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="event",
        body=notice("transferred", conversation.locale, name=to_agent_name),
        data={"event": "transferred", "agent": to_agent_name},
    )
    return conversation


async def requeue(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    actor: Actor,
    reason: str,
    queue: str | None = None,
) -> Conversation:
    """Back to a queue, keeping the history (transfer to a queue, advisor gone)."""
    if State(conversation.state) not in WITH_ADVISOR | {State.QUEUED}:
        raise Conflict(
            "Only a conversation in service can be requeued.", code=Code.INVALID_TRANSITION
        )
    previous = conversation.assigned_agent_id
    await move(
        db,
        bus,
        conversation,
        State.QUEUED,
        actor=actor,
        reason=reason,
        previous_agent_id=previous,
        changes={
            "queue": queue or conversation.queue or DEFAULT_QUEUE,
            "assigned_agent_id": None,
            "assigned_agent_name": "",
            "offered_to": None,
            "queued_at": utcnow(),
            "escalated_at": None,
        },
    )
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="event",
        body=notice("requeued", conversation.locale),
        data={"event": "requeued", "queue": conversation.queue, "reason": reason},
    )
    bus.publish_on_commit(
        db,
        HandoffRequested(
            conversation_id=conversation.id,
            brand_slug=conversation.brand_slug,
            queue=conversation.queue,
            skills=dict(conversation.skills),
        ),
    )
    return conversation


async def hand_back_to_bot(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    principal: Principal,
    reason: str = "handed back to the assistant",
) -> Conversation:
    check_owner(conversation, principal)
    previous = conversation.assigned_agent_id
    await move(
        db,
        bus,
        conversation,
        State.BOT,
        actor=Actor.of(principal),
        reason=reason,
        previous_agent_id=previous,
        changes={"assigned_agent_id": None, "assigned_agent_name": "", "queue": None},
    )
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="event",
        body=notice("handed_back", conversation.locale),
        data={"event": "handed_back"},
    )
    return conversation


async def resolve(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    actor: Actor,
    disposition: str,
) -> Conversation:
    """Close the conversation and ask the customer for a rating in their channel."""
    previous = conversation.assigned_agent_id
    await move(
        db,
        bus,
        conversation,
        State.RESOLVED,
        actor=actor,
        reason=disposition,
        previous_agent_id=previous,
        changes={"disposition": disposition, "resolved_at": utcnow()},
    )
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="csat_request",
        body=notice("csat_request", conversation.locale),
        data={"event": "csat_request", "scale": [1, 5]},
    )
    return conversation


async def rate(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    score: int,
    comment: str | None,
) -> Conversation:
    if conversation.state != State.RESOLVED:
        raise Conflict("Ratings open once the conversation is resolved.", code=Code.CSAT_NOT_OPEN)
    if conversation.csat_score is not None:
        raise Conflict("This conversation is already rated.", code=Code.CSAT_NOT_OPEN)
    conversation.csat_score = score
    conversation.csat_comment = comment
    await append(
        db,
        bus,
        conversation,
        author=customer_actor(conversation),
        kind="csat",
        # The customer sees their own answer in their language; the score stays in the data.
        body=(
            notice("csat_given_comment", conversation.locale, score=score, comment=comment)
            if comment
            else notice("csat_given", conversation.locale, score=score)
        ),
        data={"event": "csat", "score": score, "comment": comment},
    )
    return conversation


async def escalate(
    db: AsyncSession, *, bus: EventBus, conversation: Conversation, waited_s: float
) -> None:
    """An unaccepted handoff passed its SLA: raise its priority and tell supervisors."""
    conversation.priority += 1
    conversation.escalated_at = utcnow()
    record(
        db,
        conversation,
        State.QUEUED,
        State.QUEUED,
        actor=SYSTEM,
        reason=f"SLA breached after {waited_s:.0f} s; escalated",
    )
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="event",
        internal=True,
        body=f"Waiting {waited_s:.0f} s: escalated to supervisors",
        data={"event": "escalated", "waited_s": round(waited_s, 1)},
    )
    bus.publish_on_commit(
        db,
        Escalated(
            conversation_id=conversation.id,
            brand_slug=conversation.brand_slug,
            queue=conversation.queue or DEFAULT_QUEUE,
            waited_s=waited_s,
        ),
    )
