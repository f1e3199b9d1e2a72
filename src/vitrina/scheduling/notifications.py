"""Mails about appointments, queued in the same transaction as the change they announce.

Rows of `scheduling_notification` form an outbox: a booking and its confirmation mail
commit together or not at all, and the worker (worker.py) sends what is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.scheduling.hours import zone
from vitrina.scheduling.ics import build_ics
from vitrina.scheduling.models import (
    Appointment,
    AppointmentType,
    Notification,
    NotificationKind,
)

_SUBJECTS = {
    "en": {
        NotificationKind.CONFIRMATION: "Confirmed: {type} on {when}",
        NotificationKind.UPDATE: "Moved: {type} now on {when}",
        NotificationKind.CANCELLATION: "Cancelled: {type} on {when}",
        NotificationKind.REMINDER: "Reminder: {type} on {when}",
    },
    "fr": {
        NotificationKind.CONFIRMATION: "Confirmé : {type} le {when}",
        NotificationKind.UPDATE: "Déplacé : {type} désormais le {when}",
        NotificationKind.CANCELLATION: "Annulé : {type} le {when}",
        NotificationKind.REMINDER: "Rappel : {type} le {when}",
    },
    "it": {
        NotificationKind.CONFIRMATION: "Confermato: {type} il {when}",
        NotificationKind.UPDATE: "Spostato: {type} ora il {when}",
        NotificationKind.CANCELLATION: "Annullato: {type} il {when}",
        NotificationKind.REMINDER: "Promemoria: {type} il {when}",
    },
}
_BODY = {
    "en": "{type} with {brand}\nWhen: {when} ({tz})\nWhere: {where}\n\nThe invitation is attached.",
    "fr": "{type} avec {brand}\nQuand : {when} ({tz})\nOù : {where}\n\nL'invitation est jointe.",
    "it": "{type} con {brand}\nQuando: {when} ({tz})\nDove: {where}\n\nL'invito è allegato.",
}


def _queue(
    db: AsyncSession, appointment: Appointment, kind: NotificationKind, due: datetime
) -> None:
    if appointment.customer_email:
        db.add(
            Notification(
                appointment_id=appointment.id,
                kind=kind,
                sequence=appointment.sequence,
                due_at=due,
                attempts=0,
                last_error="",
                obsolete=False,
            )
        )


async def _retire_reminders(db: AsyncSession, appointment: Appointment) -> None:
    await db.execute(
        update(Notification)
        .where(
            Notification.appointment_id == appointment.id,
            Notification.kind == NotificationKind.REMINDER,
            Notification.sent_at.is_(None),
        )
        .values(obsolete=True)
        .execution_options(synchronize_session=False)
    )


def _queue_reminder(
    db: AsyncSession, appointment: Appointment, appointment_type: AppointmentType, now: datetime
) -> None:
    if appointment_type.reminder_before_min <= 0:
        return
    due = appointment.start_at - timedelta(minutes=appointment_type.reminder_before_min)
    # Booked inside the reminder window: the confirmation already serves as the reminder.
    if due > now:
        _queue(db, appointment, NotificationKind.REMINDER, due)


def queue_confirmed(
    db: AsyncSession, *, appointment: Appointment, appointment_type: AppointmentType, now: datetime
) -> None:
    """Queue the confirmation and the reminder; they reach the database with the next
    flush (the appointment's id must be set)."""
    _queue(db, appointment, NotificationKind.CONFIRMATION, now)
    _queue_reminder(db, appointment, appointment_type, now)


async def on_confirmed(
    db: AsyncSession, *, appointment: Appointment, appointment_type: AppointmentType, now: datetime
) -> None:
    queue_confirmed(db, appointment=appointment, appointment_type=appointment_type, now=now)
    await db.flush()


async def on_rescheduled(
    db: AsyncSession, *, appointment: Appointment, appointment_type: AppointmentType, now: datetime
) -> None:
    await _retire_reminders(db, appointment)
    _queue(db, appointment, NotificationKind.UPDATE, now)
    _queue_reminder(db, appointment, appointment_type, now)
    await db.flush()


async def on_cancelled(db: AsyncSession, *, appointment: Appointment, now: datetime) -> None:
    await _retire_reminders(db, appointment)
    _queue(db, appointment, NotificationKind.CANCELLATION, now)
    await db.flush()


def compose(
    *,
    notification: Notification,
    appointment: Appointment,
    appointment_type: AppointmentType,
    resource_names: list[str],
    brand_name: str,
    sender: str,
    now: datetime,
) -> EmailMessage:
    """The mail for one notification, with the .ics invitation attached."""
    assert appointment.customer_email is not None
    locale = appointment.locale if appointment.locale in _SUBJECTS else "en"
    tz = zone(appointment_type.timezone)
    when = appointment.start_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    kind = NotificationKind(notification.kind)
    fields = {
        "type": appointment_type.name,
        "brand": brand_name,
        "when": when,
        "tz": tz.key,
        "where": appointment_type.location or "-",
    }
    message = EmailMessage()
    message["From"] = sender
    message["To"] = appointment.customer_email
    message["Subject"] = _SUBJECTS[locale][kind].format(**fields)
    # One Message-ID per notification: a relay or mail client can drop a duplicate.
    message["Message-ID"] = make_msgid(idstring=f"{notification.id}", domain="vitrina")
    message.set_content(_BODY[locale].format(**fields))
    ics = build_ics(
        appointment=appointment,
        appointment_type=appointment_type,
        resource_names=resource_names,
        organizer=sender,
        brand_name=brand_name,
        now=now,
    )
    method = "CANCEL" if kind == NotificationKind.CANCELLATION else "REQUEST"
    message.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
        params={"method": method},
    )
    return message
