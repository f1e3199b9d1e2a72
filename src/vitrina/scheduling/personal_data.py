"""What scheduling holds about a person, for the access export, erasure and retention.

Appointments name their customer by `customer_ref` (the privacy subject, such as
`guest:<session id>`) and carry a name, an email address and notes. Erasure cancels the
person's upcoming appointments (their resources become free again, no mail goes out)
and blanks every personal field; past appointments stay as anonymous agenda history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core import sealing
from vitrina.core.db import new_id, utcnow
from vitrina.crm import verification
from vitrina.privacy.registry import (
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
)
from vitrina.scheduling.models import (
    Allocation,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Notification,
)

RETENTION_DAYS = 2 * 365


# An appointment of a known customer is sealed under them (a profile belongs to one brand);
# one booked by a guest or by email address only, under a key of its own (a guest session
# may book at several brands), which the guest's erasure destroys with theirs.
def _of_appointment(_rows: sealing.Rows, a: Appointment) -> str:
    if a.customer_ref.startswith("customer:"):
        return a.customer_ref
    return f"appointment:{a.id}"


def _blind_email_ref(a: Appointment, blind: Callable[[str], str]) -> None:
    """A booking by email address made before sealing named the address in clear."""
    kind, _, value = a.customer_ref.partition(":")
    if kind == "email" and "@" in value:
        a.customer_ref = "email:" + blind(value.lower())


sealing.seal_columns(
    Appointment,
    "customer_name",
    "customer_email",
    "notes",
    "cancel_reason",
    subject=_of_appointment,
    rewrite=_blind_email_ref,
)
sealing.seal_columns(
    Notification,
    "last_error",
    subject=lambda rows, n: rows.sealed_for(Appointment, n.appointment_id),
)
sealing.not_personal(
    "scheduling_resource", name="a demo car, a room or an advisor of the brand (staff)"
)
sealing.not_personal(
    "scheduling_appointment_type",
    name="the brand's appointment type",
    description="the brand's appointment type",
)
sealing.not_personal(
    "scheduling_appointment",
    customer_ref="a subject reference; an email-only booking stores a blind index",
)


async def _sealed_subjects(db: AsyncSession, req: DataRequest) -> set[str]:
    slug = await _brand_slug(db, req.brand_id)
    if slug is None:
        return set()
    return await sealing.subjects_sealing(
        db, Appointment, Appointment.brand_slug == slug, await _whose(db, req)
    )


async def _brand_slug(db: AsyncSession, brand_id: str) -> str | None:
    return next((b.slug for b in await brands.list_brands(db) if b.id == brand_id), None)


async def _whose(db: AsyncSession, req: DataRequest) -> ColumnElement[bool]:
    """The subject's appointments: booked for the subject itself, by its guest session, or
    (for a customer) by a guest session that proved to be the customer."""
    kind, _, value = req.subject.partition(":")
    conditions = [Appointment.customer_ref == req.subject]
    sessions = [value] if kind == "guest" else []
    if kind == "customer":
        sessions = await verification.sessions_of(db, customer_ids=[value], brand_id=req.brand_id)
    if sessions:
        conditions.append(Appointment.guest_session_id.in_(sessions))
    return or_(*conditions)


async def _export(db: AsyncSession, req: DataRequest) -> list[Row]:
    slug = await _brand_slug(db, req.brand_id)
    if slug is None:
        return []
    rows = await db.execute(
        select(Appointment, AppointmentType.name)
        .join(AppointmentType, AppointmentType.id == Appointment.type_id)
        .where(Appointment.brand_slug == slug, await _whose(db, req))
        .order_by(Appointment.start_at)
    )
    return [
        {
            "appointment": a.id,
            "type": type_name,
            "start": a.start_at,
            "end": a.end_at,
            "status": a.status,
            "name": a.customer_name,
            "email": a.customer_email,
            "notes": a.notes,
            "product": a.product,
            "booked_at": a.created_at,
        }
        for a, type_name in rows
    ]


async def _erase(db: AsyncSession, req: DataRequest) -> int:
    slug = await _brand_slug(db, req.brand_id)
    if slug is None:
        return 0
    ids = list(
        (
            await db.execute(
                select(Appointment.id).where(
                    Appointment.brand_slug == slug,
                    await _whose(db, req),
                )
            )
        ).scalars()
    )
    if not ids:
        return 0
    now = utcnow()
    upcoming = (
        Appointment.id.in_(ids),
        Appointment.end_at > now,
        Appointment.status.in_([AppointmentStatus.HELD, AppointmentStatus.CONFIRMED]),
    )
    cancelled = select(Appointment.id).where(*upcoming)
    await db.execute(
        update(Allocation)
        .where(Allocation.appointment_id.in_(cancelled))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Appointment)
        .where(*upcoming)
        .values(status=AppointmentStatus.CANCELLED, cancelled_at=now, cancel_reason="erased")
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Notification)
        .where(Notification.appointment_id.in_(ids), Notification.sent_at.is_(None))
        .values(obsolete=True)
        .execution_options(synchronize_session=False)
    )
    for appointment_id in ids:
        await db.execute(
            update(Appointment)
            .where(Appointment.id == appointment_id)
            .values(
                customer_ref=f"erased:{new_id()}",
                customer_email=None,
                customer_name="",
                guest_session_id=None,
                notes="",
                product="",
                idempotency_key=None,
                request_fingerprint=None,
                sealed_for=sealing.ERASED,
            )
            .execution_options(synchronize_session=False)
        )
    return len(ids)


async def _purge(db: AsyncSession, cutoff: datetime) -> int:
    old = select(Appointment.id).where(Appointment.end_at < cutoff)
    await db.execute(delete(Notification).where(Notification.appointment_id.in_(old)))
    await db.execute(delete(Allocation).where(Allocation.appointment_id.in_(old)))
    result = await db.execute(delete(Appointment).where(Appointment.end_at < cutoff))
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="scheduling.appointments",
        tables=["scheduling_appointment"],
        # A customer's bookings made as a guest are found through the verifications.
        erase_before=("identity.verification",),
        export=_export,
        erase=_erase,
        sealed_subjects=_sealed_subjects,
        retention=[RetentionRule(kind="appointments", days=RETENTION_DAYS, purge=_purge)],
        description="Appointments booked for the person: type, time, status, name, email, notes.",
    )
)
