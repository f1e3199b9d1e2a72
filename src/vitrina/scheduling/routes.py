"""HTTP API of scheduling for customers: appointment types, free slots, bookings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from vitrina.api.deps import (
    GUEST_OR_STAFF,
    PUBLIC,
    AnyPrincipal,
    Bus,
    DbSession,
    SettingsDep,
    client_ip,
)
from vitrina.core.ratelimit import limits_of
from vitrina.core.timerange import Instant
from vitrina.scheduling import service, staff_routes
from vitrina.scheduling.hours import resolve_local, zone
from vitrina.scheduling.schemas import (
    AppointmentRead,
    AppointmentTypeRead,
    BookingCreate,
    CancelRequest,
    RescheduleRequest,
    SlotExplanation,
    SlotPage,
    SlotRead,
)

public_router = APIRouter(
    prefix="/api/brands/{brand_slug}/scheduling",
    tags=["scheduling"],
    dependencies=[Depends(PUBLIC)],
)
booking_router = APIRouter(
    prefix="/api/brands/{brand_slug}/appointments",
    tags=["scheduling"],
    dependencies=[Depends(GUEST_OR_STAFF)],
)
appointment_router = APIRouter(
    prefix="/api/appointments", tags=["scheduling"], dependencies=[Depends(GUEST_OR_STAFF)]
)

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=120, description="Repeat-safe retries."),
]


async def _check_rate(request: Request, settings: SettingsDep) -> None:
    await limits_of(request).enforce(
        "scheduling_write",
        client_ip(request),
        rate=settings.public_write_rate_per_minute,
        message="Too many booking requests; wait a minute.",
    )


@public_router.get(
    "/types",
    response_model=list[AppointmentTypeRead],
    summary="Appointment types a customer can book (public)",
)
async def list_types(brand_slug: str, db: DbSession) -> list[AppointmentTypeRead]:
    types = await service.list_types(db, brand_slug=brand_slug)
    return [AppointmentTypeRead.model_validate(t) for t in types]


@public_router.get(
    "/availability", response_model=SlotPage, summary="Free slots for an appointment type (public)"
)
async def availability(
    brand_slug: str,
    db: DbSession,
    type: Annotated[str, Query(max_length=64, description="Appointment type slug.")],
    start: Annotated[Instant | None, Query(description="Window start (default: now).")] = None,
    end: Annotated[Instant | None, Query(description="Window end (default: 7 days).")] = None,
    resource_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> SlotPage:
    found_type = await service.get_type_or_raise(db, brand_slug=brand_slug, slug=type)
    tz = zone(found_type.timezone)
    search = await service.find_slots(
        db,
        brand_slug=brand_slug,
        type_slug=type,
        start=resolve_local(start, tz) if start else None,
        end=resolve_local(end, tz) if end else None,
        resource_id=resource_id,
        limit=limit,
    )
    return SlotPage(
        type=type,
        timezone=tz.key,
        window_start=search.window_start,
        window_end=search.window_end,
        slots=[
            SlotRead(
                start=s.start,
                end=s.end,
                local_start=s.start.astimezone(tz).isoformat(),
                resource_ids=list(s.resource_ids),
            )
            for s in search.slots
        ],
    )


@public_router.get(
    "/explain",
    response_model=SlotExplanation,
    summary="Why a start time is or is not offered (public)",
)
async def explain(
    brand_slug: str,
    db: DbSession,
    type: Annotated[str, Query(max_length=64)],
    start: Annotated[Instant, Query(description="With offset, or local time of the type.")],
) -> SlotExplanation:
    found_type = await service.get_type_or_raise(db, brand_slug=brand_slug, slug=type)
    instant = resolve_local(start, zone(found_type.timezone))
    reasons = await service.explain(db, brand_slug=brand_slug, type_slug=type, start=instant)
    return SlotExplanation(start=instant, available=not reasons, reasons=reasons)


async def _one(db: DbSession, appointment: service.Appointment) -> AppointmentRead:
    return (await service.describe(db, [appointment]))[0]


@booking_router.post(
    "",
    response_model=AppointmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Book an appointment (guest or staff)",
)
async def book(
    brand_slug: str,
    body: BookingCreate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> AppointmentRead:
    await _check_rate(request, settings)
    appointment = await service.book(
        db,
        brand_slug=brand_slug,
        type_slug=body.type,
        start=body.start,
        customer=service.Customer(
            email=body.customer.email, name=body.customer.name, locale=body.customer.locale
        ),
        resource_ids=body.resource_ids,
        idempotency_key=idempotency_key,
        notes=body.notes,
        product=body.product,
        actor=principal,
        bus=bus,
    )
    return await _one(db, appointment)


@booking_router.post(
    "/holds",
    response_model=AppointmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Hold a slot while the customer confirms (guest or staff)",
)
async def hold(
    brand_slug: str,
    body: BookingCreate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> AppointmentRead:
    await _check_rate(request, settings)
    appointment = await service.hold(
        db,
        brand_slug=brand_slug,
        type_slug=body.type,
        start=body.start,
        customer=service.Customer(
            email=body.customer.email, name=body.customer.name, locale=body.customer.locale
        ),
        resource_ids=body.resource_ids,
        idempotency_key=idempotency_key,
        notes=body.notes,
        product=body.product,
        actor=principal,
        bus=bus,
    )
    return await _one(db, appointment)


@appointment_router.get(
    "/mine",
    response_model=list[AppointmentRead],
    summary="The calling guest's upcoming appointments (guest)",
)
async def mine(
    principal: AnyPrincipal,
    db: DbSession,
    include_past: bool = False,
) -> list[AppointmentRead]:
    if principal.kind != "guest":
        return []
    found = await service.list_for_customer(
        db, guest_session_id=principal.session_id, include_past=include_past
    )
    return await service.describe(db, found)


@appointment_router.get(
    "/{appointment_id}", response_model=AppointmentRead, summary="One appointment (owner or staff)"
)
async def read(appointment_id: str, principal: AnyPrincipal, db: DbSession) -> AppointmentRead:
    found = await service.get_or_raise(db, appointment_id=appointment_id, actor=principal)
    return await _one(db, found)


@appointment_router.get(
    "/{appointment_id}/invite.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    summary="The appointment as an iCalendar invitation (owner or staff)",
)
async def invite(
    appointment_id: str, principal: AnyPrincipal, db: DbSession, settings: SettingsDep
) -> Response:
    found = await service.get_or_raise(db, appointment_id=appointment_id, actor=principal)
    data = await service.invitation(db, appointment=found, organizer=settings.mail_from)
    return Response(data, media_type="text/calendar; charset=utf-8")


@appointment_router.post(
    "/{appointment_id}/confirm",
    response_model=AppointmentRead,
    summary="Confirm a held slot (owner or staff)",
)
async def confirm(
    appointment_id: str, principal: AnyPrincipal, db: DbSession, bus: Bus
) -> AppointmentRead:
    found = await service.confirm(db, appointment_id=appointment_id, actor=principal, bus=bus)
    return await _one(db, found)


@appointment_router.post(
    "/{appointment_id}/reschedule",
    response_model=AppointmentRead,
    summary="Move an appointment (owner or staff)",
)
async def reschedule(
    appointment_id: str,
    body: RescheduleRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> AppointmentRead:
    await _check_rate(request, settings)
    found = await service.reschedule(
        db,
        appointment_id=appointment_id,
        start=body.start,
        resource_ids=body.resource_ids,
        idempotency_key=idempotency_key,
        actor=principal,
        bus=bus,
    )
    return await _one(db, found)


@appointment_router.post(
    "/{appointment_id}/cancel",
    response_model=AppointmentRead,
    summary="Cancel an appointment or a hold (owner or staff)",
)
async def cancel(
    appointment_id: str,
    body: CancelRequest,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
) -> AppointmentRead:
    found = await service.cancel(
        db, appointment_id=appointment_id, reason=body.reason, actor=principal, bus=bus
    )
    return await _one(db, found)


routers = [public_router, booking_router, appointment_router, *staff_routes.routers]
