"""The bot on its channels: a widget message answered through the event bus, and the
greeter avatar in the 3D store."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import BRAND, settle, setup_brand, start
from vitrina.conversations import service as conversations
from vitrina.conversations.states import Channel
from vitrina.identity import service as identity
from vitrina.services import services_of
from vitrina.world import service as world
from vitrina.world.events import ChatPosted, PresenceJoined


async def _bot_messages(app: FastAPI, conversation_id: str, count: int) -> list[str]:
    for _ in range(600):
        async with services_of(app).sessions() as db:
            conversation = await conversations.get_or_raise(db, conversation_id=conversation_id)
            rows = await conversations.messages(
                db, conversation=conversation, include_internal=False
            )
            bodies = [m.body for m in rows if m.author_kind == "bot"]
        if len(bodies) >= count:
            return bodies
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot said {bodies}")


async def test_a_customer_message_is_answered_after_it_commits(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    conversation = await start(app, db, locale="it")
    await conversations.post_customer_message(
        db,
        bus=services_of(app).bus,
        conversation=conversation,
        body="A che ora aprite il sabato?",
        channel=Channel.WIDGET,
    )
    await db.commit()
    bodies = await _bot_messages(app, conversation.id, 1)
    await settle(app)
    assert "dal lunedì al sabato" in bodies[0] and "Fonte: Orari di apertura" in bodies[0]


async def test_the_greeter_joins_the_room_of_a_newcomer(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    hub = services_of(app).world_hub
    visitor = await world.join_bot(hub, brand=BRAND, zone="entrance", display_name="Visitor")
    await services_of(app).bus.publish(
        PresenceJoined(
            room=f"{BRAND}/entrance#1",
            brand=BRAND,
            zone="entrance",
            avatar_id=visitor.id,
            session_id="guest-visitor",
            user_id=None,
            display_name="Visitor",
            badge="guest",
        )
    )
    names = [o.name for o in world.room_occupants(hub, brand=BRAND, zone="entrance")]
    assert names.count("Nova") == 1
    # The same visitor coming back is not greeted by a second avatar.
    await services_of(app).bus.publish(
        PresenceJoined(
            room=f"{BRAND}/entrance#1",
            brand=BRAND,
            zone="entrance",
            avatar_id=visitor.id,
            session_id="guest-visitor",
            user_id=None,
            display_name="Visitor",
            badge="guest",
        )
    )
    names = [o.name for o in world.room_occupants(hub, brand=BRAND, zone="entrance")]
    assert names.count("Nova") == 1


async def test_walking_into_the_next_zone_is_not_welcomed_a_second_time(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    hub = services_of(app).world_hub
    said: list[ChatPosted] = []

    async def heard(event: ChatPosted) -> None:
        if event.badge == "bot":
            said.append(event)

    unsubscribe = services_of(app).bus.subscribe(ChatPosted, heard)
    try:
        for zone in ("entrance", "showroom", "entrance"):
            visitor = await world.join_bot(hub, brand=BRAND, zone=zone, display_name="Visitor")
            await services_of(app).bus.publish(
                PresenceJoined(
                    room=f"{BRAND}/{zone}#1",
                    brand=BRAND,
                    zone=zone,
                    avatar_id=visitor.id,
                    session_id="guest-walker",
                    user_id=None,
                    display_name="Visitor",
                    badge="guest",
                )
            )
            await visitor.leave()
    finally:
        unsubscribe()
    assert len(said) == 1, [e.text for e in said]


async def test_the_greeter_welcomes_in_the_language_the_visitor_came_in(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    guest, _ = await identity.create_guest(
        db, secret="s" * 40, display_name="Chloé", brand_slug=BRAND, locale="fr"
    )
    await db.commit()
    said: list[ChatPosted] = []

    async def heard(event: ChatPosted) -> None:
        if event.badge == "bot":
            said.append(event)

    unsubscribe = services_of(app).bus.subscribe(ChatPosted, heard)
    try:
        visitor = await world.join_bot(
            services_of(app).world_hub, brand=BRAND, zone="entrance", display_name="Chloé"
        )
        await services_of(app).bus.publish(
            PresenceJoined(
                room=f"{BRAND}/entrance#1",
                brand=BRAND,
                zone="entrance",
                avatar_id=visitor.id,
                session_id=guest.id,
                user_id=None,
                display_name="Chloé",
                badge="guest",
            )
        )
    finally:
        unsubscribe()
    assert [e.text for e in said] and said[0].text.startswith("Bienvenue chez Aurora Motors")
