"""Integration endpoints: customer import/export and outbound webhooks."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from vitrina.api.deps import Access, Bus, DbSession, staff_or_scope
from vitrina.core.errors import AppError
from vitrina.core.schemas import RequestModel
from vitrina.core.security import Principal, Role, Scope
from vitrina.crm import service, transfer, webhooks
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.events import WEBHOOK_EVENTS
from vitrina.crm.schemas import ImportFormat

IMPORT = staff_or_scope(Scope.CRM_IMPORT)
WEBHOOKS = Access(
    "admin-supervisor-or-scope:webhooks:manage",
    roles=frozenset({Role.ADMIN, Role.SUPERVISOR}),
    scopes=frozenset({Scope.WEBHOOKS}),
)
transfer_router = APIRouter(prefix="/api/crm", tags=["crm"], dependencies=[Depends(IMPORT)])
webhook_router = APIRouter(
    prefix="/api/crm/webhooks", tags=["crm"], dependencies=[Depends(WEBHOOKS)]
)
Importer = Annotated[Principal, Depends(IMPORT)]
Integrator = Annotated[Principal, Depends(WEBHOOKS)]


class RowErrorRead(BaseModel):
    row: int
    field: str
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorRead]


class WebhookCreate(RequestModel):
    brand: str = Field(max_length=64)
    url: HttpUrl
    events: list[str] = Field(default_factory=list, description="Empty means every event.")


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_id: str
    url: str
    events: list[str]
    is_active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Signs every delivery; shown once.")


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


@transfer_router.post(
    "/import",
    response_model=ImportReport,
    summary="Import customers from CSV or JSON (dry run by default)",
)
async def import_customers(
    principal: Importer,
    db: DbSession,
    bus: Bus,
    brand: Annotated[str, Query(max_length=64)],
    content: Annotated[str, Body(media_type="text/plain", max_length=5_000_000)],
    format: Annotated[ImportFormat, Query()] = "csv",
    dry_run: bool = True,
) -> ImportReport:
    brand_id = await service.brand_id_for(db, principal, brand)
    rows = transfer.parse(content, format)
    report = await transfer.import_rows(db, bus=bus, brand_id=brand_id, rows=rows, dry_run=dry_run)
    return ImportReport.model_validate(asdict(report))


@transfer_router.get("/export", summary="Export customers as CSV or JSON")
async def export_customers(
    principal: Importer,
    db: DbSession,
    brand: Annotated[str, Query(max_length=64)],
    format: Annotated[ImportFormat, Query()] = "csv",
) -> Response:
    brand_id = await service.brand_id_for(db, principal, brand)
    rows = await transfer.export_rows(db, brand_id=brand_id)
    if format == "json":
        return Response(json.dumps(rows), media_type="application/json")
    return Response(
        transfer.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{brand}-customers.csv"'},
    )


@webhook_router.get("", response_model=list[WebhookRead], summary="List webhook endpoints")
async def list_webhooks(principal: Integrator, db: DbSession) -> list[WebhookRead]:
    brand_ids = await service.visible_brand_ids(db, principal)
    return [
        WebhookRead.model_validate(e)
        for e in await webhooks.list_endpoints(db, brand_ids=brand_ids)
    ]


@webhook_router.post(
    "",
    response_model=WebhookCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Register a webhook endpoint",
)
async def create_webhook(
    body: WebhookCreate, principal: Integrator, db: DbSession
) -> WebhookCreated:
    unknown = set(body.events) - set(WEBHOOK_EVENTS)
    if unknown:
        raise AppError(
            f"Unknown events: {', '.join(sorted(unknown))}; known: {', '.join(WEBHOOK_EVENTS)}.",
            code=CrmErrorCode.UNKNOWN_WEBHOOK_EVENT,
            status=422,
        )
    brand_id = await service.brand_id_for(db, principal, body.brand)
    endpoint = await webhooks.create_endpoint(
        db, brand_id=brand_id, url=str(body.url), events=body.events
    )
    return WebhookCreated(
        **WebhookRead.model_validate(endpoint).model_dump(), secret=endpoint.secret
    )


@webhook_router.delete(
    "/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Deactivate an endpoint"
)
async def deactivate_webhook(endpoint_id: str, principal: Integrator, db: DbSession) -> None:
    brand_ids = await service.visible_brand_ids(db, principal)
    endpoint = await webhooks.get_endpoint_or_raise(
        db, endpoint_id=endpoint_id, brand_ids=brand_ids
    )
    endpoint.is_active = False


@webhook_router.get(
    "/{endpoint_id}/deliveries",
    response_model=list[DeliveryRead],
    summary="The delivery log of an endpoint, newest first",
)
async def list_deliveries(
    endpoint_id: str, principal: Integrator, db: DbSession
) -> list[DeliveryRead]:
    brand_ids = await service.visible_brand_ids(db, principal)
    await webhooks.get_endpoint_or_raise(db, endpoint_id=endpoint_id, brand_ids=brand_ids)
    return [
        DeliveryRead.model_validate(d)
        for d in await webhooks.deliveries(db, endpoint_id=endpoint_id)
    ]


routers = [transfer_router, webhook_router]
