"""Concurrent changes to one conversation: of two accepts exactly one wins; a transition
decided from a state that changed meanwhile is refused, not written over; of two
transitions decided from the same state exactly one is applied, and nothing of the other
is written (no transition record, no timeline message, no column of it)."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import (
    BRAND,
    make_advisor,
    make_brands,
    queued_conversation,
)
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation, Message, Transition
from vitrina.conversations.schemas import HandoffSummary
from vitrina.conversations.states import BOT, Actor, Channel
from vitrina.core.db import transaction
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.routing import service as routing
from vitrina.routing.schemas import Presence, PresenceUpdate
from vitrina.services import services_of


async def test_concurrent_accepts_have_exactly_one_winner(app: FastAPI, db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    advisors = [await make_advisor(db, email=f"a{i}@example.com") for i in range(4)]
    for advisor in advisors:
        await routing.set_presence(
            db, bus=bus, principal=advisor, data=PresenceUpdate(status=Presence.ONLINE, capacity=10)
        )
    await db.commit()
    for round_ in range(5):
        conversation = await queued_conversation(db, bus, session_id=f"g{round_}")

        async def accept(advisor: Principal, conversation_id: str = conversation.id) -> str:
            try:
                async with transaction(services_of(app).sessions) as session:
                    await routing.accept(
                        session, bus=bus, principal=advisor, conversation_id=conversation_id
                    )
                return "won"
            except Conflict as exc:
                return exc.code

        outcomes = await asyncio.gather(*(accept(a) for a in advisors))
        assert sorted(outcomes) == ["already_claimed"] * 3 + ["won"]
        async with services_of(app).sessions() as fresh:
            stored = await fresh.get(Conversation, conversation.id)
            assert stored is not None and stored.state == "assigned"
            winner = advisors[outcomes.index("won")]
            assert stored.assigned_agent_id == winner.user_id


async def _history(
    app: FastAPI, conversation_id: str
) -> tuple[list[tuple[str | None, str]], list[str]]:
    """The recorded transitions and the timeline events of a conversation, in order."""
    async with services_of(app).sessions() as fresh:
        moves = await fresh.execute(
            select(Transition.from_state, Transition.to_state)
            .where(Transition.conversation_id == conversation_id)
            .order_by(Transition.created_at, Transition.id)
        )
        messages = await fresh.execute(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        )
        events = [m.data.get("event", m.kind) for m in messages.scalars()]
        return [(a, b) for a, b in moves], events


async def test_a_late_bot_handoff_leaves_a_conversation_a_supervisor_took_over(
    app: FastAPI, db: AsyncSession
) -> None:
    """The bot decides to hand off from what it read; meanwhile a supervisor takes the
    conversation over. The bot's late write must not put it back in the queue with the
    supervisor still named, nor write any part of its handoff."""
    bus = EventBus()
    await make_brands(db)
    sam = await make_advisor(db, email="sam@example.com", roles=["supervisor"])
    await routing.set_presence(
        db, bus=bus, principal=sam, data=PresenceUpdate(status=Presence.ONLINE, capacity=10)
    )
    started = await conversations.create(
        db,
        bus=bus,
        brand_slug=BRAND,
        channel=Channel.WORLD,
        customer_name="Mia",
        guest_session_id="g-late",
    )
    await db.commit()
    sessions = services_of(app).sessions
    async with sessions() as bot_side:
        seen = await conversations.get(bot_side, conversation_id=started.id)
        assert seen is not None and seen.state == "bot"
        async with transaction(sessions) as console:
            await conversations.request_handoff(
                console,
                bus=bus,
                conversation_id=started.id,
                actor=Actor.of(sam),
                reason="taken over",
            )
        async with transaction(sessions) as console:
            await routing.accept(console, bus=bus, principal=sam, conversation_id=started.id)
        with pytest.raises(Conflict) as refused:
            await conversations.request_handoff(
                bot_side,
                bus=bus,
                conversation_id=started.id,
                actor=BOT,
                reason="asked for a human",
                queue="bot-queue",
                summary=HandoffSummary.model_validate({"intent": "late", "tried": []}),
            )
        assert refused.value.code == "changed_meanwhile"
        # The bot's session keeps the state it read: nothing of the refused move is in it.
        assert (seen.state, seen.queue) == ("bot", None)
        await bot_side.commit()  # even a caller that commits afterwards writes nothing of it
    async with services_of(app).sessions() as fresh:
        stored = await fresh.get(Conversation, started.id)
        assert stored is not None
        assert (stored.state, stored.assigned_agent_id) == ("assigned", sam.user_id)
        assert stored.queue == "general" and stored.handoff_summary == {}
    moves, events = await _history(app, started.id)
    assert moves == [(None, "bot"), ("bot", "queued"), ("queued", "assigned")]
    assert events.count("handoff") == 1


async def test_of_two_transitions_from_the_same_state_exactly_one_is_applied(
    app: FastAPI, db: AsyncSession
) -> None:
    """An advisor resolves while a supervisor, who read the same assigned conversation,
    sends it back to the queue: both are decided from "assigned" and run at once."""
    bus = EventBus()
    await make_brands(db)
    ada = await make_advisor(db, email="ada@example.com")
    sam = await make_advisor(db, email="sam@example.com", roles=["supervisor"])
    await routing.set_presence(
        db, bus=bus, principal=ada, data=PresenceUpdate(status=Presence.ONLINE, capacity=10)
    )
    await db.commit()
    sessions = services_of(app).sessions
    for round_ in range(3):
        conversation = await queued_conversation(db, bus, session_id=f"g-both-{round_}")
        async with transaction(sessions) as console:
            await routing.accept(console, bus=bus, principal=ada, conversation_id=conversation.id)
        async with sessions() as resolving, sessions() as requeuing:
            by_ada = await conversations.get(resolving, conversation_id=conversation.id)
            by_sam = await conversations.get(requeuing, conversation_id=conversation.id)
            assert by_ada is not None and by_sam is not None
            assert by_ada.state == by_sam.state == "assigned"

            async def resolve(db_: AsyncSession = resolving, seen: Conversation = by_ada) -> str:
                try:
                    await conversations.resolve(
                        db_, bus=bus, conversation=seen, actor=Actor.of(ada), disposition="solved"
                    )
                    await db_.commit()
                    return "resolved"
                except Conflict as exc:
                    await db_.rollback()
                    return exc.code

            async def requeue(db_: AsyncSession = requeuing, seen: Conversation = by_sam) -> str:
                try:
                    await conversations.requeue(
                        db_, bus=bus, conversation=seen, actor=Actor.of(sam), reason="rebalance"
                    )
                    await db_.commit()
                    return "requeued"
                except Conflict as exc:
                    await db_.rollback()
                    return exc.code

            outcomes = await asyncio.gather(resolve(), requeue())
        assert sorted(outcomes) in (
            ["changed_meanwhile", "resolved"],
            ["changed_meanwhile", "requeued"],
        )
        moves, events = await _history(app, conversation.id)
        async with sessions() as fresh:
            stored = await fresh.get(Conversation, conversation.id)
            assert stored is not None
        if "resolved" in outcomes:
            assert moves[-1] == ("assigned", "resolved")
            assert (stored.state, stored.disposition) == ("resolved", "solved")
            assert stored.assigned_agent_id == ada.user_id
            assert "requeued" not in events and events[-1] == "csat_request"
        else:
            assert moves[-1] == ("assigned", "queued")
            assert (stored.state, stored.disposition, stored.resolved_at) == ("queued", None, None)
            assert stored.assigned_agent_id is None
            assert "csat_request" not in events and events[-1] == "requeued"
        assert moves[:-1] == [(None, "bot"), ("bot", "queued"), ("queued", "assigned")]
