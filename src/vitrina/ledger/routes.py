"""The ledger over HTTP: the public export, tree head, keys and inclusion proofs of a
brand; pledges (public counts, the visitor's own, the brand admin's definitions)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status
from fastapi.responses import StreamingResponse
from starlette.requests import HTTPConnection

from vitrina.api.deps import (
    ADMIN,
    GUEST_OR_STAFF,
    PUBLIC,
    AdminPrincipal,
    AnyPrincipal,
    DbSession,
    Sessions,
    check_brand,
)
from vitrina.brands import service as brands
from vitrina.core.components import components_of
from vitrina.ledger import export, pledges, service
from vitrina.ledger.proof_cache import ProofCache
from vitrina.ledger.schemas import (
    KeyRead,
    Locale,
    MyPledgeRead,
    PledgeCreate,
    PledgeRead,
    PledgeUpdate,
    ProofRead,
    TreeHeadRead,
)
from vitrina.privacy import registry
from vitrina.privacy import subjects as privacy_subjects

public_router = APIRouter(prefix="/api/ledger", tags=["ledger"], dependencies=[Depends(PUBLIC)])
visitor_router = APIRouter(
    prefix="/api/ledger", tags=["ledger"], dependencies=[Depends(GUEST_OR_STAFF)]
)
admin_router = APIRouter(prefix="/api/ledger", tags=["ledger"], dependencies=[Depends(ADMIN)])

NDJSON = "application/x-ndjson"


async def proof_cache(conn: HTTPConnection) -> ProofCache:
    # async: a plain function would be run in a worker thread, which costs more than a proof
    return components_of(conn).get(ProofCache)


ProofCacheDep = Annotated[ProofCache, Depends(proof_cache)]


@public_router.get(
    "/brands/{slug}/export",
    summary="The brand's whole ledger, verifiable offline (JSON lines, public)",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "header, entries, tree head"}},
)
async def export_ledger(slug: str, db: DbSession, sessions: Sessions) -> StreamingResponse:
    plan = await export.prepare(db, brand=slug)
    await db.commit()  # a new brand's genesis entry, before other sessions stream it
    return StreamingResponse(
        export.stream(sessions, plan),
        media_type=NDJSON,
        headers={"Content-Disposition": f'attachment; filename="ledger-{plan.slug}.jsonl"'},
    )


@public_router.get(
    "/brands/{slug}/tree-head", response_model=TreeHeadRead, summary="The signed tree head"
)
async def tree_head(slug: str, db: DbSession) -> dict[str, Any]:
    return await service.tree_head(db, brand=slug)


@public_router.get(
    "/brands/{slug}/keys", response_model=list[KeyRead], summary="The brand's ledger keys"
)
async def keys(slug: str, db: DbSession) -> list[dict[str, Any]]:
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    await service.ensure_started(db, brand_id=brand.id)
    return await service.public_keys(db, brand_id=brand.id)


@public_router.get(
    "/brands/{slug}/proofs/{seq}",
    response_model=ProofRead,
    summary="An inclusion proof of one entry, with the signed tree head (public)",
)
async def proof(
    slug: str,
    seq: Annotated[int, Path(ge=0, le=2**53 - 1)],
    db: DbSession,
    cache: ProofCacheDep,
) -> dict[str, Any]:
    # Against the tree head this node read at most LEDGER_PROOF_HEAD_MAX_AGE_S ago.
    return await cache.inclusion_proof(db, brand=slug, seq=seq)


@public_router.get(
    "/brands/{slug}/pledges",
    response_model=list[PledgeRead],
    summary="The brand's pledges and how many times each was counted (public)",
)
async def list_pledges(slug: str, db: DbSession, locale: Locale = "en") -> list[PledgeRead]:
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    counted = await pledges.counts(db, brand_id=brand.id)
    return [
        PledgeRead(**pledges.describe(p, locale), count=counted.get(p.id, 0))
        for p in await pledges.list_pledges(db, brand_id=brand.id)
    ]


@visitor_router.get(
    "/brands/{slug}/pledges/mine",
    response_model=list[MyPledgeRead],
    summary="The brand's pledges with how many the visitor's own actions counted",
)
async def my_pledges(
    slug: str, db: DbSession, principal: AnyPrincipal, locale: Locale = "en"
) -> list[MyPledgeRead]:
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    me: list[str] = []
    if not principal.is_staff:
        me.append(privacy_subjects.guest(principal.session_id))
        known = await registry.customer_records().verified_customer(db, principal, brand.id)
        if known is not None:
            me.append(privacy_subjects.customer(known))
    counted = await pledges.counts(db, brand_id=brand.id)
    mine = await pledges.subject_counts(db, brand_id=brand.id, subjects=me)
    return [
        MyPledgeRead(
            **pledges.describe(p, locale), count=counted.get(p.id, 0), mine=mine.get(p.id, 0)
        )
        for p in await pledges.list_pledges(db, brand_id=brand.id)
    ]


@admin_router.post(
    "/brands/{slug}/pledges",
    response_model=PledgeRead,
    status_code=status.HTTP_201_CREATED,
    summary="Attach a pledge to an action (brand admin)",
)
async def create_pledge(
    slug: str, body: PledgeCreate, db: DbSession, principal: AdminPrincipal
) -> PledgeRead:
    check_brand(principal, slug)
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    made = await pledges.define(
        db, brand_id=brand.id, action=body.action, texts=body.texts.model_dump()
    )
    return PledgeRead(**pledges.describe(made, "en"), count=0)


@admin_router.patch(
    "/brands/{slug}/pledges/{pledge_id}",
    response_model=PledgeRead,
    summary="Pause or resume a pledge (brand admin)",
)
async def update_pledge(
    slug: str, pledge_id: str, body: PledgeUpdate, db: DbSession, principal: AdminPrincipal
) -> PledgeRead:
    check_brand(principal, slug)
    brand = await brands.get_by_slug_or_raise(db, slug=slug)
    changed = await pledges.set_active(
        db, brand_id=brand.id, pledge_id=pledge_id, active=body.active
    )
    counted = await pledges.counts(db, brand_id=brand.id)
    return PledgeRead(**pledges.describe(changed, "en"), count=counted.get(changed.id, 0))


routers = [public_router, visitor_router, admin_router]
