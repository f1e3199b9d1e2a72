"""Resources and appointment types: what can be booked, when, and with what."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core.errors import Conflict, NotFound
from vitrina.core.security import Principal
from vitrina.scheduling.access import check_brand, may_serve
from vitrina.scheduling.errors import SchedulingErrorCode
from vitrina.scheduling.hours import normalise_exceptions, normalise_weekly_hours, zone
from vitrina.scheduling.models import AppointmentType, Resource
from vitrina.scheduling.schemas import (
    AppointmentTypeCreate,
    AppointmentTypeUpdate,
    HoursException,
    RequirementIn,
    ResourceCreate,
    ResourceUpdate,
    WeeklyHours,
)


def _weekly(raw: WeeklyHours) -> dict[str, list[list[str]]]:
    return normalise_weekly_hours(
        {day: [list(span) for span in spans] for day, spans in raw.items()}
    )


def _exceptions(raw: list[HoursException]) -> list[dict[str, object]]:
    items = [
        {
            "start": e.start.isoformat(),
            "end": (e.end or e.start).isoformat(),
            "hours": [list(span) for span in e.hours],
            "reason": e.reason,
        }
        for e in raw
    ]
    return list(normalise_exceptions(items))


def _requirements(raw: list[RequirementIn]) -> list[dict[str, object]]:
    return [{"kind": r.kind, "skills": sorted(set(r.skills))} for r in raw]


async def create_resource(
    db: AsyncSession, *, data: ResourceCreate, actor: Principal | None = None
) -> Resource:
    check_brand(actor, data.brand_slug)
    await brands.get_by_slug_or_raise(db, slug=data.brand_slug)
    zone(data.timezone)
    resource = Resource(
        brand_slug=data.brand_slug,
        kind=data.kind,
        name=data.name,
        skills=sorted(set(data.skills)),
        timezone=data.timezone,
        weekly_hours=_weekly(data.weekly_hours),
        exceptions=_exceptions(data.exceptions),
        buffer_before_min=data.buffer_before_min,
        buffer_after_min=data.buffer_after_min,
        active=True,
    )
    db.add(resource)
    await db.flush()
    return resource


async def get_resource_or_raise(
    db: AsyncSession, *, resource_id: str, actor: Principal | None = None
) -> Resource:
    resource = await db.get(Resource, resource_id)
    if resource is None or not may_serve(actor, resource.brand_slug):
        raise NotFound(f"No resource {resource_id!r}.", code=SchedulingErrorCode.RESOURCE_NOT_FOUND)
    return resource


async def update_resource(
    db: AsyncSession, *, resource: Resource, data: ResourceUpdate, actor: Principal | None = None
) -> Resource:
    check_brand(actor, resource.brand_slug)
    if data.timezone is not None:
        zone(data.timezone)
        resource.timezone = data.timezone
    if data.name is not None:
        resource.name = data.name
    if data.skills is not None:
        resource.skills = sorted(set(data.skills))
    if data.weekly_hours is not None:
        resource.weekly_hours = _weekly(data.weekly_hours)
    if data.exceptions is not None:
        resource.exceptions = _exceptions(data.exceptions)
    if data.buffer_before_min is not None:
        resource.buffer_before_min = data.buffer_before_min
    if data.buffer_after_min is not None:
        resource.buffer_after_min = data.buffer_after_min
    if data.active is not None:
        resource.active = data.active
    await db.flush()
    return resource


async def list_resources(
    db: AsyncSession,
    *,
    brand_slug: str,
    actor: Principal | None = None,
    kind: str | None = None,
    active_only: bool = False,
) -> list[Resource]:
    check_brand(actor, brand_slug)
    query = select(Resource).where(Resource.brand_slug == brand_slug)
    if kind is not None:
        query = query.where(Resource.kind == kind)
    if active_only:
        query = query.where(Resource.active.is_(True))
    return list((await db.execute(query.order_by(Resource.name, Resource.id))).scalars())


async def create_type(
    db: AsyncSession, *, data: AppointmentTypeCreate, actor: Principal | None = None
) -> AppointmentType:
    check_brand(actor, data.brand_slug)
    brand = await brands.get_by_slug_or_raise(db, slug=data.brand_slug)
    if await get_type(db, brand_slug=data.brand_slug, slug=data.slug) is not None:
        raise Conflict(
            f"Appointment type {data.slug!r} already exists.", code=SchedulingErrorCode.TYPE_EXISTS
        )
    tz = data.timezone or brand.timezone
    zone(tz)
    appointment_type = AppointmentType(
        brand_slug=data.brand_slug,
        slug=data.slug,
        name=data.name,
        description=data.description,
        location=data.location,
        duration_min=data.duration_min,
        requirements=_requirements(data.requirements),
        lead_time_min=data.lead_time_min,
        horizon_days=data.horizon_days,
        slot_step_min=data.slot_step_min,
        reminder_before_min=data.reminder_before_min,
        timezone=tz,
        active=True,
    )
    db.add(appointment_type)
    await db.flush()
    return appointment_type


async def update_type(
    db: AsyncSession,
    *,
    appointment_type: AppointmentType,
    data: AppointmentTypeUpdate,
    actor: Principal | None = None,
) -> AppointmentType:
    check_brand(actor, appointment_type.brand_slug)
    changes = data.model_dump(exclude_none=True, exclude={"requirements"})
    for name, value in changes.items():
        setattr(appointment_type, name, value)
    if data.requirements is not None:
        appointment_type.requirements = _requirements(data.requirements)
    await db.flush()
    return appointment_type


# Built once: every search and booking starts here.
_TYPE = select(AppointmentType).where(
    AppointmentType.brand_slug == bindparam("brand"), AppointmentType.slug == bindparam("slug")
)


async def get_type(db: AsyncSession, *, brand_slug: str, slug: str) -> AppointmentType | None:
    result = await db.execute(_TYPE, {"brand": brand_slug, "slug": slug})
    return result.scalar_one_or_none()


async def get_type_or_raise(
    db: AsyncSession, *, brand_slug: str, slug: str, active_only: bool = True
) -> AppointmentType:
    found = await get_type(db, brand_slug=brand_slug, slug=slug)
    if found is None or (active_only and not found.active):
        raise NotFound(
            f"No appointment type {slug!r} for {brand_slug!r}.",
            code=SchedulingErrorCode.TYPE_NOT_FOUND,
        )
    return found


async def list_types(
    db: AsyncSession, *, brand_slug: str, active_only: bool = True
) -> list[AppointmentType]:
    query = select(AppointmentType).where(AppointmentType.brand_slug == brand_slug)
    if active_only:
        query = query.where(AppointmentType.active.is_(True))
    return list((await db.execute(query.order_by(AppointmentType.name))).scalars())
