"""Moving and cancelling an appointment through the bot: in the three languages, with
relative dates, digressions and a change of mind, and only for whoever may."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import (
    BRAND,
    EN_MONTHS,
    FR_MONTHS,
    NOW,
    day_after_now,
    say,
    setup_brand,
    start,
    verify,
)
from vitrina.conversations.models import Conversation
from vitrina.crm.demo import DEMO_EMAIL, seed_demo_customer
from vitrina.scheduling import service as scheduling

PARIS = ZoneInfo("Europe/Paris")
IT_MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
             "settembre", "ottobre", "novembre", "dicembre"]  # fmt: skip


async def _only_appointment(db: AsyncSession, session_id: str) -> scheduling.Appointment:
    booked = await scheduling.list_for_customer(
        db, guest_session_id=session_id, brand_slug=BRAND, now=NOW
    )
    assert len(booked) == 1
    await db.refresh(booked[0])
    return booked[0]


async def _book(app: FastAPI, db: AsyncSession, conversation: Conversation, text: str) -> None:
    """Book a test drive through the bot, as the customer would."""
    await say(app, db, conversation, text)
    await say(app, db, conversation, {"fr": "oui", "it": "sì"}.get(conversation.locale, "yes"))


def _local(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


async def test_reschedule_in_english_to_tomorrow_at_3pm(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    conversation = await start(app, db, session_id="guest-move-en")
    await _book(app, db, conversation, "Book a test drive of the GT on Friday afternoon")
    booked = await _only_appointment(db, "guest-move-en")
    before = _local(booked.start_at)
    assert before.weekday() == 4
    assert 14 <= before.hour < 18, "the afternoon is not booked at noon"

    _, text = await say(app, db, conversation, "Can I move my test drive to tomorrow at 3pm?")
    tuesday = day_after_now(1)
    new = f"Tuesday {tuesday.day} {EN_MONTHS[tuesday.month - 1]} at 15:00"
    assert f"I can move your appointment from Friday {before.day} " in text
    assert f"to {new}. Shall I confirm?" in text
    # Nothing moves before the customer says yes.
    assert _local((await _only_appointment(db, "guest-move-en")).start_at) == before

    _, text = await say(app, db, conversation, "yes")
    assert f"Done! Your appointment is now on {new}." in text
    moved = await _only_appointment(db, "guest-move-en")
    assert moved.status == "confirmed" and moved.sequence == 1
    assert (_local(moved.start_at).weekday(), _local(moved.start_at).hour) == (1, 15)


async def test_cancel_in_french_after_confirmation(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    conversation = await start(app, db, locale="fr", session_id="guest-cancel-fr")
    await _book(app, db, conversation, "Je voudrais essayer la GT vendredi après-midi")
    booked = await _only_appointment(db, "guest-cancel-fr")
    friday = _local(booked.start_at)
    on_friday = f"vendredi {friday.day} {FR_MONTHS[friday.month - 1]} à {friday:%H:%M}"

    _, text = await say(app, db, conversation, "Je veux annuler mon rendez-vous")
    assert f"Dois-je annuler votre rendez-vous du {on_friday} ?" in text
    assert (await _only_appointment(db, "guest-cancel-fr")).status == "confirmed"
    _, text = await say(app, db, conversation, "oui")
    assert f"C'est fait, votre rendez-vous du {on_friday} est annulé." in text
    assert (await _only_appointment(db, "guest-cancel-fr")).status == "cancelled"


async def test_reschedule_in_italian_with_a_digression(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    conversation = await start(app, db, locale="it", session_id="guest-move-it")
    await _book(app, db, conversation, "Vorrei provare la E1 venerdì pomeriggio")
    friday = _local((await _only_appointment(db, "guest-move-it")).start_at)

    _, text = await say(app, db, conversation, "Vorrei spostare il mio test drive")
    assert f"Il tuo appuntamento è il venerdì {friday.day} {IT_MONTHS[friday.month - 1]}" in text
    assert "A quando vorresti spostarlo?" in text
    turn, text = await say(app, db, conversation, "a che ora chiudete?")
    assert turn.citations == ["opening-hours"]
    assert text.endswith(
        'A quando vorresti spostarlo? Per esempio "venerdì pomeriggio" o "domani alle 10".'
    )
    assert "Torniamo a dove eravamo." in text

    _, text = await say(app, db, conversation, "dopodomani alle 11")
    wednesday = day_after_now(2)
    new = f"mercoledì {wednesday.day} {IT_MONTHS[wednesday.month - 1]} alle 11:00"
    assert f"a {new}. Confermo?" in text
    _, text = await say(app, db, conversation, "sì")
    assert f"Fatto! Il tuo appuntamento ora è il {new}." in text
    moved = _local((await _only_appointment(db, "guest-move-it")).start_at)
    assert (moved.weekday(), moved.hour) == (2, 11)


async def test_a_change_of_mind_mid_flow_leaves_the_appointment(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    conversation = await start(app, db, session_id="guest-mind")
    await _book(app, db, conversation, "Book a test drive of the E1 on Friday afternoon")
    before = await _only_appointment(db, "guest-mind")
    start_at = before.start_at

    _, text = await say(app, db, conversation, "I need to reschedule my test drive")
    assert "When would you like to move it to?" in text
    _, text = await say(app, db, conversation, "never mind")
    assert "I've cancelled that" in text
    # "Cancel" here ended the conversation's task, not the appointment.
    _, text = await say(app, db, conversation, "please cancel my booking")
    assert "Shall I cancel your appointment on Friday" in text
    _, text = await say(app, db, conversation, "no")
    assert "I've cancelled that" in text
    after = await _only_appointment(db, "guest-mind")
    assert (after.status, after.start_at, after.sequence) == ("confirmed", start_at, 0)


async def test_only_the_booking_conversation_or_a_verified_customer_may_change_it(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    booking = await start(app, db, session_id="guest-owner")
    await _book(app, db, booking, "Book a test drive of the GT on Friday afternoon")
    # Someone else, and even another conversation of the same browser session, is
    # asked to prove who they are and cannot cancel it.
    for session_id in ("guest-stranger", "guest-owner"):
        other = await start(app, db, session_id=session_id)
        _, text = await say(app, db, other, "cancel my test drive")
        assert "To change an appointment I first need to be sure it's you" in text
        _, text = await say(app, db, other, "yes")
        assert "Done" not in text
    assert (await _only_appointment(db, "guest-owner")).status == "confirmed"


async def test_a_verified_customer_cancels_an_appointment_booked_elsewhere(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    await seed_demo_customer(db)
    # Booked on the website with the customer's e-mail address, not through the bot.
    slot = (
        await scheduling.find_slots(
            db, brand_slug=BRAND, type_slug="test-drive", start=day_after_now(3), limit=1, now=NOW
        )
    ).slots[0]
    appointment = await scheduling.book(
        db,
        brand_slug=BRAND,
        type_slug="test-drive",
        start=slot.start,
        customer=scheduling.Customer(email=DEMO_EMAIL, name="Giulia"),
        now=NOW,
    )
    await db.commit()
    conversation = await start(app, db, session_id="guest-giulia")
    _, text = await say(app, db, conversation, "I want to cancel my appointment")
    assert "To change an appointment I first need to be sure it's you" in text

    await verify(db, "guest-giulia")
    _, text = await say(app, db, conversation, "done, I verified")
    local = _local(appointment.start_at)
    assert f"Shall I cancel your appointment on Thursday {local.day} " in text
    _, text = await say(app, db, conversation, "yes")
    assert "is cancelled" in text
    await db.refresh(appointment)
    assert appointment.status == "cancelled"


async def test_without_an_appointment_the_bot_says_so(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    await seed_demo_customer(db)
    await verify(db, "guest-nothing")
    conversation = await start(app, db, session_id="guest-nothing")
    _, text = await say(app, db, conversation, "can I move my appointment")
    assert "I can't find an upcoming appointment of yours" in text
