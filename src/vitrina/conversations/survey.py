"""The satisfaction survey after resolution, answered however the customer answers it.

Once an advisor resolves, the customer is asked to rate the conversation. They may use
the rating control, or simply type "5" (or "4 - quick and kind") in the chat: that line
is the answer to the survey, not a new question for the bot. Every channel that takes
free text goes through `answer_if_rating` before it starts a new conversation.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.lifecycle import parse_rating, rate
from vitrina.conversations.models import Conversation
from vitrina.conversations.notices import notice
from vitrina.conversations.queries import find_latest
from vitrina.conversations.states import SYSTEM, State
from vitrina.conversations.timeline import append
from vitrina.core.db import utcnow
from vitrina.core.events import EventBus

# A number typed a day after resolution is a new question (a price, a quantity), not a rating.
SURVEY_OPEN_FOR = timedelta(hours=24)


async def pending(
    db: AsyncSession,
    *,
    brand_slug: str,
    guest_session_id: str | None = None,
    external_contact: str | None = None,
) -> Conversation | None:
    """The customer's latest conversation when it is resolved, recent and not yet rated."""
    latest = await find_latest(
        db,
        brand_slug=brand_slug,
        guest_session_id=guest_session_id,
        external_contact=external_contact,
    )
    if latest is None or latest.state != State.RESOLVED or latest.csat_score is not None:
        return None
    resolved_at = latest.resolved_at
    if resolved_at is None:
        return None
    if resolved_at.tzinfo is None:  # SQLite hands back naive UTC times
        resolved_at = resolved_at.replace(tzinfo=utcnow().tzinfo)
    return latest if utcnow() - resolved_at <= SURVEY_OPEN_FOR else None


async def submit(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    score: int,
    comment: str | None,
) -> Conversation:
    """Record the rating and thank the customer in their language."""
    await rate(db, bus=bus, conversation=conversation, score=score, comment=comment)
    await append(
        db,
        bus,
        conversation,
        author=SYSTEM,
        kind="event",
        body=notice("csat_thanks", conversation.locale),
        data={"event": "csat_thanks"},
    )
    return conversation


async def answer_if_rating(
    db: AsyncSession,
    *,
    bus: EventBus,
    brand_slug: str,
    text: str,
    guest_session_id: str | None = None,
    external_contact: str | None = None,
) -> Conversation | None:
    """Take `text` as the answer to a pending survey; None when it is not one."""
    found = parse_rating(text)
    if found is None:
        return None
    conversation = await pending(
        db,
        brand_slug=brand_slug,
        guest_session_id=guest_session_id,
        external_contact=external_contact,
    )
    if conversation is None:
        return None
    score, comment = found
    return await submit(db, bus=bus, conversation=conversation, score=score, comment=comment)
