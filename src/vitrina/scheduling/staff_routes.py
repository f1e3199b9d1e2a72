"""HTTP API of scheduling for staff: resources, appointment types and the day's agenda."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from vitrina.api.deps import STAFF, DbSession, StaffPrincipal, require_roles
from vitrina.brands import service as brands
from vitrina.core.security import Principal, Role
from vitrina.core.timerange import Day
from vitrina.privacy import service as privacy
from vitrina.privacy import subjects
from vitrina.scheduling import service
from vitrina.scheduling.schemas import (
    AgendaRead,
    AppointmentTypeCreate,
    AppointmentTypeRead,
    AppointmentTypeUpdate,
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
)

MANAGE = require_roles(Role.SUPERVISOR, Role.ADMIN)
Manager = Annotated[Principal, Depends(MANAGE)]
BrandQuery = Annotated[str, Query(alias="brand", max_length=64, description="Brand slug.")]

staff_router = APIRouter(
    prefix="/api/staff/scheduling", tags=["scheduling"], dependencies=[Depends(STAFF)]
)
manage_router = APIRouter(
    prefix="/api/staff/scheduling", tags=["scheduling"], dependencies=[Depends(MANAGE)]
)


@staff_router.get(
    "/agenda", response_model=AgendaRead, summary="A brand's appointments on one day (staff)"
)
async def agenda(
    brand_slug: BrandQuery,
    day: Annotated[Day, Query(description="Local date in the brand's time zone.")],
    principal: StaffPrincipal,
    db: DbSession,
) -> AgendaRead:
    tz, appointments = await service.agenda(db, brand_slug=brand_slug, day=day, actor=principal)
    if appointments:  # names and emails of customers: the read goes to the access log
        await privacy.record_reads(
            db,
            principal=principal,
            brand_id=(await brands.get_by_slug_or_raise(db, slug=brand_slug)).id,
            subjects=[
                subjects.or_record(a.customer_ref, f"appointment:{a.id}") for a in appointments
            ],
            what="scheduling.agenda",
            why=f"agenda of {day.isoformat()}",
        )
    return AgendaRead(
        brand_slug=brand_slug,
        day=day,
        timezone=tz,
        appointments=await service.describe(db, appointments),
    )


@staff_router.get(
    "/resources", response_model=list[ResourceRead], summary="A brand's resources (staff)"
)
async def list_resources(
    brand_slug: BrandQuery, principal: StaffPrincipal, db: DbSession
) -> list[ResourceRead]:
    found = await service.list_resources(db, brand_slug=brand_slug, actor=principal)
    return [ResourceRead.model_validate(r) for r in found]


@staff_router.get(
    "/types",
    response_model=list[AppointmentTypeRead],
    summary="A brand's appointment types, inactive ones included (staff)",
)
async def list_types(
    brand_slug: BrandQuery, principal: StaffPrincipal, db: DbSession
) -> list[AppointmentTypeRead]:
    service.check_brand(principal, brand_slug)
    found = await service.list_types(db, brand_slug=brand_slug, active_only=False)
    return [AppointmentTypeRead.model_validate(t) for t in found]


@manage_router.post(
    "/resources",
    response_model=ResourceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a resource (supervisor, admin)",
)
async def create_resource(body: ResourceCreate, principal: Manager, db: DbSession) -> ResourceRead:
    return ResourceRead.model_validate(
        await service.create_resource(db, data=body, actor=principal)
    )


@manage_router.patch(
    "/resources/{resource_id}",
    response_model=ResourceRead,
    summary="Change a resource's hours, skills, buffers (supervisor, admin)",
)
async def update_resource(
    resource_id: str, body: ResourceUpdate, principal: Manager, db: DbSession
) -> ResourceRead:
    found = await service.get_resource_or_raise(db, resource_id=resource_id, actor=principal)
    return ResourceRead.model_validate(
        await service.update_resource(db, resource=found, data=body, actor=principal)
    )


@manage_router.post(
    "/types",
    response_model=AppointmentTypeRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an appointment type (supervisor, admin)",
)
async def create_type(
    body: AppointmentTypeCreate, principal: Manager, db: DbSession
) -> AppointmentTypeRead:
    return AppointmentTypeRead.model_validate(
        await service.create_type(db, data=body, actor=principal)
    )


@manage_router.patch(
    "/types/{brand_slug}/{slug}",
    response_model=AppointmentTypeRead,
    summary="Change an appointment type (supervisor, admin)",
)
async def update_type(
    brand_slug: str, slug: str, body: AppointmentTypeUpdate, principal: Manager, db: DbSession
) -> AppointmentTypeRead:
    service.check_brand(principal, brand_slug)
    found = await service.get_type_or_raise(db, brand_slug=brand_slug, slug=slug, active_only=False)
    return AppointmentTypeRead.model_validate(
        await service.update_type(db, appointment_type=found, data=body, actor=principal)
    )


routers = [staff_router, manage_router]
