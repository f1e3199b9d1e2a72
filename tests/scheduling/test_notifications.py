"""Confirmation, change, cancellation and reminder mails over real SMTP, with .ics files
that the icalendar parser reads back with the right instants; each mail sent once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import BRAND, Shop, build_shop, next_weekday, paris
from tests.smtp import SmtpCapture
from vitrina.app import create_app
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.mailer import create_mailer
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Notification
from vitrina.scheduling.worker import NotificationWorker
from vitrina.services import services_of


def invite_of(message: EmailMessage) -> icalendar.Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def event_of(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = calendar.walk("VEVENT")
    assert isinstance(event, icalendar.Event)
    return event


async def book(app: FastAPI, start: datetime, *, locale: str = "en") -> str:
    async with transaction(services_of(app).sessions) as db:
        appointment = await scheduling.book(
            db,
            brand_slug=BRAND,
            type_slug="advice",
            start=start,
            customer=scheduling.Customer(email="lea@example.org", name="Léa", locale=locale),
            bus=services_of(app).bus,
        )
        return appointment.id


async def settle(app: FastAPI) -> None:
    """Wait until the app's own worker has sent and recorded every mail due by now."""
    for _ in range(250):
        async with services_of(app).sessions() as db:
            pending = (
                await db.execute(
                    select(Notification.id).where(
                        Notification.sent_at.is_(None),
                        Notification.obsolete.is_(False),
                        Notification.due_at <= datetime.now(UTC),
                    )
                )
            ).all()
        if not pending:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the worker did not send the due mails")


async def test_confirmation_move_and_cancel_mails_carry_one_event(
    app: FastAPI, shop: Shop, smtp_server: SmtpCapture
) -> None:
    day = next_weekday(0)
    appointment_id = await book(app, paris(day, 10))

    confirmed = await smtp_server.wait_for(lambda m: m["Subject"].startswith("Confirmed: Advice"))
    assert confirmed["To"] == "lea@example.org"
    assert f"{day.isoformat()} 10:00" in confirmed["Subject"]
    calendar = invite_of(confirmed)
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    event = event_of(calendar)
    uid = str(event["UID"])
    assert event.start == paris(day, 10)
    assert event.start.astimezone(UTC) == paris(day, 10).astimezone(UTC)
    assert event.end - event.start == timedelta(minutes=30)
    assert event["SEQUENCE"] == 0
    assert "Ava" in str(event["DESCRIPTION"])

    async with transaction(services_of(app).sessions) as db:
        await scheduling.reschedule(
            db, appointment_id=appointment_id, start=paris(day, 15), bus=services_of(app).bus
        )
    moved = await smtp_server.wait_for(lambda m: m["Subject"].startswith("Moved: Advice"))
    moved_event = event_of(invite_of(moved))
    assert str(moved_event["UID"]) == uid
    assert moved_event["SEQUENCE"] == 1
    assert moved_event.start == paris(day, 15)

    async with transaction(services_of(app).sessions) as db:
        await scheduling.cancel(db, appointment_id=appointment_id, bus=services_of(app).bus)
    cancelled = await smtp_server.wait_for(lambda m: m["Subject"].startswith("Cancelled"))
    cancel_calendar = invite_of(cancelled)
    assert cancel_calendar["METHOD"] == "CANCEL"
    cancel_event = event_of(cancel_calendar)
    assert str(cancel_event["UID"]) == uid
    assert cancel_event["SEQUENCE"] == 2
    assert cancel_event["STATUS"] == "CANCELLED"
    await asyncio.sleep(0.5)
    assert len(smtp_server.messages) == 3


