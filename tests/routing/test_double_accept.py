"""Concurrent changes to one conversation: of two accepts exactly one wins, and a\ntransition decided from a state that changed meanwhile is refused, not written over."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import BRAND, make_advisor, make_brands, queued_conversation
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import BOT, Actor, Channel
from vitrina.core.db import transaction
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.routing import service as routing
from vitrina.routing.schemas import Presence, PresenceUpdate


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
                async with transaction(app.state.sessions) as session:
                    await routing.accept(
                        session, bus=bus, principal=advisor, conversation_id=conversation_id
                    )
                return "won"
            except Conflict as exc:
                return exc.code

        outcomes = await asyncio.gather(*(accept(a) for a in advisors))
        assert sorted(outcomes) == ["already_claimed"] * 3 + ["won"]
        async with app.state.sessions() as fresh:
            stored = await fresh.get(Conversation, conversation.id)
            assert stored is not None and stored.state == "assigned"
            winner = advisors[outcomes.index("won")]
            assert stored.assigned_agent_id == winner.user_id


async def test_a_late_bot_handoff_leaves_a_conversation_an_advisor_took_over(
    app: FastAPI, db: AsyncSession
) -> None:
    """The bot decides to hand off from what it read; meanwhile a supervisor takes the
    conversation over. The bot's late write must not put it back in the queue."""
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
    async with app.state.sessions() as bot_side:
        seen = await conversations.get(bot_side, conversation_id=started.id)
        assert seen is not None and seen.state == "bot"
        async with transaction(app.state.sessions) as console:
            await conversations.request_handoff(
                console,
                bus=bus,
                conversation_id=started.id,
                actor=Actor.of(sam),
                reason="taken over",
            )
        async with transaction(app.state.sessions) as console:
            await routing.accept(console, bus=bus, principal=sam, conversation_id=started.id)
        with pytest.raises(Conflict):
            await conversations.request_handoff(
                bot_side, bus=bus, conversation_id=started.id, actor=BOT, reason="asked for a human"
            )
        await bot_side.rollback()
    async with app.state.sessions() as fresh:
        stored = await fresh.get(Conversation, started.id)
        assert stored is not None
        assert (stored.state, stored.assigned_agent_id) == ("assigned", sam.user_id)
