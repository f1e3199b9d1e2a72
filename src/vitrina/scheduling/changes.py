"""Changing an appointment after it exists: confirming a hold, moving it, cancelling it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import utcnow
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.scheduling import notifications
from vitrina.scheduling.booking import allocate, decide, publish, type_of
from vitrina.scheduling.errors import SchedulingErrorCode
from vitrina.scheduling.events import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
)
from vitrina.scheduling.hours import resolve_local, zone
from vitrina.scheduling.models import Allocation, Appointment, AppointmentStatus
from vitrina.scheduling.views import get_or_raise


async def confirm(
    db: AsyncSession,
    *,
    appointment_id: str,
    actor: Principal | None = None,
    bus: EventBus | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Turn a hold into a booking, if it has not expired. Confirming twice is harmless."""
    now = now or utcnow()
    appointment = await get_or_raise(db, appointment_id=appointment_id, actor=actor)
    if appointment.status == AppointmentStatus.CONFIRMED:
        return appointment
    held_until = appointment.hold_expires_at
    if appointment.status != AppointmentStatus.HELD or held_until is None or held_until <= now:
        raise Conflict(
            "This hold has expired; search for a slot again.",
            code=SchedulingErrorCode.HOLD_EXPIRED,
        )
    appointment.status = AppointmentStatus.CONFIRMED
    appointment.hold_expires_at = None
    await db.execute(
        update(Allocation)
        .where(Allocation.appointment_id == appointment.id)
        .values(expires_at=None)
        .execution_options(synchronize_session=False)
    )
    await db.flush()
    appointment_type = await type_of(db, appointment)
    await notifications.on_confirmed(
        db, appointment=appointment, appointment_type=appointment_type, now=now
    )
    await publish(db, bus, AppointmentBooked, appointment, appointment_type)
    return appointment


async def reschedule(
    db: AsyncSession,
    *,
    appointment_id: str,
    start: datetime,
    resource_ids: list[str] | None = None,
    idempotency_key: str | None = None,
    actor: Principal | None = None,
    bus: EventBus | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a confirmed appointment; the .ics UID stays, SEQUENCE grows."""
    now = now or utcnow()
    appointment = await get_or_raise(db, appointment_id=appointment_id, actor=actor)
    if idempotency_key is not None and appointment.last_change_key == idempotency_key:
        return appointment
    if appointment.status != AppointmentStatus.CONFIRMED:
        raise Conflict(
            f"A {appointment.status} appointment cannot be moved.",
            code=SchedulingErrorCode.INVALID_STATE,
        )
    appointment_type = await type_of(db, appointment)
    start = resolve_local(start, zone(appointment_type.timezone))
    chosen, p = await decide(
        db,
        appointment_type=appointment_type,
        start=start,
        now=now,
        resource_ids=resource_ids,
        ignore_appointment_id=appointment.id,
    )
    previous_start = appointment.start_at
    await db.execute(
        update(Allocation)
        .where(Allocation.appointment_id == appointment.id, Allocation.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    appointment.start_at = start
    appointment.end_at = start + p.duration
    appointment.sequence += 1
    appointment.last_change_key = idempotency_key
    await allocate(
        db,
        appointment=appointment,
        plan=p,
        resource_ids=chosen,
        pinned=resource_ids,
        expires_at=None,
        now=now,
    )
    await notifications.on_rescheduled(
        db, appointment=appointment, appointment_type=appointment_type, now=now
    )
    await publish(
        db,
        bus,
        AppointmentRescheduled,
        appointment,
        appointment_type,
        previous_start=previous_start,
    )
    return appointment


async def cancel(
    db: AsyncSession,
    *,
    appointment_id: str,
    reason: str = "",
    actor: Principal | None = None,
    bus: EventBus | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a hold or a booking and free its resources; cancelling twice is harmless."""
    now = now or utcnow()
    appointment = await get_or_raise(db, appointment_id=appointment_id, actor=actor)
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.EXPIRED):
        return appointment
    was_confirmed = appointment.status == AppointmentStatus.CONFIRMED
    await db.execute(
        update(Allocation)
        .where(Allocation.appointment_id == appointment.id, Allocation.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.cancel_reason = reason
    appointment.hold_expires_at = None
    if was_confirmed:
        appointment.sequence += 1
    await db.flush()
    appointment_type = await type_of(db, appointment)
    if was_confirmed:
        await notifications.on_cancelled(db, appointment=appointment, now=now)
    await publish(db, bus, AppointmentCancelled, appointment, appointment_type, reason=reason)
    return appointment
