"""The DPO console: requests with due dates, filing for a customer, the access audit, texts.

Every route is brand-scoped: a DPO sees only the brands they serve (a super-admin sees
them all). Reading a customer's data here is itself audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import FileResponse

from vitrina.api.deps import DbSession, SettingsDep, get_sessions, require_roles
from vitrina.api.paging import Limit, Offset
from vitrina.core.errors import NotFound
from vitrina.core.security import Principal, Role
from vitrina.privacy import referrals, requests, service, subjects
from vitrina.privacy.errors import PrivacyErrorCode
from vitrina.privacy.models import PrivacyRequest
from vitrina.privacy.schemas import (
    AccessAuditPage,
    AccessAuditRead,
    ConsentRecordRead,
    DpoRequestCreate,
    PrivacyRequestPage,
    PrivacyRequestRead,
    PurposeVersionCreate,
    PurposeVersionRead,
    RequestStatus,
)

DPO_OR_ADMIN = require_roles(Role.DPO, Role.ADMIN)
DpoPrincipal = Annotated[Principal, Depends(DPO_OR_ADMIN)]
router = APIRouter(
    prefix="/api/privacy/dpo", tags=["privacy-dpo"], dependencies=[Depends(DPO_OR_ADMIN)]
)
Reason = Annotated[str, Query(min_length=3, max_length=500, description="Why you need it")]


async def _visible_request(db: DbSession, principal: Principal, request_id: str) -> PrivacyRequest:
    req = await requests.get_or_raise(db, request_id=request_id)
    visible = await service.visible_brand_ids(db, principal=principal)
    if visible is not None and req.brand_id not in visible:
        raise NotFound("No such privacy request.", code=PrivacyErrorCode.REQUEST_NOT_FOUND)
    return req


@router.get(
    "/requests",
    response_model=PrivacyRequestPage,
    summary="Access and erasure requests, soonest due first (DPO)",
)
async def list_requests(
    principal: DpoPrincipal,
    db: DbSession,
    status_: Annotated[RequestStatus | None, Query(alias="status")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PrivacyRequestPage:
    brand_ids = await service.visible_brand_ids(db, principal=principal)
    rows, total = await requests.list_requests(
        db, brand_ids=brand_ids, status=status_, offset=offset, limit=limit
    )
    return PrivacyRequestPage(
        items=[PrivacyRequestRead.of(r) for r in rows], total=total, offset=offset, limit=limit
    )


@router.post(
    "/requests",
    response_model=PrivacyRequestRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="File an access or erasure request on a customer's behalf (DPO)",
)
async def file_request(
    body: DpoRequestCreate,
    request: Request,
    principal: DpoPrincipal,
    db: DbSession,
    settings: SettingsDep,
) -> PrivacyRequestRead:
    brand = await service.brand_for_staff(db, principal=principal, slug=body.brand)
    await service.record_access(
        db,
        principal=principal,
        brand_id=brand.id,
        subject=body.subject,
        what=f"privacy.{body.kind}_request",
        why=body.reason,
    )
    req = await requests.create(
        db,
        brand_id=brand.id,
        subject=body.subject,
        kind=body.kind,
        requested_by=f"staff:{principal.user_id}",
    )
    requests.start_after_commit(
        db, sessions=get_sessions(request), settings=settings, request_id=req.id
    )
    return PrivacyRequestRead.of(req)


@router.post(
    "/requests/{request_id}/approve",
    response_model=PrivacyRequestRead,
    summary="Run a customer's erasure that was waiting for review (DPO)",
)
async def approve_request(
    request_id: str,
    request: Request,
    principal: DpoPrincipal,
    db: DbSession,
    settings: SettingsDep,
) -> PrivacyRequestRead:
    req = await referrals.approve(db, req=await _visible_request(db, principal, request_id))
    requests.start_after_commit(
        db, sessions=get_sessions(request), settings=settings, request_id=req.id
    )
    return PrivacyRequestRead.of(req)


@router.get(
    "/requests/{request_id}", response_model=PrivacyRequestRead, summary="One request (DPO)"
)
async def read_request(
    request_id: str, principal: DpoPrincipal, db: DbSession
) -> PrivacyRequestRead:
    return PrivacyRequestRead.of(await _visible_request(db, principal, request_id))


@router.get(
    "/requests/{request_id}/download",
    response_class=FileResponse,
    summary="Download a finished access export; the download is audited (DPO)",
    responses={
        200: {"content": {"application/zip": {}}},
        409: {"description": "The export is not finished yet"},
    },
)
async def download(
    request_id: str, principal: DpoPrincipal, db: DbSession, reason: Reason
) -> FileResponse:
    req = await _visible_request(db, principal, request_id)
    path = requests.archive_path(req)
    await service.record_access(
        db,
        principal=principal,
        brand_id=req.brand_id,
        subject=req.subject,
        what="privacy.access_export",
        why=reason,
    )
    return FileResponse(path, media_type="application/zip", filename=f"export-{req.id[:8]}.zip")


@router.get(
    "/audit",
    response_model=AccessAuditPage,
    summary="Who read which customer's data, and why, newest first (DPO)",
)
async def access_audit(
    principal: DpoPrincipal,
    db: DbSession,
    subject: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> AccessAuditPage:
    brand_ids = await service.visible_brand_ids(db, principal=principal)
    rows, total = await service.list_access(
        db, brand_ids=brand_ids, subject=subject, offset=offset, limit=limit
    )
    return AccessAuditPage(
        items=[AccessAuditRead.model_validate(r) for r in rows],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/brands/{slug}/subjects/{subject}/consents",
    response_model=list[ConsentRecordRead],
    summary="A customer's consent history; the read is audited (DPO)",
)
async def subject_consents(
    slug: str, subject: str, principal: DpoPrincipal, db: DbSession, reason: Reason
) -> list[ConsentRecordRead]:
    brand = await service.brand_for_staff(db, principal=principal, slug=slug)
    subjects.check(subject)
    await service.record_access(
        db,
        principal=principal,
        brand_id=brand.id,
        subject=subject,
        what="privacy.consents",
        why=reason,
    )
    rows = await service.history(db, brand_id=brand.id, subject=subject)
    return [ConsentRecordRead.model_validate(r) for r in rows]


@router.post(
    "/brands/{slug}/purposes/{purpose}/versions",
    response_model=PurposeVersionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Publish a new version of a purpose's wording (DPO)",
)
async def publish_version(
    slug: str, purpose: str, body: PurposeVersionCreate, principal: DpoPrincipal, db: DbSession
) -> PurposeVersionRead:
    brand = await service.brand_for_staff(db, principal=principal, slug=slug)
    text = await service.publish_text(
        db,
        brand_id=brand.id,
        purpose=service.parse_purpose(purpose),
        texts={k: v.model_dump() for k, v in body.texts.items()},
        requires_reconsent=body.requires_reconsent,
        published_by=principal.display_name,
    )
    return PurposeVersionRead.model_validate(text)


routers = [router]
