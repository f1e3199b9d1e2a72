"""The conversation state machine, its record of transitions, and brand isolation."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import (
    BRAND,
    OTHER_BRAND,
    bot_conversation,
    guest,
    make_advisor,
    make_brands,
    queued_conversation,
)
from vitrina.conversations import service as conversations
from vitrina.conversations.events import CustomerMessage, HandoffRequested
from vitrina.conversations.models import Conversation, Transition
from vitrina.conversations.schemas import HandoffSummary
from vitrina.conversations.states import ALLOWED, BOT, Actor, Channel, State, can_move
from vitrina.core.errors import Conflict, Forbidden, NotFound
from vitrina.core.events import EventBus
from vitrina.services import services_of


async def test_handoff_accept_reply_resolve_rate_records_every_transition(
    db: AsyncSession,
) -> None:
    bus = EventBus()
    await make_brands(db)
    advisor = await make_advisor(db, email="ava@example.com")
    conversation = await conversations.create(
        db,
        bus=bus,
        brand_slug=BRAND,
        channel=Channel.WIDGET,
        customer_name="Mia",
        locale="fr",
        guest_session_id="g1",
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=conversation, body="Bonjour", channel=Channel.WIDGET
    )
    await conversations.post_bot_message(
        db, bus=bus, conversation_id=conversation.id, body="Bonjour ! Comment puis-je aider ?"
    )
    summary = HandoffSummary(
        intent="financing_balance",
        slots={"contract": "AM-1"},
        tried=["faq:financing"],
        text="Wants the balance of AM-1",
    )
    await conversations.request_handoff(
        db,
        bus=bus,
        conversation_id=conversation.id,
        actor=BOT,
        reason="low confidence",
        summary=summary,
        product_line="suv",
    )
    await conversations.claim(db, bus=bus, conversation_id=conversation.id, actor=Actor.of(advisor))
    await conversations.post_agent_message(
        db, bus=bus, conversation=conversation, principal=advisor, body="Je regarde."
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=conversation, body="Merci", channel=Channel.WORLD
    )
    await conversations.add_note(
        db, bus=bus, conversation=conversation, principal=advisor, body="VIP customer"
    )
    await conversations.resolve(
        db, bus=bus, conversation=conversation, actor=Actor.of(advisor), disposition="solved"
    )
    await conversations.rate(db, bus=bus, conversation=conversation, score=5, comment="top")
    await db.commit()

    steps = [
        (t.from_state, t.to_state, t.actor_kind, t.reason)
        for t in await conversations.transitions(db, conversation=conversation)
    ]
    assert steps == [
        (None, "bot", "system", "started on widget"),
        ("bot", "queued", "bot", "low confidence"),
        ("queued", "assigned", "agent", "accepted"),
        ("assigned", "waiting_on_customer", "agent", "advisor replied"),
        ("waiting_on_customer", "assigned", "customer", "customer replied"),
        ("assigned", "resolved", "agent", "solved"),
    ]
    for earlier, later in itertools.pairwise(steps):
        assert earlier[1] == later[0]
    assert conversation.skills == {"language": "fr", "product_line": "suv"}
    assert conversation.handoff_summary["intent"] == "financing_balance"
    assert conversation.csat_score == 5
    public = await conversations.messages(db, conversation=conversation, include_internal=False)
    everything = await conversations.messages(db, conversation=conversation, include_internal=True)
    assert [m.seq for m in everything] == list(range(1, len(everything) + 1))
    assert "VIP customer" in [m.body for m in everything]
    assert "VIP customer" not in [m.body for m in public]
    channels = [m.channel for m in public if m.author_kind == "customer" and m.kind == "text"]
    assert channels == ["widget", "world"]
    assert any(m.data.get("event") == "channel_changed" for m in public)
    assert any(m.kind == "csat_request" for m in public)


async def test_closed_conversation_refuses_messages_and_second_rating(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    conversation = await conversations.create(
        db, bus=bus, brand_slug=BRAND, channel=Channel.WIDGET, customer_name="Mia"
    )
    with pytest.raises(Conflict) as not_yet:
        await conversations.rate(db, bus=bus, conversation=conversation, score=3, comment=None)
    assert not_yet.value.code == "csat_not_open"
    await conversations.resolve(
        db, bus=bus, conversation=conversation, actor=BOT, disposition="solved"
    )
    with pytest.raises(Conflict) as closed:
        await conversations.post_customer_message(
            db, bus=bus, conversation=conversation, body="hello?", channel=Channel.WIDGET
        )
    assert closed.value.code == "conversation_closed"
    await conversations.rate(db, bus=bus, conversation=conversation, score=4, comment=None)
    with pytest.raises(Conflict):
        await conversations.rate(db, bus=bus, conversation=conversation, score=1, comment=None)


async def test_bot_stays_quiet_once_an_advisor_owns_the_conversation(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    advisor = await make_advisor(db, email="ava@example.com")
    conversation = await queued_conversation(db, bus)
    await conversations.claim(db, bus=bus, conversation_id=conversation.id, actor=Actor.of(advisor))
    with pytest.raises(Conflict):
        await conversations.post_bot_message(
            db, bus=bus, conversation_id=conversation.id, body="I can help!"
        )


async def test_only_the_owner_or_a_supervisor_may_reply(db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    owner = await make_advisor(db, email="ava@example.com")
    other = await make_advisor(db, email="ben@example.com")
    supervisor = await make_advisor(db, email="sam@example.com", roles=["supervisor"])
    conversation = await queued_conversation(db, bus)
    await conversations.claim(db, bus=bus, conversation_id=conversation.id, actor=Actor.of(owner))
    with pytest.raises(Forbidden):
        await conversations.post_agent_message(
            db, bus=bus, conversation=conversation, principal=other, body="Mine now"
        )
    await conversations.post_agent_message(
        db, bus=bus, conversation=conversation, principal=supervisor, body="Barging in"
    )


async def test_of_two_changes_made_from_one_reading_the_second_is_refused(
    app: FastAPI, db: AsyncSession
) -> None:
    """The bot hands the customer over while a supervisor, who opened the conversation
    before that, resolves it: the handoff stands and the resolve is refused."""
    bus = EventBus()
    await make_brands(db)
    supervisor = await make_advisor(db, email="sam@example.com", roles=["supervisor"])
    conversation = await bot_conversation(db, bus, session_id="g1")
    await db.commit()
    async with services_of(app).sessions() as bot_side, services_of(app).sessions() as console_side:
        seen = await console_side.get(Conversation, conversation.id)
        assert seen is not None and seen.state == "bot"
        await conversations.request_handoff(
            bot_side,
            bus=bus,
            conversation_id=conversation.id,
            actor=BOT,
            reason="asked for a person",
        )
        await bot_side.commit()
        with pytest.raises(Conflict) as refused:
            await conversations.resolve(
                console_side,
                bus=bus,
                conversation=seen,
                actor=Actor.of(supervisor),
                disposition="solved",
            )
        assert refused.value.code == "changed_meanwhile"
        await console_side.rollback()
    async with services_of(app).sessions() as fresh:
        stored = await fresh.get(Conversation, conversation.id)
        assert stored is not None
        assert (stored.state, stored.disposition, stored.resolved_at) == ("queued", None, None)
        moves = await fresh.execute(
            select(Transition.from_state, Transition.to_state)
            .where(Transition.conversation_id == conversation.id)
            .order_by(Transition.created_at)
        )
        assert [tuple(m) for m in moves] == [(None, "bot"), ("bot", "queued")]


async def test_events_are_published_only_after_commit(db: AsyncSession) -> None:
    bus = EventBus()
    seen: list[str] = []
    bus.subscribe(CustomerMessage, lambda e: seen.append(e.text))
    bus.subscribe(HandoffRequested, lambda e: seen.append(f"handoff:{e.queue}"))
    await make_brands(db)
    conversation = await conversations.create(
        db, bus=bus, brand_slug=BRAND, channel=Channel.WIDGET, customer_name="Mia"
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=conversation, body="rolled back", channel=Channel.WIDGET
    )
    await db.rollback()
    conversation = await conversations.create(
        db, bus=bus, brand_slug=BRAND, channel=Channel.WIDGET, customer_name="Mia"
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=conversation, body="kept", channel=Channel.WIDGET
    )
    await conversations.request_handoff(
        db, bus=bus, conversation_id=conversation.id, actor=BOT, reason="asked"
    )
    assert seen == []
    await db.commit()
    await asyncio.sleep(0.05)
    assert seen == ["kept", "handoff:general"]


async def test_staff_of_one_brand_never_see_another_brands_conversations(
    db: AsyncSession,
) -> None:
    bus = EventBus()
    await make_brands(db)
    aurora = await queued_conversation(db, bus, brand=BRAND, session_id="g1")
    borealis = await queued_conversation(db, bus, brand=OTHER_BRAND, session_id="g2")
    aurora_agent = await make_advisor(db, email="a@example.com", brands_=[BRAND])
    admin = await make_advisor(db, email="root@example.com", brands_=[], roles=["superadmin"])

    listed = await conversations.list_conversations(db, principal=aurora_agent)
    assert [c.id for c in listed] == [aurora.id]
    with pytest.raises(NotFound):
        await conversations.get_for_principal(
            db, conversation_id=borealis.id, principal=aurora_agent
        )
    everything = await conversations.list_conversations(db, principal=admin)
    assert {c.id for c in everything} == {aurora.id, borealis.id}
    # A guest sees their own conversation only.
    await conversations.get_for_principal(db, conversation_id=aurora.id, principal=guest("g1"))
    with pytest.raises(NotFound):
        await conversations.get_for_principal(db, conversation_id=aurora.id, principal=guest("g2"))


@given(path=st.lists(st.sampled_from(list(State)), max_size=12))
def test_every_allowed_path_ends_in_a_known_state(path: list[State]) -> None:
    state = State.BOT
    for target in path:
        if can_move(state, target):
            state = target
        assert state in ALLOWED
    # From anywhere, a conversation can be closed and reopened by the bot.
    assert can_move(state, State.RESOLVED) or state is State.RESOLVED
    assert can_move(State.RESOLVED, State.BOT)
