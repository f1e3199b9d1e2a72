"""The journeys of the demo store, turn by turn, on both databases."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import (
    BRAND,
    EN_MONTHS,
    FR_MONTHS,
    NOW,
    content_patterns,
    day_after_now,
    say,
    settle,
    setup_brand,
    start,
)
from tests.conversations.helpers import make_advisor
from vitrina.bot import service as bot
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation, Message
from vitrina.conversations.states import Actor
from vitrina.core.db import transaction
from vitrina.core.errors import Conflict
from vitrina.routing import service as routing
from vitrina.scheduling import service as scheduling
from vitrina.services import services_of


async def test_opening_hours_in_italian_cite_the_article(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    conversation = await start(app, db, locale="en")
    turn, text = await say(app, db, conversation, "Quali sono gli orari di apertura?")
    assert turn.citations == ["opening-hours"]
    assert "dal lunedì al sabato, dalle 9:00 alle 19:00" in text
    assert "Fonte: Orari di apertura" in text
    state = await bot.get_state(db, conversation_id=conversation.id)
    assert state is not None and state.language == "it"


async def test_book_a_test_drive_in_french(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    conversation = await start(app, db, locale="fr", session_id="guest-fr")
    friday = day_after_now(4)
    on_friday = f"le vendredi {friday.day} {FR_MONTHS[friday.month - 1]}"
    _, text = await say(app, db, conversation, "Je voudrais essayer la GT vendredi après-midi")
    assert f"Je peux réserver un essai de l'Aurora GT {on_friday} à" in text
    _, text = await say(app, db, conversation, "oui")
    assert f"C'est fait ! Votre essai de l'Aurora GT est réservé {on_friday}" in text
    booked = await scheduling.list_for_customer(
        db, guest_session_id="guest-fr", brand_slug=BRAND, now=NOW
    )
    assert len(booked) == 1 and booked[0].status == "confirmed"
    local = booked[0].start_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.weekday(), 12 <= local.hour < 18) == (4, True)


async def test_asking_for_a_human_in_english_hands_over_with_a_summary(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    conversation = await start(app, db)
    await say(app, db, conversation, "I'd like to test drive the E1")
    _, text = await say(app, db, conversation, "I want to talk to a person")
    assert "passing you to an advisor" in text
    await db.refresh(conversation)
    assert conversation.state == "queued"
    summary = conversation.handoff_summary
    assert summary["intent"] == "book_test_drive"
    assert summary["slots"] == {"model": "aurora-gt"} or summary["slots"] == {"model": "aurora-e1"}
    assert summary["verified_identity"] is None


async def test_a_digression_is_answered_and_the_flow_resumes(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    conversation = await start(app, db)
    _, text = await say(app, db, conversation, "I want to book a test drive")
    assert "Which car would you like to drive" in text
    turn, text = await say(app, db, conversation, "by the way, how long is the battery warranty?")
    assert turn.citations == ["warranty"]
    assert text.endswith(
        "Now, back to where we were.\nWhich car would you like to drive: the Aurora E1 or the Aurora GT?"
    )
    _, text = await say(app, db, conversation, "the E1")
    assert "When would suit you?" in text
    _, text = await say(app, db, conversation, "cancel")
    assert "cancelled" in text
    state = await bot.get_state(db, conversation_id=conversation.id)
    assert state is not None and state.flow is None


async def test_a_restart_mid_flow_loses_nothing(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    conversation = await start(app, db, session_id="guest-restart")
    _, text = await say(app, db, conversation, "I'd like to test drive the GT")
    assert "When would suit you?" in text
    # A new process: nothing in memory, only the database.
    restarted = bot.Runtime(
        cache_dir=services_of(app).bot.cache_dir, content_dir=services_of(app).bot.content_dir
    )
    async with services_of(app).sessions() as fresh:
        again = await conversations.get_or_raise(fresh, conversation_id=conversation.id)
        _, text = await say(app, fresh, again, "tomorrow at 3pm", runtime=restarted)
        tuesday = day_after_now(1)
        on_tuesday = f"on Tuesday {tuesday.day} {EN_MONTHS[tuesday.month - 1]} at 15:00"
        assert f"I can book a test drive of the Aurora GT {on_tuesday}" in text
        _, text = await say(app, fresh, again, "yes", runtime=restarted)
        assert "Done! Your test drive of the Aurora GT is booked" in text


async def test_out_of_scope_is_not_guessed_and_a_human_is_offered(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    conversation = await start(app, db)
    turn, text = await say(app, db, conversation, "What will the weather be like on Mars?")
    assert turn.citations == []
    assert "can't answer that from what I know" in text
    turn, text = await say(app, db, conversation, "Who won the football match yesterday?")
    assert turn.citations == []
    assert "Shall I put you in touch with an advisor?" in text
    _, text = await say(app, db, conversation, "yes please")
    assert "passing you to an advisor" in text
    await db.refresh(conversation)
    assert conversation.state == "queued"
    assert len(conversation.handoff_summary["tried"]) == 2


async def test_every_answer_comes_from_the_brand_content(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    patterns = content_patterns(services_of(app).bot.content(BRAND))
    conversation = await start(app, db)
    for message in [
        "hello",
        "how far does the GT go in winter?",
        "combien coûte l'E1 ?",
        "avete un parcheggio?",
        "tell me a joke about cats",
        "do you take my old car in part exchange",
        "quanto tempo serve per ricaricare",
        "thanks, bye",
    ]:
        _, text = await say(app, db, conversation, message)
        for line in text.split("\n"):
            assert any(p.match(line) for p in patterns), line


async def _bot_turn_after_a_take_over(
    app: FastAPI, db: AsyncSession, *, session_id: str, text: str
) -> tuple[str, bool, set[str]]:
    """The bot's turn reads the conversation while it is still the bot's; before the turn
    writes, a supervisor takes the conversation over. The turn must be refused with
    `changed_meanwhile`; returns the conversation's state afterwards, whether the
    supervisor is its advisor, and the kinds of authors of its messages."""
    await setup_brand(db)
    bus = services_of(app).bus
    sam = await make_advisor(db, email="sam@example.com", roles=["supervisor"])
    conversation = await start(app, db, session_id=session_id)
    sessions = services_of(app).sessions
    async with sessions() as bot_side:
        seen = await conversations.get(bot_side, conversation_id=conversation.id)
        assert seen is not None and seen.state == "bot"
        async with transaction(sessions) as console:
            await conversations.request_handoff(
                console,
                bus=bus,
                conversation_id=conversation.id,
                actor=Actor.of(sam),
                reason="taken over",
            )
        async with transaction(sessions) as console:
            await routing.accept(console, bus=bus, principal=sam, conversation_id=conversation.id)
        with pytest.raises(Conflict) as refused:
            await bot.reply(
                bot_side,
                bus=bus,
                runtime=services_of(app).bot,
                conversation_id=conversation.id,
                text=text,
                now=NOW,
            )
        assert refused.value.code == "changed_meanwhile"
        await bot_side.rollback()
    await settle(app)
    async with sessions() as fresh:
        stored = await fresh.get(Conversation, conversation.id)
        assert stored is not None
        authors = (
            await fresh.execute(
                select(Message.author_kind).where(Message.conversation_id == conversation.id)
            )
        ).scalars()
        return stored.state, stored.assigned_agent_id == sam.user_id, set(authors)


async def test_a_handoff_decided_before_a_supervisor_took_over_writes_nothing(
    app: FastAPI, db: AsyncSession
) -> None:
    """The supervisor keeps the conversation: the bot's turn ends without a handoff, a
    queue entry or a message ("passing you to an advisor" or "I could not hand you
    over") and is rolled back."""
    state, supervisor_has_it, authors = await _bot_turn_after_a_take_over(
        app, db, session_id="guest-taken-over", text="I want to talk to a person"
    )
    assert (state, supervisor_has_it) == ("assigned", True)
    assert "bot" not in authors


async def test_an_answer_decided_before_a_supervisor_took_over_is_not_posted(
    app: FastAPI, db: AsyncSession
) -> None:
    """Not a handoff this time: a plain answer, refused in the statement that would have
    posted it; the advisor's conversation holds no bot message."""
    _, _, authors = await _bot_turn_after_a_take_over(
        app, db, session_id="guest-answer-late", text="what are your opening hours?"
    )
    assert "bot" not in authors
