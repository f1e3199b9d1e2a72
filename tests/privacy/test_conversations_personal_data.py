"""Conversations in the access export and the erasure: a guest's and a known customer's."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import OTHER_SLUG
from tests.privacy.rows import opened
from vitrina.brands.models import Brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation, Message, Transition
from vitrina.conversations.states import BOT, Channel
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.crm import service as crm
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.privacy import requests, retention
from vitrina.services import services_of

SLUG = "aurora-motors"
SESSION = "guest-conv-mia"
NAME = "Mia Quercioli"
TOPIC = "Seat height on the quercioli scooter"
SAID = "My knee hurts on long rides, quercioli-secret-7731"
EMAIL = "mia.quercioli@example.org"
WROTE = "Please call me back, quercioli-mail-5521"


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


def section(archive: str, name: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(archive) as zf:
        rows: list[dict[str, Any]] = json.loads(zf.read(f"{name}.json"))
    return rows


async def everything(db: AsyncSession, conversation_id: str) -> str:
    """Every stored value of one conversation, its messages and its transitions."""
    parts: list[str] = []
    for table, column in (
        ("conversation", "id"),
        ("conversation_message", "conversation_id"),
        ("conversation_transition", "conversation_id"),
    ):
        parts.extend(await opened(db, table, f"{column} = :id", id=conversation_id))
    return "\n".join(parts)


async def test_a_guests_conversations_are_exported_then_anonymised(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand, other_brand: Brand
) -> None:
    bus = EventBus()
    mine = await conversations.create(
        db,
        bus=bus,
        brand_slug=SLUG,
        channel=Channel.WIDGET,
        customer_name=NAME,
        subject=TOPIC,
        guest_session_id=SESSION,
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=mine, body=SAID, channel=Channel.WIDGET
    )
    await conversations.post_bot_message(
        db, bus=bus, conversation_id=mine.id, body=f"Sorry to hear that, {NAME}."
    )
    await conversations.request_handoff(
        db, bus=bus, conversation_id=mine.id, actor=BOT, reason="customer asked"
    )
    # The same visitor on another brand, and another visitor on this one: untouched.
    elsewhere = await conversations.create(
        db,
        bus=bus,
        brand_slug=OTHER_SLUG,
        channel=Channel.WIDGET,
        customer_name=NAME,
        guest_session_id=SESSION,
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=elsewhere, body="other brand", channel=Channel.WIDGET
    )
    theirs = await conversations.create(
        db,
        bus=bus,
        brand_slug=SLUG,
        channel=Channel.WIDGET,
        customer_name="Luca",
        guest_session_id="guest-conv-luca",
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=theirs, body="Luca's question", channel=Channel.WIDGET
    )
    mine_id, elsewhere_id, theirs_id = mine.id, elsewhere.id, theirs.id
    brand_id = brand.id
    await db.commit()
    subject = f"guest:{SESSION}"

    export = await run(app, db, settings, brand_id, subject, "access")
    threads = section(export.archive, "conversations.threads")
    assert [(t["conversation"], t["name"], t["topic"], t["state"]) for t in threads] == [
        (mine_id, NAME, TOPIC, "queued")
    ]
    messages = section(export.archive, "conversations.messages")
    assert {m["conversation"] for m in messages} == {mine_id}
    texts = [m["text"] for m in messages]
    assert SAID in texts and f"Sorry to hear that, {NAME}." in texts
    assert export.summary["conversations.threads"] == 1

    erasure = await run(app, db, settings, brand_id, subject, "erasure")
    assert erasure.summary["conversations.threads"] == 1
    assert erasure.summary["conversations.messages"] == len(messages)

    dump = await everything(db, mine_id)
    assert SAID not in dump and NAME not in dump and TOPIC not in dump and SESSION not in dump
    # The conversation stays as anonymous history: its state and message count are kept.
    kept = await db.get(Conversation, mine_id)
    assert kept is not None
    assert (kept.state, kept.message_count, kept.guest_session_id) == ("queued", 3, None)
    rows = (await db.execute(select(Message).where(Message.conversation_id == mine_id))).scalars()
    assert {(m.body, m.author_id) for m in rows} == {("", None)}
    actors = (
        await db.execute(
            select(Transition.actor_id).where(
                Transition.conversation_id == mine_id, Transition.actor_kind == "customer"
            )
        )
    ).scalars()
    assert set(actors) <= {None}
    # Other people's conversations, and this brand's neighbour, are untouched.
    assert "Luca's question" in await everything(db, theirs_id)
    assert "other brand" in await everything(db, elsewhere_id)
    other = await db.get(Conversation, elsewhere_id)
    assert other is not None and other.guest_session_id == SESSION
    # The anonymous conversation stays open but takes no new personal data: its key is gone.
    with pytest.raises(Conflict) as refused:
        await conversations.post_customer_message(
            db, bus=bus, conversation=kept, body="one more thing", channel=Channel.WIDGET
        )
    assert refused.value.code == "subject_erased"


async def test_a_known_customers_conversations_are_found_by_their_email(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand
) -> None:
    bus = EventBus()
    profile = await crm.create(
        db,
        bus=None,
        brand_id=brand.id,
        display_name=NAME,
        identities=[(normalise(IdentityKind.EMAIL, EMAIL), None)],
    )
    by_mail = await conversations.create(
        db,
        bus=bus,
        brand_slug=SLUG,
        channel=Channel.EMAIL,
        customer_name=NAME,
        subject="Call back",
        customer_email=EMAIL.upper(),
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=by_mail, body=WROTE, channel=Channel.EMAIL
    )
    subject, by_mail_id, brand_id = f"customer:{profile.id}", by_mail.id, brand.id
    await db.commit()

    export = await run(app, db, settings, brand_id, subject, "access")
    threads = section(export.archive, "conversations.threads")
    assert [(t["conversation"], t["email"]) for t in threads] == [(by_mail.id, EMAIL)]
    assert WROTE in [m["text"] for m in section(export.archive, "conversations.messages")]

    await run(app, db, settings, brand_id, subject, "erasure")
    dump = await everything(db, by_mail_id)
    assert WROTE not in dump and EMAIL not in dump and NAME not in dump


async def test_resolved_transcripts_are_purged_after_two_years(
    db: AsyncSession, brand: Brand
) -> None:
    bus = EventBus()
    made = []
    for session_id in ("guest-conv-old", "guest-conv-open"):
        conversation = await conversations.create(
            db,
            bus=bus,
            brand_slug=SLUG,
            channel=Channel.WIDGET,
            customer_name=NAME,
            guest_session_id=session_id,
        )
        await conversations.post_customer_message(
            db, bus=bus, conversation=conversation, body=SAID, channel=Channel.WIDGET
        )
        made.append(conversation)
    done, still_open = made
    await conversations.resolve(db, bus=bus, conversation=done, actor=BOT, disposition="solved")
    done_id, open_id = done.id, still_open.id
    await db.commit()

    soon = await retention.apply(db, overrides={}, now=utcnow() + timedelta(days=700))
    assert {o.kind: o.removed for o in soon}["transcripts"] == 0
    later = await retention.apply(db, overrides={}, now=utcnow() + timedelta(days=731))
    assert {o.kind: o.removed for o in later}["transcripts"] == 1
    await db.commit()
    db.expunge_all()
    assert await db.get(Conversation, done_id) is None
    assert await db.get(Conversation, open_id) is not None
    assert not await everything(db, done_id)
