"""The bot's dialogue state in the access export and the erasure."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot import service as bot
from vitrina.brands.models import Brand
from vitrina.conversations import service as conversations
from vitrina.conversations.states import Channel
from vitrina.core.config import Settings
from vitrina.core.events import EventBus
from vitrina.privacy import requests
from vitrina.services import services_of

SLUG = "aurora-motors"
SESSION = "guest-bot-mia"
ANSWER = "mia.bot-slot-4417@example.org"


async def run(
    app: FastAPI, db: AsyncSession, settings: Settings, brand_id: str, subject: str, kind: str
) -> Any:
    req = await requests.create(
        db, brand_id=brand_id, subject=subject, kind=kind, requested_by="subject"
    )
    request_id = req.id
    await db.commit()
    await requests.run(sessions=services_of(app).sessions, settings=settings, request_id=request_id)
    db.expunge_all()
    done = await requests.get_or_raise(db, request_id=request_id)
    assert done.status == "done", done.error
    return done


async def dialogue(db: AsyncSession, bus: EventBus, session_id: str) -> str:
    """A conversation in which the bot has collected an answer, as its reply would store it."""
    conversation = await conversations.create(
        db,
        bus=bus,
        brand_slug=SLUG,
        channel=Channel.WIDGET,
        customer_name="Mia",
        guest_session_id=session_id,
    )
    state = await bot._state_for(
        db, conversation_id=conversation.id, brand_slug=SLUG, language="en"
    )
    state.flow, state.step = "book_test_ride", "confirm"
    state.slots = {"email": ANSWER, "model": "aurora-e"}
    state.suspended = [{"flow": "contact", "step": "email", "slots": {"email": ANSWER}}]
    state.tried = ["book_test_ride"]
    await db.flush()
    return conversation.id


async def test_the_bots_slots_are_exported_then_emptied(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand
) -> None:
    bus = EventBus()
    mine = await dialogue(db, bus, SESSION)
    theirs = await dialogue(db, bus, "guest-bot-luca")
    brand_id, subject = brand.id, f"guest:{SESSION}"
    await db.commit()

    export = await run(app, db, settings, brand_id, subject, "access")
    assert export.archive is not None
    with zipfile.ZipFile(export.archive) as zf:
        rows = json.loads(zf.read("bot.dialogues.json"))
    assert [(r["conversation"], r["answers"]["email"], r["flow"]) for r in rows] == [
        (mine, ANSWER, "book_test_ride")
    ]

    erasure = await run(app, db, settings, brand_id, subject, "erasure")
    assert erasure.summary["bot.dialogues"] == 1
    state = await bot.get_state(db, conversation_id=mine)
    assert state is not None
    assert (state.slots, state.suspended, state.tried, state.flow) == ({}, [], [], None)
    assert state.language == "en"
    # Another visitor's dialogue keeps its answers.
    other = await bot.get_state(db, conversation_id=theirs)
    assert other is not None and other.slots["email"] == ANSWER
