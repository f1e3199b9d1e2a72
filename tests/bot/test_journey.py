"""The demo store's promise, end to end through the conversations service: a customer
asks the opening hours in Italian, books a test drive in French and asks for a person in
English, in one widget conversation answered by the bot through the event bus, with the
real scheduling domain behind it."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import BRAND, settle, setup_brand, start
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import Channel
from vitrina.scheduling import service as scheduling
from vitrina.services import services_of

PARIS = ZoneInfo("Europe/Paris")
FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _open_day_ahead() -> date:
    """Two days from now in the store's time zone, or three if that is a Sunday (closed)."""
    day = datetime.now(PARIS).date() + timedelta(days=2)
    return day + timedelta(days=1) if day.weekday() == 6 else day


async def _customer_says(
    app: FastAPI, db: AsyncSession, conversation: Conversation, text: str
) -> str:
    """Post a widget message as the customer and wait for the bot's answer to it."""
    before = len(await _bot_messages(app, conversation.id))
    await conversations.post_customer_message(
        db, bus=services_of(app).bus, conversation=conversation, body=text, channel=Channel.WIDGET
    )
    await db.commit()
    for _ in range(600):
        bodies = await _bot_messages(app, conversation.id)
        if len(bodies) > before:
            await settle(app)
            return "\n".join(bodies[before:])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no answer to {text!r}")


async def _bot_messages(app: FastAPI, conversation_id: str) -> list[str]:
    async with services_of(app).sessions() as db:
        conversation = await conversations.get_or_raise(db, conversation_id=conversation_id)
        rows = await conversations.messages(db, conversation=conversation, include_internal=False)
        return [m.body for m in rows if m.author_kind == "bot"]


async def test_hours_in_italian_a_test_drive_in_french_and_a_person_in_english(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    conversation = await start(app, db, locale="it", session_id="guest-journey")

    text = await _customer_says(app, db, conversation, "Quali sono i vostri orari di apertura?")
    assert "dal lunedì al sabato, dalle 9:00 alle 19:00" in text
    assert "Fonte: Orari di apertura" in text

    # The bot reads the day against the real clock: named on that very day, "vendredi
    # après-midi" means today, whose afternoon the 2-hour booking notice may already have
    # closed. A day two or three days ahead, on which the store opens, always has one.
    day = _open_day_ahead()
    name = FRENCH_DAYS[day.weekday()]
    text = await _customer_says(
        app, db, conversation, f"Je voudrais réserver un essai de la GT {name} après-midi"
    )
    assert f"Je peux réserver un essai de l'Aurora GT le {name}" in text
    text = await _customer_says(app, db, conversation, "oui, je confirme")
    assert f"C'est fait ! Votre essai de l'Aurora GT est réservé le {name}" in text
    booked = await scheduling.list_for_customer(
        db, guest_session_id="guest-journey", brand_slug=BRAND
    )
    assert [a.status for a in booked] == ["confirmed"]
    local = booked[0].start_at.astimezone(PARIS)
    assert local.date() == day and 12 <= local.hour < 18

    text = await _customer_says(app, db, conversation, "Thanks. Can I talk to a real person?")
    assert "passing you to an advisor" in text
    await db.refresh(conversation)
    assert conversation.state == "queued"
    summary = conversation.handoff_summary
    assert summary["verified_identity"] is None
    assert "answered from article opening-hours" in summary["tried"]
    assert "completed book_test_drive" in summary["tried"]
    assert "Language: en." in summary["text"]
