"""Reading appointments: one, a customer's, a brand's day; with who may see what."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core import sealing
from vitrina.core.db import utcnow
from vitrina.core.errors import NotFound
from vitrina.core.security import Principal
from vitrina.scheduling.access import check_brand, may_serve
from vitrina.scheduling.errors import SchedulingErrorCode
from vitrina.scheduling.hours import zone
from vitrina.scheduling.ics import build_ics
from vitrina.scheduling.models import (
    Allocation,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Resource,
)
from vitrina.scheduling.schemas import AllocatedResource, AppointmentRead


def may_see(actor: Principal | None, appointment: Appointment) -> bool:
    if actor is None:
        return True
    if actor.kind == "guest":
        return appointment.guest_session_id == actor.session_id
    return may_serve(actor, appointment.brand_slug)


def effective_status(appointment: Appointment, now: datetime | None = None) -> str:
    """A hold past its expiry is expired even before the sweep has written it down."""
    expires = appointment.hold_expires_at
    if appointment.status == AppointmentStatus.HELD and expires and expires <= (now or utcnow()):
        return AppointmentStatus.EXPIRED
    return appointment.status


async def get_or_raise(
    db: AsyncSession, *, appointment_id: str, actor: Principal | None = None
) -> Appointment:
    appointment = await db.get(Appointment, appointment_id)
    if appointment is None or not may_see(actor, appointment):
        raise NotFound(
            f"No appointment {appointment_id!r}.", code=SchedulingErrorCode.APPOINTMENT_NOT_FOUND
        )
    return appointment


async def stored_ref(db: AsyncSession, ref: str) -> str:
    """`customer_ref` as stored: an `email:<address>` reference is indexed in clear, so it
    is kept as the address's blind index (`email:<keyed hash>`)."""
    kind, _, value = ref.partition(":")
    if kind == "email" and "@" in value:
        return "email:" + await sealing.blind(db, value.lower())
    return ref


async def list_for_customer(
    db: AsyncSession,
    *,
    customer_ref: str | None = None,
    guest_session_id: str | None = None,
    brand_slug: str | None = None,
    include_past: bool = False,
    now: datetime | None = None,
) -> list[Appointment]:
    """A customer's held and booked appointments (cancelled ones too), soonest first."""
    if customer_ref is None and guest_session_id is None:
        return []
    who = []
    if customer_ref is not None:
        who.append(Appointment.customer_ref == await stored_ref(db, customer_ref))
    if guest_session_id is not None:
        who.append(Appointment.guest_session_id == guest_session_id)
    query = select(Appointment).where(or_(*who))
    if brand_slug is not None:
        query = query.where(Appointment.brand_slug == brand_slug)
    if not include_past:
        query = query.where(Appointment.end_at > (now or utcnow()))
    return list((await db.execute(query.order_by(Appointment.start_at))).scalars())


async def agenda(
    db: AsyncSession, *, brand_slug: str, day: date, actor: Principal | None = None
) -> tuple[str, list[Appointment]]:
    """The brand's held and confirmed appointments on a local day (brand time zone)."""
    check_brand(actor, brand_slug)
    brand = await brands.get_by_slug_or_raise(db, slug=brand_slug)
    tz = zone(brand.timezone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    query = (
        select(Appointment)
        .where(
            Appointment.brand_slug == brand_slug,
            Appointment.start_at < end,
            Appointment.end_at > start,
            Appointment.status.in_([AppointmentStatus.CONFIRMED, AppointmentStatus.HELD]),
        )
        .order_by(Appointment.start_at, Appointment.id)
    )
    rows = list((await db.execute(query)).scalars())
    now = utcnow()
    return brand.timezone, [a for a in rows if effective_status(a, now) != "expired"]


async def describe(db: AsyncSession, appointments: Sequence[Appointment]) -> list[AppointmentRead]:
    """Appointments with their type and resources, in two queries whatever their number."""
    if not appointments:
        return []
    ids = [a.id for a in appointments]
    types = {
        t.id: t
        for t in (
            await db.execute(
                select(AppointmentType).where(
                    AppointmentType.id.in_({a.type_id for a in appointments})
                )
            )
        ).scalars()
    }
    resources: dict[str, list[AllocatedResource]] = {}
    rows = await db.execute(
        select(Allocation.appointment_id, Resource.id, Resource.name, Resource.kind)
        .join(Resource, Resource.id == Allocation.resource_id)
        .where(Allocation.appointment_id.in_(ids), Allocation.active.is_(True))
        .order_by(Resource.kind, Resource.name)
    )
    for appointment_id, rid, name, kind in rows:
        resources.setdefault(appointment_id, []).append(
            AllocatedResource(id=rid, name=name, kind=kind)
        )
    now = utcnow()
    out = []
    for a in appointments:
        t = types[a.type_id]
        status = effective_status(a, now)
        out.append(
            AppointmentRead(
                id=a.id,
                brand_slug=a.brand_slug,
                type_slug=t.slug,
                type_name=t.name,
                location=t.location,
                status=status,
                start=a.start_at,
                end=a.end_at,
                timezone=t.timezone,
                local_start=a.start_at.astimezone(zone(t.timezone)).isoformat(),
                hold_expires_at=a.hold_expires_at,
                customer_ref=a.customer_ref,
                customer_name=a.customer_name,
                customer_email=a.customer_email,
                resources=resources.get(a.id, []) if status != "expired" else [],
                ics_uid=a.ics_uid,
                sequence=a.sequence,
                notes=a.notes,
                product=a.product,
            )
        )
    return out


async def invitation(db: AsyncSession, *, appointment: Appointment, organizer: str) -> bytes:
    """The appointment's current state as an .ics file (METHOD:CANCEL once cancelled)."""
    appointment_type = await db.get(AppointmentType, appointment.type_id)
    assert appointment_type is not None
    names = [r.name for r in (await describe(db, [appointment]))[0].resources]
    brand = await brands.get_by_slug(db, slug=appointment.brand_slug)
    return build_ics(
        appointment=appointment,
        appointment_type=appointment_type,
        resource_names=names,
        organizer=organizer,
        brand_name=brand.name if brand else appointment.brand_slug,
        now=utcnow(),
    )
