"""Routing decisions: presence, skills, capacity, longest idle, SLA, place in queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import (
    OTHER_BRAND,
    make_advisor,
    make_brands,
    queued_conversation,
)
from vitrina.conversations import service as conversations
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.routing import service as routing
from vitrina.routing.schemas import Presence, PresenceUpdate, QueueCreate


async def go_online(db: AsyncSession, bus: EventBus, advisor: Principal, **skills: object) -> None:
    await routing.set_presence(
        db,
        bus=bus,
        principal=advisor,
        data=PresenceUpdate.model_validate({"status": "online", **skills}),
    )
    await db.commit()


async def test_longest_idle_eligible_advisor_gets_the_offer(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    first = await make_advisor(db, email="first@example.com")
    second = await make_advisor(db, email="second@example.com")
    await go_online(db, bus, second)
    await go_online(db, bus, first)
    # `second` has been idle the longest.
    chosen = await routing.route(
        db, bus=bus, conversation_id=(await queued_conversation(db, bus)).id
    )
    assert chosen is not None and chosen.user_id == second.user_id
    # Once `second` finishes a conversation, `first` is the longest idle.
    await routing.advisor_freed(db, bus=bus, user_id=second.user_id, brand_slug="aurora-motors")
    other = await queued_conversation(db, bus, session_id="g2")
    chosen = await routing.route(db, bus=bus, conversation_id=other.id)
    assert chosen is not None and chosen.user_id == first.user_id


async def test_skills_brand_presence_and_capacity_filter_advisors(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    english = await make_advisor(db, email="en@example.com")
    french_bikes = await make_advisor(db, email="fr@example.com", brands_=[OTHER_BRAND])
    away = await make_advisor(db, email="away@example.com")
    await go_online(db, bus, english, languages=["en"], capacity=1)
    await go_online(db, bus, french_bikes, languages=["fr"])
    await routing.set_presence(
        db, bus=bus, principal=away, data=PresenceUpdate(status=Presence.AWAY)
    )
    await db.commit()

    french = await queued_conversation(db, bus, locale="fr")
    assert await routing.route(db, bus=bus, conversation_id=french.id) is None

    first = await queued_conversation(db, bus, session_id="g2")
    assert (await routing.route(db, bus=bus, conversation_id=first.id)).user_id == english.user_id  # type: ignore[union-attr]
    await routing.accept(db, bus=bus, principal=english, conversation_id=first.id)
    await db.commit()
    second = await queued_conversation(db, bus, session_id="g3")
    assert await routing.route(db, bus=bus, conversation_id=second.id) is None
    with pytest.raises(Conflict) as full:
        await routing.accept(db, bus=bus, principal=english, conversation_id=second.id)
    assert full.value.code == "advisor_at_capacity"
    with pytest.raises(Conflict) as not_online:
        await routing.accept(db, bus=bus, principal=away, conversation_id=second.id)
    assert not_online.value.code == "advisor_not_available"


async def test_going_offline_puts_held_conversations_back_with_history(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    ava = await make_advisor(db, email="ava@example.com")
    await go_online(db, bus, ava)
    conversation = await queued_conversation(db, bus)
    await routing.accept(db, bus=bus, principal=ava, conversation_id=conversation.id)
    await conversations.post_agent_message(
        db, bus=bus, conversation=conversation, principal=ava, body="Let me check"
    )
    await db.commit()
    assert ava.user_id is not None
    await routing.connected(db, principal=ava)
    assert await routing.disconnected(db, user_id=ava.user_id) == 0
    assert await routing.release_if_gone(db, bus=bus, user_id=ava.user_id) == 1
    await db.commit()
    await db.refresh(conversation)
    assert conversation.state == "queued"
    assert conversation.assigned_agent_id is None
    bodies = [
        m.body
        for m in await conversations.messages(db, conversation=conversation, include_internal=True)
    ]
    assert "I want a person" in bodies and "Let me check" in bodies
    reasons = [t.reason for t in await conversations.transitions(db, conversation=conversation)]
    assert reasons[-1] == "ava disconnected"


async def test_sla_escalates_an_unaccepted_handoff_once(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    await routing.create_queue(
        db, data=QueueCreate(brand="aurora-motors", name="general", title="General", sla_s=30)
    )
    conversation = await queued_conversation(db, bus)
    assert conversation.queued_at is not None
    soon = conversation.queued_at + timedelta(seconds=10)
    late = conversation.queued_at + timedelta(seconds=31)
    assert await routing.escalate_overdue(db, bus=bus, now=soon) == 0
    assert await routing.escalate_overdue(db, bus=bus, now=late) == 1
    assert await routing.escalate_overdue(db, bus=bus, now=late) == 0
    await db.commit()
    await db.refresh(conversation)
    assert conversation.priority == 1 and conversation.escalated_at is not None
    # Escalated conversations are served first.
    newer = await queued_conversation(db, bus, session_id="g2")
    queued = await conversations.list_queued(db)
    assert [c.id for c in queued] == [conversation.id, newer.id]


async def test_place_in_queue_and_estimate(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    convs = [await queued_conversation(db, bus, session_id=f"g{i}") for i in range(3)]
    places = [await routing.queue_place(db, conversation=c) for c in convs]
    assert [p.position for p in places] == [1, 2, 3]
    assert [p.ahead for p in places] == [0, 1, 2]
    assert places[0].advisors_online == 0
    assert places[0].estimate_s < places[2].estimate_s
    ava = await make_advisor(db, email="ava@example.com")
    await go_online(db, bus, ava, capacity=2)
    place = await routing.queue_place(db, conversation=convs[2])
    assert place.advisors_online == 1
    assert place.estimate_s == 2 * 300


async def test_an_offer_to_an_advisor_who_filled_up_moves_on(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    ava = await make_advisor(db, email="ava@example.com")
    ben = await make_advisor(db, email="ben@example.com")
    await go_online(db, bus, ava, capacity=1)
    await go_online(db, bus, ben, capacity=1)
    first = await queued_conversation(db, bus, session_id="g1")
    second = await queued_conversation(db, bus, session_id="g2")
    # Two decisions taken at the same moment both chose Ava.
    conversations.set_offer(first, agent_id=ava.user_id)
    conversations.set_offer(second, agent_id=ava.user_id)
    await db.commit()
    await routing.accept(db, bus=bus, principal=ava, conversation_id=first.id)
    await db.commit()
    assert await routing.offer_waiting(db, bus=bus) == 1
    await db.commit()
    await db.refresh(second)
    assert second.offered_to == ben.user_id


async def test_accepting_from_a_console_that_just_opened_puts_the_advisor_online(
    db: AsyncSession,
) -> None:
    bus = EventBus()
    await make_brands(db)
    ava = await make_advisor(db, email="ava@example.com")
    conversation = await queued_conversation(db, bus)
    taken = await routing.accept(db, bus=bus, principal=ava, conversation_id=conversation.id)
    assert taken.assigned_agent_id == ava.user_id
    assert ava.user_id is not None
    advisor = await routing.get_advisor(db, user_id=ava.user_id)
    assert advisor is not None and advisor.status == "online"