async def test_mails_speak_the_customers_language(
    app: FastAPI, shop: Shop, smtp_server: SmtpCapture
) -> None:
    day = next_weekday(1)
    await book(app, paris(day, 11), locale="fr")
    mail = await smtp_server.wait_for(lambda m: m["Subject"].startswith("Confirmé"))
    assert "Quand : " in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def due_reminder(db: AsyncSession, appointment_id: str) -> Notification:
    found = (
        await db.execute(
            select(Notification).where(
                Notification.appointment_id == appointment_id, Notification.kind == "reminder"
            )
        )
    ).scalar_one()
    return found


def worker_for(app: FastAPI, settings: Settings) -> NotificationWorker:
    return NotificationWorker(
        sessions=services_of(app).sessions,
        mailer=create_mailer(settings),
        sender=settings.mail_from,
    )


async def test_two_workers_send_a_due_reminder_once(
    app: FastAPI, db: AsyncSession, shop: Shop, smtp_server: SmtpCapture, settings: Settings
) -> None:
    appointment_id = await book(app, paris(next_weekday(2), 9))
    await settle(app)
    reminder = await due_reminder(db, appointment_id)
    at = reminder.due_at + timedelta(minutes=1)

    sent = await asyncio.gather(*(worker_for(app, settings).run_once(now=at) for _ in range(4)))

    assert sum(sent) == 1
    mail = await smtp_server.wait_for(lambda m: m["Subject"].startswith("Reminder: Advice"))
    assert event_of(invite_of(mail))["SEQUENCE"] == 0
    assert await worker_for(app, settings).run_once(now=at + timedelta(hours=1)) == 0
    reminders = [m for m in smtp_server.messages if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 1


async def test_reminders_survive_a_restart_and_a_crashed_worker(
    settings: Settings, smtp_server: SmtpCapture
) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        async with services_of(first).sessions() as db:
            await build_shop(db)
        day = next_weekday(3)
        kept = await book(first, paris(day, 9))
        crashed = await book(first, paris(day, 9, 30))
        await settle(first)
        async with services_of(first).sessions() as db:
            kept_due = (await due_reminder(db, kept)).due_at
            crashed_due = (await due_reminder(db, crashed)).due_at
        assert await worker_for(first, settings).run_once(now=kept_due + timedelta(seconds=1)) == 1
        # A worker claimed the second reminder and died before sending it.
        async with transaction(services_of(first).sessions) as db:
            await db.execute(
                update(Notification)
                .where(Notification.appointment_id == crashed, Notification.kind == "reminder")
                .values(claimed_at=crashed_due, claim_token="dead-worker", attempts=1)
            )

    second = create_app(settings)
    async with second.router.lifespan_context(second):
        worker = worker_for(second, settings)
        assert await worker.run_once(now=crashed_due + timedelta(minutes=1)) == 0
        assert await worker.run_once(now=crashed_due + timedelta(minutes=6)) == 1
        assert await worker.run_once(now=crashed_due + timedelta(minutes=30)) == 0
    reminders = [m for m in smtp_server.messages if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 2


@pytest.fixture
def unreachable_relay(settings: Settings) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1})


async def test_a_relay_outage_is_retried_later(
    app: FastAPI,
    db: AsyncSession,
    shop: Shop,
    smtp_server: SmtpCapture,
    unreachable_relay: Settings,
) -> None:
    appointment_id = await book(app, paris(next_weekday(4), 12))
    await settle(app)
    reminder = await due_reminder(db, appointment_id)
    at = reminder.due_at + timedelta(seconds=1)
    broken = worker_for(app, unreachable_relay)
    assert await broken.run_once(now=at) == 0
    async with services_of(app).sessions() as fresh:
        failed = await due_reminder(fresh, appointment_id)
        assert failed.sent_at is None and "cannot reach" in failed.last_error
        assert failed.due_at == at + timedelta(minutes=1)
    healthy = worker_for(app, unreachable_relay.model_copy(update={"smtp_port": smtp_server.port}))
    assert await healthy.run_once(now=at + timedelta(seconds=30)) == 0
    assert await healthy.run_once(now=at + timedelta(minutes=2)) == 1
