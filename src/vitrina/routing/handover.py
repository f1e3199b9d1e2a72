"""An advisor accepts a conversation, or hands it to another advisor or queue. Accepting is
a claim: of concurrent accepts exactly one wins (see conversations.claim)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import Actor
from vitrina.core.db import utcnow
from vitrina.core.errors import Conflict, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.routing.errors import RoutingErrorCode as Code
from vitrina.routing.matching import eligible
from vitrina.routing.presence import announce_presence, ensure_advisor, lock_advisor
from vitrina.routing.schemas import Presence


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
        advisor = await ensure_advisor(db, principal)
        advisor.status = Presence.ONLINE.value
        advisor.idle_since = utcnow()
        await db.flush()
        announce_presence(db, bus, advisor)
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
