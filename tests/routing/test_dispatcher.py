"""The node's routing dispatcher: a burst of handoffs decided in passes, within capacity."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import make_advisor, make_brands, queued_conversation
from tests.routing.test_routing import go_online
from vitrina.conversations import service as conversations
from vitrina.core.events import EventBus
from vitrina.routing import service as routing
from vitrina.routing.dispatcher import Dispatcher
from vitrina.routing.events import Offered
from vitrina.services import services_of


async def test_a_burst_of_handoffs_is_offered_within_capacity_and_told_its_place(
    app: FastAPI, db: AsyncSession
) -> None:
    bus = EventBus()
    offers: list[Offered] = []
    bus.subscribe(Offered, offers.append)
    await make_brands(db)
    advisors = [await make_advisor(db, email=f"a{i}@example.com") for i in range(3)]
    for advisor in advisors:
        await go_online(db, bus, advisor, capacity=1)
    waiting = [await queued_conversation(db, bus, session_id=f"g{i}") for i in range(5)]
    offers.clear()
    decided: dict[str, float] = {}
    dispatcher = Dispatcher(services_of(app).sessions, bus, on_decided=decided.update)
    dispatcher.start()
    try:
        for conversation in waiting:
            dispatcher.submit(conversation.id)
        await asyncio.wait_for(dispatcher.settled(), 10)
    finally:
        await dispatcher.close()
    await asyncio.sleep(0.05)  # events are delivered after commit

    # Three free slots: the three waiting longest are offered, one to each advisor.
    assert set(decided) == {c.id for c in waiting}
    assert sorted(o.conversation_id for o in offers) == sorted(c.id for c in waiting[:3])
    assert len({o.advisor_id for o in offers}) == 3
    # Every customer is told their place, in the order they asked.
    ids = [c.id for c in waiting]
    db.expire_all()
    for place, conversation_id in enumerate(ids, start=1):
        fresh = await conversations.get_or_raise(db, conversation_id=conversation_id)
        told = [
            m.data
            for m in await conversations.messages(db, conversation=fresh, include_internal=False)
            if m.data.get("event") == "queue_place"
        ]
        assert [t["position"] for t in told] == [place]


async def test_a_conversation_accepted_meanwhile_is_left_alone(
    app: FastAPI, db: AsyncSession
) -> None:
    bus = EventBus()
    offers: list[Offered] = []
    bus.subscribe(Offered, offers.append)
    await make_brands(db)
    advisor = await make_advisor(db, email="a@example.com")
    await go_online(db, bus, advisor)
    conversation = await queued_conversation(db, bus)
    await routing.accept(db, bus=bus, principal=advisor, conversation_id=conversation.id)
    await db.commit()
    offers.clear()
    dispatcher = Dispatcher(services_of(app).sessions, bus)
    dispatcher.start()
    try:
        dispatcher.submit(conversation.id)
        await asyncio.wait_for(dispatcher.settled(), 10)
    finally:
        await dispatcher.close()
    await asyncio.sleep(0.05)
    assert offers == []
    conversation_id = conversation.id
    db.expire_all()
    fresh = await conversations.get_or_raise(db, conversation_id=conversation_id)
    assert fresh.state == "assigned"
    assert not [
        m
        for m in await conversations.messages(db, conversation=fresh, include_internal=False)
        if m.data.get("event") == "queue_place"
    ]
