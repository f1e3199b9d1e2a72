"""Holding, booking, confirming, moving and cancelling appointments.

The availability check here gives good error messages; the guarantee against double
booking is the database's (see models.py): when two requests race for the same
resource, the loser's flush fails and it gets `slot_taken`. After any `AppError` from
these functions the caller's transaction must be rolled back.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import verification
from vitrina.scheduling import notifications
from vitrina.scheduling.catalog import get_type_or_raise
from vitrina.scheduling.errors import SchedulingErrorCode
from vitrina.scheduling.events import (
    AppointmentBooked,
    AppointmentChanged,
)
from vitrina.scheduling.hours import resolve_local, zone
from vitrina.scheduling.models import (
    Allocation,
    Appointment,
    AppointmentStatus,
    AppointmentType,
)
from vitrina.scheduling.search import Plan, explain_slot
from vitrina.scheduling.views import stored_ref

DEFAULT_HOLD_TTL = timedelta(minutes=10)
OVERLAP_GUARD = "scheduling_allocation_no_overlap"
ALLOCATION_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Customer:
    """Who an appointment is for. `ref` defaults to the guest session, else the email."""

    email: str | None = None
    name: str = ""
    locale: str = "en"
    guest_session_id: str | None = None
    ref: str | None = None

    def resolved_ref(self) -> str:
        if self.ref:
            return self.ref
        if self.guest_session_id:
            return f"guest:{self.guest_session_id}"
        if self.email:
            return f"email:{self.email.lower()}"
        raise AppError(
            "An appointment needs a customer: a guest session or an email address.",
            code="customer_required",
        )


class SlotTaken(Conflict):
    """Another booking got the resources first (the database refused the overlap)."""

    def __init__(self, detail: str, **data: Any) -> None:
        super().__init__(detail, code=SchedulingErrorCode.SLOT_TAKEN, **data)


def _customer_for(actor: Principal | None, customer: Customer) -> Customer:
    if actor is not None and actor.kind == "guest":
        # A guest books for their own session, whatever the request says.
        return Customer(
            email=customer.email,
            name=customer.name or actor.display_name,
            locale=customer.locale,
            guest_session_id=actor.session_id,
        )
    return customer


def _fingerprint(**parts: object) -> str:
    raw = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def release_expired_holds(
    db: AsyncSession, *, now: datetime | None = None, resource_ids: list[str] | None = None
) -> int:
    """Free the resources of holds that ran out; returns how many allocations were freed."""
    now = now or utcnow()
    freed = update(Allocation).where(
        Allocation.active.is_(True),
        Allocation.expires_at.is_not(None),
        Allocation.expires_at <= now,
    )
    if resource_ids is not None:
        freed = freed.where(Allocation.resource_id.in_(resource_ids))
    result = await db.execute(
        freed.values(active=False).execution_options(synchronize_session=False)
    )
    if resource_ids is None:
        # The periodic sweep also settles the holds' status; a booking only needs the
        # resources back, and reads treat a held appointment past its expiry as expired.
        await db.execute(
            update(Appointment)
            .where(Appointment.status == AppointmentStatus.HELD, Appointment.hold_expires_at <= now)
            .values(status=AppointmentStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def decide(
    db: AsyncSession,
    *,
    appointment_type: AppointmentType,
    start: datetime,
    now: datetime,
    resource_ids: list[str] | None,
    ignore_appointment_id: str | None = None,
) -> tuple[list[str], Plan]:
    reasons, p = await explain_slot(
        db,
        appointment_type=appointment_type,
        start=start,
        now=now,
        resource_ids=resource_ids,
        ignore_appointment_id=ignore_appointment_id,
    )
    if reasons:
        raise AppError(
            "This slot cannot be booked: " + "; ".join(reasons) + ".",
            code=SchedulingErrorCode.SLOT_UNAVAILABLE,
            status=409,
            reasons=reasons,
        )
    return _choose(p, start), p


def _choose(plan: Plan, start: datetime) -> list[str]:
    chosen: list[str] = []
    for calendars in plan.candidates:
        for cal in calendars:
            if cal.resource.id not in chosen and cal.why_not(start) is None:
                chosen.append(cal.resource.id)
                break
    return chosen


async def allocate(
    db: AsyncSession,
    *,
    appointment: Appointment,
    plan: Plan,
    resource_ids: list[str],
    pinned: list[str] | None,
    expires_at: datetime | None,
    now: datetime,
) -> None:
    """Block the chosen resources for the appointment.

    If a concurrent booking took one of them first, or an expired hold still blocks
    one, the database refuses the insert; expired holds are then released and the
    choice is made again on what is committed now (another advisor may still be free),
    a few times before giving up with `slot_taken`.
    """
    for _ in range(ALLOCATION_ATTEMPTS):
        by_id = {c.resource.id: c.resource for calendars in plan.candidates for c in calendars}
        rows = [
            {
                "id": new_id(),
                "appointment_id": appointment.id,
                "resource_id": resource_id,
                "block_start": appointment.start_at - by_id[resource_id].buffer_before,
                "block_end": appointment.end_at + by_id[resource_id].buffer_after,
                "active": True,
                "expires_at": expires_at,
            }
            for resource_id in resource_ids
        ]
        if await _insert_allocations(db, rows):
            return
        # The search ignores holds past their expiry but the guard still counts them
        # until they are released; or a concurrent booking won. Release, then look again.
        await release_expired_holds(db, now=now, resource_ids=resource_ids)
        reasons, plan = await explain_slot(
            db,
            appointment_type=plan.appointment_type,
            start=appointment.start_at,
            now=now,
            resource_ids=pinned,
            ignore_appointment_id=appointment.id,
        )
        if reasons:
            break
        resource_ids = _choose(plan, appointment.start_at)
    raise SlotTaken(
        "Someone else just booked this slot; pick another one.",
        start=appointment.start_at.isoformat(),
    )


async def _insert_allocations(db: AsyncSession, rows: Sequence[Mapping[str, object]]) -> bool:
    """Insert the allocation rows; False, with none of them kept, when the overlap guard
    refused one.

    On PostgreSQL one statement does it: `ON CONFLICT ON CONSTRAINT ... DO NOTHING` makes
    the exclusion constraint the arbiter (waiting, as usual, for a concurrent transaction
    holding a conflicting row to finish) and the rows it skipped are simply missing from
    RETURNING; the statement leaves nothing half-written, so no savepoint is needed.
    SQLite's guard is a trigger that aborts the statement, caught in a savepoint.
    """
    if db.get_bind().dialect.name == "postgresql":
        statement = (
            pg_insert(Allocation)
            .values(rows)
            .on_conflict_do_nothing(constraint=OVERLAP_GUARD)
            .returning(Allocation.id)
        )
        inserted = (await db.execute(statement)).scalars().all()
        if len(inserted) == len(rows):
            return True
        if inserted:
            # Some resources were free, another was not: give those back before retrying.
            await db.execute(delete(Allocation).where(Allocation.id.in_(inserted)))
        return False
    try:
        async with db.begin_nested():
            await db.execute(insert(Allocation), rows)
    except IntegrityError as exc:
        if OVERLAP_GUARD not in str(exc.orig):
            raise
        return False
    return True


async def _create(
    db: AsyncSession,
    *,
    brand_slug: str,
    type_slug: str,
    start: datetime,
    customer: Customer,
    confirm: bool,
    resource_ids: list[str] | None,
    idempotency_key: str | None,
    notes: str,
    product: str,
    hold_ttl: timedelta,
    actor: Principal | None,
    bus: EventBus | None,
    now: datetime | None,
) -> Appointment:
    now = now or utcnow()
    appointment_type = await get_type_or_raise(db, brand_slug=brand_slug, slug=type_slug)
    start = resolve_local(start, zone(appointment_type.timezone))
    customer = _customer_for(actor, customer)
    customer_ref = customer.resolved_ref()
    customer_ref = await stored_ref(db, customer_ref)
    fingerprint = _fingerprint(
        type=type_slug, start=start, resources=resource_ids, customer=customer_ref, confirm=confirm
    )
    if idempotency_key is not None:
        previous = (
            await db.execute(
                select(Appointment).where(
                    Appointment.brand_slug == brand_slug,
                    Appointment.idempotency_key == idempotency_key,
                )
            )
        ).scalar_one_or_none()
        if previous is not None:
            if previous.request_fingerprint != fingerprint:
                raise Conflict(
                    "This idempotency key was used for a different request.",
                    code=SchedulingErrorCode.IDEMPOTENCY_MISMATCH,
                )
            return previous
    chosen, p = await decide(
        db, appointment_type=appointment_type, start=start, now=now, resource_ids=resource_ids
    )
    hold_expires_at = None if confirm else now + hold_ttl
    appointment = Appointment(
        id=new_id(),
        brand_slug=brand_slug,
        type_id=appointment_type.id,
        status=AppointmentStatus.CONFIRMED if confirm else AppointmentStatus.HELD,
        start_at=start,
        end_at=start + p.duration,
        hold_expires_at=hold_expires_at,
        customer_ref=customer_ref,
        customer_email=customer.email,
        customer_name=customer.name,
        guest_session_id=customer.guest_session_id,
        locale=customer.locale,
        notes=notes,
        product=product,
        ics_uid=f"{uuid.uuid4()}@vitrina",
        sequence=0,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        created_by=actor.user_id if actor is not None and actor.is_staff else None,
        cancel_reason="",
    )
    db.add(appointment)
    if confirm:
        # Queued before the flush so that the appointment and its mails go in together.
        notifications.queue_confirmed(
            db, appointment=appointment, appointment_type=appointment_type, now=now
        )
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict(
            "A request with this idempotency key is being processed; retry shortly.",
            code=SchedulingErrorCode.IDEMPOTENCY_MISMATCH,
        ) from None
    await allocate(
        db,
        appointment=appointment,
        plan=p,
        resource_ids=chosen,
        pinned=resource_ids,
        expires_at=hold_expires_at,
        now=now,
    )
    if confirm:
        await publish(db, bus, AppointmentBooked, appointment, appointment_type)
    return appointment


async def hold(
    db: AsyncSession,
    *,
    brand_slug: str,
    type_slug: str,
    start: datetime,
    customer: Customer,
    resource_ids: list[str] | None = None,
    idempotency_key: str | None = None,
    notes: str = "",
    product: str = "",
    ttl: timedelta = DEFAULT_HOLD_TTL,
    actor: Principal | None = None,
    bus: EventBus | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Reserve a slot for `ttl` while the customer confirms; it blocks the resources
    like a booking until it expires."""
    return await _create(
        db,
        brand_slug=brand_slug,
        type_slug=type_slug,
        start=start,
        customer=customer,
        confirm=False,
        resource_ids=resource_ids,
        idempotency_key=idempotency_key,
        notes=notes,
        product=product,
        hold_ttl=ttl,
        actor=actor,
        bus=bus,
        now=now,
    )


