"""Conversations and messages: one path for every change, events only after commit.

Other domains use this module (`from vitrina.conversations import service as
conversations`): the bot answers with `post_bot_message` and hands over with
`request_handoff`; routing claims, requeues and escalates. Functions flush, never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.events import (
    CustomerMessage,
)
from vitrina.conversations.lifecycle import (
    DEFAULT_QUEUE,
    claim,
    escalate,
    hand_back_to_bot,
    parse_rating,
    rate,
    request_handoff,
    requeue,
    resolve,
    transfer_to_advisor,
)
from vitrina.conversations.models import Conversation, Message
from vitrina.conversations.notices import notice
from vitrina.conversations.queries import (
    QueuedWait,
    average_handle_s,
    count_offers,
    count_with_advisors,
    csat_figures,
    find_by_external_ids,
    find_latest,
    find_open,
    get,
    get_for_principal,
    get_or_raise,
    list_conversations,
    list_for_customer,
    list_queued,
    may_see,
    messages,
    position_in_queue,
    queue_lines,
    queued_waits,
    transitions,
    visible_brands,
)
from vitrina.conversations.states import (
    BOT,
    SYSTEM,
    Actor,
    Channel,
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
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal

# One import surface for callers: reads and the lifecycle live in sibling modules.
__all__ = [
    "DEFAULT_QUEUE",
    "QueuedWait",
    "add_note",
    "average_handle_s",
    "check_owner",
    "claim",
    "count_offers",
    "count_with_advisors",
    "create",
    "csat_figures",
    "escalate",
    "find_by_external_ids",
    "find_latest",
    "find_open",
    "get",
    "get_for_principal",
    "get_or_raise",
    "hand_back_to_bot",
    "list_conversations",
    "list_for_customer",
    "list_queued",
    "may_see",
    "messages",
    "notice",
    "parse_rating",
    "place_in_world",
    "position_in_queue",
    "post_agent_message",
    "post_bot_message",
    "post_customer_message",
    "post_event",
    "queue_lines",
    "queued_waits",
    "rate",
    "request_handoff",
    "requeue",
    "resolve",
    "set_external_id",
    "set_offer",
    "transfer_to_advisor",
    "transitions",
    "visible_brands",
]


async def create(
    db: AsyncSession,
    *,
    bus: EventBus,
    brand_slug: str,
    channel: Channel,
    customer_name: str,
    locale: str = "en",
    subject: str = "",
    guest_session_id: str | None = None,
    customer_email: str | None = None,
    external_contact: str | None = None,
) -> Conversation:
    brand = await brands.get_by_slug_or_raise(db, slug=brand_slug)
    now = utcnow()
    conversation = Conversation(
        id=new_id(),
        brand_id=brand.id,
        brand_slug=brand.slug,
        channel=channel.value,
        state=State.BOT.value,
        locale=locale if locale in brand.locales else brand.default_locale,
        subject=subject[:200],
        customer_name=customer_name[:120],
        guest_session_id=guest_session_id,
        customer_email=customer_email.lower() if customer_email else None,
        external_contact=external_contact,
        skills={},
        handoff_summary={},
        message_count=0,
        priority=0,
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    db.add(conversation)
    record(db, conversation, None, State.BOT, actor=SYSTEM, reason=f"started on {channel}")
    announce(
        db,
        bus,
        conversation,
        None,
        actor=SYSTEM,
        reason=f"started on {channel}",
        previous_agent_id=None,
    )
    await db.flush()
    return conversation


async def post_customer_message(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    body: str,
    channel: Channel,
    external_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Message:
    """Store what the customer wrote; the bot or the advisor hears of it after commit."""
    state = State(conversation.state)
    if state is State.RESOLVED:
        raise Conflict(
            "This conversation is resolved; start a new one.", code=Code.CONVERSATION_CLOSED
        )
    if conversation.channel != channel.value:
        await append(
            db,
            bus,
            conversation,
            author=SYSTEM,
            kind="event",
            channel=channel,
            body=f"Continued on {channel.value} (was {conversation.channel})",
            data={"event": "channel_changed", "from": conversation.channel, "to": channel.value},
        )
        conversation.channel = channel.value
    if state is State.WAITING_ON_CUSTOMER:
        await move(
            db,
            bus,
            conversation,
            State.ASSIGNED,
            actor=customer_actor(conversation),
            reason="customer replied",
        )
    message = await append(
        db,
        bus,
        conversation,
        author=customer_actor(conversation),
        body=body,
        channel=channel,
        external_id=external_id,
        data=data,
    )
    bus.publish_on_commit(
        db,
        CustomerMessage(
            conversation_id=conversation.id,
            brand_slug=conversation.brand_slug,
            message_id=message.id,
            channel=channel.value,
            locale=conversation.locale,
            state=conversation.state,
            text=body,
        ),
    )
    return message


BOT_SPEAKS_IN = frozenset({State.BOT, State.QUEUED})


async def post_bot_message(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation_id: str,
    body: str,
    data: dict[str, Any] | None = None,
) -> Message:
    """The bot's answer; refused once a human owns the conversation."""
    conversation = await get_or_raise(db, conversation_id=conversation_id)
    if State(conversation.state) not in BOT_SPEAKS_IN:
        raise Conflict(
            "An advisor owns this conversation; the bot stays quiet.",
            code=Code.INVALID_TRANSITION,
        )
    return await append(
        db, bus, conversation, author=BOT, body=body, data=data, while_in=BOT_SPEAKS_IN
    )


async def post_agent_message(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    principal: Principal,
    body: str,
    external_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Message:
    check_owner(conversation, principal)
    message = await append(
        db,
        bus,
        conversation,
        author=Actor.of(principal),
        body=body,
        external_id=external_id,
        data=data,
    )
    if conversation.state == State.ASSIGNED:
        await move(
            db,
            bus,
            conversation,
            State.WAITING_ON_CUSTOMER,
            actor=Actor.of(principal),
            reason="advisor replied",
        )
    return message


async def add_note(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    principal: Principal,
    body: str,
) -> Message:
    """An internal note: staff see it in the transcript, the customer never does."""
    return await append(
        db, bus, conversation, author=Actor.of(principal), body=body, kind="note", internal=True
    )


async def post_event(
    db: AsyncSession,
    *,
    bus: EventBus,
    conversation: Conversation,
    actor: Actor,
    body: str,
    data: dict[str, Any],
    internal: bool = False,
) -> Message:
    """A timeline entry (a call, a queue position, a channel change)."""
    return await append(
        db, bus, conversation, author=actor, body=body, kind="event", internal=internal, data=data
    )


def set_offer(conversation: Conversation, *, agent_id: str | None) -> None:
    conversation.offered_to = agent_id


def place_in_world(conversation: Conversation, *, room: str, avatar_id: int) -> None:
    conversation.world_room = room
    conversation.world_avatar_id = avatar_id


async def set_external_id(db: AsyncSession, *, message_id: str, external_id: str) -> None:
    """Remember the id a channel gave a message we sent (an email's Message-ID)."""
    message = await db.get(Message, message_id)
    if message is not None:
        message.external_id = external_id[:255]
        await db.flush()
