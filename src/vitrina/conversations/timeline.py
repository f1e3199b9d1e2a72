"""The single path every change takes: state moves with their record, messages in order.

Private to the conversations package; other domains use `service`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from vitrina.conversations.channels import webhook_outbox
from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.events import (
    MessagePosted,
    StateChanged,
)
from vitrina.conversations.models import Conversation, Message, Transition
from vitrina.conversations.schemas import MessageRead
from vitrina.conversations.states import (
    WITH_ADVISOR,
    Actor,
    Channel,
    State,
    can_move,
)
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict, Forbidden, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal, Role


def customer_actor(conversation: Conversation) -> Actor:
    return Actor(
        kind="customer",
        id=conversation.guest_session_id,
        name=conversation.customer_name or "Customer",
    )


def check_owner(conversation: Conversation, principal: Principal) -> None:
    state = State(conversation.state)
    if state is State.RESOLVED:
        raise Conflict("This conversation is resolved.", code=Code.CONVERSATION_CLOSED)
    if state not in WITH_ADVISOR:
        raise Conflict("Accept the conversation first.", code=Code.NOT_YOUR_CONVERSATION)
    supervisor = principal.has_any_role(frozenset({Role.SUPERVISOR, Role.ADMIN}))
    if conversation.assigned_agent_id != principal.user_id and not supervisor:
        raise Forbidden("Another advisor owns this conversation.", code=Code.NOT_YOUR_CONVERSATION)


def record(
    db: AsyncSession,
    conversation: Conversation,
    from_state: State | None,
    to_state: State,
    *,
    actor: Actor,
    reason: str,
) -> None:
    db.add(
        Transition(
            id=new_id(),
            conversation_id=conversation.id,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name[:120],
            reason=reason[:255],
            created_at=utcnow(),
        )
    )


def announce(
    db: AsyncSession,
    bus: EventBus,
    conversation: Conversation,
    from_state: State | None,
    *,
    actor: Actor,
    reason: str,
    previous_agent_id: str | None,
) -> None:
    bus.publish_on_commit(
        db,
        StateChanged(
            conversation_id=conversation.id,
            brand_slug=conversation.brand_slug,
            from_state=from_state.value if from_state else None,
            to_state=conversation.state,
            agent_id=conversation.assigned_agent_id,
            previous_agent_id=previous_agent_id,
            actor_kind=actor.kind,
            reason=reason,
        ),
    )


async def move(
    db: AsyncSession,
    bus: EventBus,
    conversation: Conversation,
    to_state: State,
    *,
    actor: Actor,
    reason: str,
    previous_agent_id: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Move the conversation from the state it was read in to `to_state`, writing
    `changes` (other columns of the conversation) with it, or nothing at all.

    One statement decides and writes: `UPDATE … WHERE id = :id AND state = :read`. Of
    two changes decided from the same reading (the bot handing over while a supervisor
    takes the conversation over or resolves it) the first to write stands and the other
    is refused with `changed_meanwhile` before it has written anything: its columns
    travel in the same conditional statement, never as a separate unconditional
    UPDATE, and its record, event and timeline message come only after it won.
    PostgreSQL re-checks the condition once a concurrent writer commits (the loser
    waits for that writer's row lock, then finds the state moved); SQLite serialises
    writers, and its reads outside a write transaction see the latest commit.

    Only state changes take this path; a message (`append`) compares the state only when
    its author may speak in some states alone (the bot, `while_in`).
    """
    from_state = State(conversation.state)
    if not can_move(from_state, to_state):
        raise Conflict(
            f"A {from_state} conversation cannot become {to_state}.",
            code=Code.INVALID_TRANSITION,
        )
    now = utcnow()
    values: dict[str, Any] = {**(changes or {}), "state": to_state.value, "updated_at": now}
    result = await db.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state == from_state.value)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "This conversation changed meanwhile; reload it and try again.",
            code=Code.CHANGED_MEANWHILE,
        )
    # Written already: the session's copy takes the values without a second UPDATE.
    for key, value in values.items():
        set_committed_value(conversation, key, value)
    record(db, conversation, from_state, to_state, actor=actor, reason=reason)
    announce(
        db,
        bus,
        conversation,
        from_state,
        actor=actor,
        reason=reason,
        previous_agent_id=previous_agent_id
        if previous_agent_id is not None
        else conversation.assigned_agent_id,
    )
    await db.flush()


async def append(
    db: AsyncSession,
    bus: EventBus,
    conversation: Conversation,
    *,
    author: Actor,
    body: str,
    kind: str = "text",
    channel: Channel | None = None,
    internal: bool = False,
    data: dict[str, Any] | None = None,
    external_id: str | None = None,
    at: datetime | None = None,
    while_in: Collection[State] | None = None,
) -> Message:
    """`while_in`: post only if the conversation is in one of these states when the
    message is written (the bot's answer, decided from a state read earlier in its turn,
    must not land after an advisor took the conversation over); otherwise
    `changed_meanwhile`, with nothing written."""
    now = at or utcnow()
    # PostgreSQL text cannot hold NUL characters, whatever channel brought them.
    body = body.replace("\x00", "")
    # An atomic increment hands out the next position even under concurrent writers.
    where = [Conversation.id == conversation.id]
    if while_in is not None:
        where.append(Conversation.state.in_(sorted(s.value for s in while_in)))
    seq = (
        await db.execute(
            update(Conversation)
            .where(*where)
            .values(message_count=Conversation.message_count + 1, last_message_at=now)
            .returning(Conversation.message_count)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if seq is None:
        if while_in is None:
            raise NotFound("No such conversation.", code=Code.CONVERSATION_NOT_FOUND)
        raise Conflict(
            "This conversation changed meanwhile; reload it and try again.",
            code=Code.CHANGED_MEANWHILE,
        )
    set_committed_value(conversation, "message_count", seq)
    set_committed_value(conversation, "last_message_at", now)
    message = Message(
        id=new_id(),
        conversation_id=conversation.id,
        seq=seq,
        author_kind=author.kind,
        author_id=author.id,
        author_name=author.name[:120],
        kind=kind,
        channel=(channel.value if channel else conversation.channel),
        internal=internal,
        body=body,
        data=data or {},
        external_id=external_id,
        created_at=now,
    )
    db.add(message)
    # Replies on the webhook channel leave through the outbox, written with the message.
    webhook_outbox.enqueue(db, conversation=conversation, message=message)
    await db.flush()
    bus.publish_on_commit(
        db,
        MessagePosted(
            conversation_id=conversation.id,
            brand_slug=conversation.brand_slug,
            channel=message.channel,
            message=MessageRead.model_validate(message).model_dump(mode="json"),
            agent_id=conversation.assigned_agent_id,
        ),
    )
    return message