async def book(
    db: AsyncSession,
    *,
    brand_slug: str,
    type_slug: str,
    start: datetime,
    customer: Customer,
    resource_ids: list[str] | None = None,
    idempotency_key: str | None = None,
    notes: str = "",
    product: str = "",
    actor: Principal | None = None,
    bus: EventBus | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a slot at once: confirmed, confirmation and reminder mails queued."""
    return await _create(
        db,
        brand_slug=brand_slug,
        type_slug=type_slug,
        start=start,
        customer=customer,
        confirm=True,
        resource_ids=resource_ids,
        idempotency_key=idempotency_key,
        notes=notes,
        product=product,
        hold_ttl=DEFAULT_HOLD_TTL,
        actor=actor,
        bus=bus,
        now=now,
    )


async def type_of(db: AsyncSession, appointment: Appointment) -> AppointmentType:
    found = await db.get(AppointmentType, appointment.type_id)
    assert found is not None, "appointment types are never deleted"
    return found


async def publish(
    db: AsyncSession,
    bus: EventBus | None,
    event_type: type[AppointmentChanged],
    appointment: Appointment,
    appointment_type: AppointmentType,
    **extra: object,
) -> None:
    if bus is None:
        return
    local = appointment.start_at.astimezone(zone(appointment_type.timezone))
    event = event_type(
        appointment_id=appointment.id,
        brand_slug=appointment.brand_slug,
        customer_ref=appointment.customer_ref,
        type_slug=appointment_type.slug,
        start=appointment.start_at,
        end=appointment.end_at,
        status=appointment.status,
        # The CRM timeline records events that name a known customer, with this summary.
        customer_id=await customer_of(db, appointment),
        summary=_SUMMARIES[event_type.type].format(
            type=appointment_type.name, when=local.strftime("%Y-%m-%d %H:%M"), tz=local.tzname()
        ),
        channel="scheduling",
        product=appointment.product,
        **extra,
    )
    bus.publish_on_commit(db, event)


_SUMMARIES = {
    "scheduling.appointment_booked": "Booked: {type} on {when} ({tz})",
    "scheduling.appointment_rescheduled": "Moved: {type} to {when} ({tz})",
    "scheduling.appointment_cancelled": "Cancelled: {type} on {when} ({tz})",
}


async def customer_of(db: AsyncSession, appointment: Appointment) -> str | None:
    """The CRM customer an appointment is for, when known: a `customer:` reference, or
    a guest session verified as a customer of the brand."""
    ref = appointment.customer_ref
    if ref.startswith("customer:"):
        return ref.removeprefix("customer:")
    if appointment.guest_session_id is None:
        return None
    brand = await brands.get_by_slug(db, slug=appointment.brand_slug)
    if brand is None:
        return None
    return await verification.customer_of_session(
        db, session_id=appointment.guest_session_id, brand_id=brand.id
    )
