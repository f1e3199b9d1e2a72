"""The customer's side: consent prompt texts, choices, history, access and erasure requests."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse

from vitrina.api.deps import (
    GUEST_OR_STAFF,
    PUBLIC,
    AnyPrincipal,
    Bus,
    DbSession,
    SettingsDep,
    get_sessions,
)
from vitrina.brands import service as brands
from vitrina.core.errors import Forbidden, NotFound
from vitrina.core.security import Principal
from vitrina.privacy import dpo_routes, referrals, registry, requests, service, subjects
from vitrina.privacy.errors import PrivacyErrorCode
from vitrina.privacy.models import PrivacyRequest
from vitrina.privacy.schemas import (
    ConsentRecordRead,
    ConsentStateRead,
    ConsentStatusRead,
    ConsentUpdate,
    ErasureStatusRead,
    Locale,
    PrivacyRequestRead,
    PurposeRead,
    PurposeText,
    RequestCreate,
)
from vitrina.privacy.texts import OPTIONAL_PURPOSES, Purpose

public_router = APIRouter(prefix="/api/privacy", tags=["privacy"], dependencies=[Depends(PUBLIC)])
subject_router = APIRouter(
    prefix="/api/privacy", tags=["privacy"], dependencies=[Depends(GUEST_OR_STAFF)]
)


def _me(principal: Principal) -> str:
    if principal.is_staff:
        raise Forbidden(
            "These endpoints answer for the visitor's own session; staff use /api/privacy/dpo."
        )
    return subjects.of_principal(principal)


@public_router.get(
    "/brands/{slug}/purposes",
    response_model=list[PurposeRead],
    summary="The consent purposes and their current wording (public)",
)
async def list_purposes(slug: str, db: DbSession, locale: Locale = "en") -> list[PurposeRead]:
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    texts = await service.current_texts(db, brand_id=brand.id)
    out = []
    for purpose in Purpose:
        text = texts[purpose]
        chosen = text.texts.get(locale) or text.texts.get(brand.default_locale) or text.texts["en"]
        out.append(
            PurposeRead(
                purpose=purpose,
                version=text.version,
                required=purpose is Purpose.ESSENTIAL,
                locale=locale if locale in text.texts else "en",
                title=chosen["title"],
                body=chosen["body"],
                texts={k: PurposeText.model_validate(v) for k, v in text.texts.items()},
            )
        )
    return out


async def _state(db: DbSession, brand_id: str, subject: str) -> ConsentStateRead:
    state = await service.consent_state(db, brand_id=brand_id, subject=subject)
    prompt_needed = any(
        state[p].recorded_at is None or state[p].text_version != state[p].current_version
        for p in OPTIONAL_PURPOSES
    )
    return ConsentStateRead(
        subject=subject,
        prompt_needed=prompt_needed,
        purposes=[ConsentStatusRead.model_validate(s) for s in state.values()],
    )


@subject_router.get(
    "/brands/{slug}/consents",
    response_model=ConsentStateRead,
    summary="My consent choices for a brand (guest)",
)
async def my_consents(slug: str, principal: AnyPrincipal, db: DbSession) -> ConsentStateRead:
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    return await _state(db, brand.id, _me(principal))


@subject_router.put(
    "/brands/{slug}/consents",
    response_model=ConsentStateRead,
    summary="Grant or withdraw purposes; every change is kept in the history (guest)",
)
async def set_consents(
    slug: str, body: ConsentUpdate, principal: AnyPrincipal, db: DbSession, bus: Bus
) -> ConsentStateRead:
    me = _me(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    await service.record_choices(
        db, brand_id=brand.id, subject=me, choices=body.choices, channel=body.channel, bus=bus
    )
    return await _state(db, brand.id, me)


@subject_router.get(
    "/brands/{slug}/consents/history",
    response_model=list[ConsentRecordRead],
    summary="Every consent choice I made, oldest first (guest)",
)
async def my_history(slug: str, principal: AnyPrincipal, db: DbSession) -> list[ConsentRecordRead]:
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    rows = await service.history(db, brand_id=brand.id, subject=_me(principal))
    return [ConsentRecordRead.model_validate(r) for r in rows]


@subject_router.post(
    "/brands/{slug}/requests",
    response_model=PrivacyRequestRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask for a copy of my data, or for its erasure; runs in the background (guest)",
)
async def file_request(
    slug: str,
    body: RequestCreate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
) -> PrivacyRequestRead:
    me = _me(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    if body.kind == "erasure":
        # Proved to be a customer: the account goes to the DPO (it may be under a legal
        # hold), filed before the session's own erasure forgets who the visitor was.
        customers = registry.customer_records()
        known = await customers.verified_customer(db, principal, brand.id)
        if known is not None:
            await referrals.refer(db, brand_id=brand.id, customer_id=known, filed_by=me)
    req = await requests.create(
        db, brand_id=brand.id, subject=me, kind=body.kind, requested_by="subject"
    )
    requests.start_after_commit(
        db, sessions=get_sessions(request), settings=settings, request_id=req.id
    )
    return PrivacyRequestRead.of(req)


@subject_router.get(
    "/brands/{slug}/requests",
    response_model=list[PrivacyRequestRead],
    summary="My access and erasure requests (guest)",
)
async def my_requests(
    slug: str, principal: AnyPrincipal, db: DbSession
) -> list[PrivacyRequestRead]:
    me = _me(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    rows, _ = await requests.list_requests(db, brand_ids={brand.id}, subject=me, limit=100)
    return [PrivacyRequestRead.of(r) for r in rows]


@subject_router.get(
    "/brands/{slug}/erasure",
    response_model=ErasureStatusRead,
    summary="Where my erasure stands: done at once, or with the DPO, and why (guest)",
)
async def my_erasure(slug: str, principal: AnyPrincipal, db: DbSession) -> ErasureStatusRead:
    me = _me(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    rows, _ = await requests.list_requests(db, brand_ids={brand.id}, subject=me, limit=100)
    own = next((r for r in rows if r.kind == "erasure"), None)
    referred = await referrals.filed_by(db, brand_id=brand.id, guest_subject=me)
    holds: list[str] = []
    if referred is not None and referred.status == referrals.REVIEW:
        customer_id = referred.subject.partition(":")[2]
        holds = await registry.customer_records().legal_holds(db, customer_id)
    return ErasureStatusRead(
        session_request=PrivacyRequestRead.of(own) if own else None,
        customer_request=PrivacyRequestRead.of(referred) if referred else None,
        legal_holds=holds,
    )


async def _my_request(db: DbSession, principal: Principal, request_id: str) -> PrivacyRequest:
    req = await requests.get_or_raise(db, request_id=request_id)
    if req.subject != _me(principal):
        # Same answer as a missing id: request ids of others are not confirmed.
        raise NotFound("No such privacy request.", code=PrivacyErrorCode.REQUEST_NOT_FOUND)
    return req


@subject_router.get(
    "/requests/{request_id}",
    response_model=PrivacyRequestRead,
    summary="Progress of one of my requests (guest)",
)
async def my_request(request_id: str, principal: AnyPrincipal, db: DbSession) -> PrivacyRequestRead:
    return PrivacyRequestRead.of(await _my_request(db, principal, request_id))


@subject_router.get(
    "/requests/{request_id}/download",
    response_class=FileResponse,
    summary="Download my data as a ZIP of JSON and CSV files (guest)",
    responses={
        200: {"content": {"application/zip": {}}},
        409: {"description": "The export is not finished yet"},
    },
)
async def download_mine(
    request_id: str,
    principal: AnyPrincipal,
    db: DbSession,
) -> FileResponse:
    req = await _my_request(db, principal, request_id)
    return FileResponse(
        requests.archive_path(req),
        media_type="application/zip",
        filename=f"my-data-{req.id[:8]}.zip",
    )


routers = [public_router, subject_router, *dpo_routes.routers]
