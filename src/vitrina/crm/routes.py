"""Customer 360, the identity graph, notes, timeline, merges and account data over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from vitrina.api.deps import (
    GUEST_OR_STAFF,
    STAFF,
    AnyPrincipal,
    Bus,
    DbSession,
    StaffPrincipal,
    staff_or_scope,
)
from vitrina.api.paging import Limit, Offset
from vitrina.core.errors import AppError, Forbidden
from vitrina.core.security import Principal, Scope
from vitrina.core.timerange import Instant
from vitrina.crm import accounts, merge, service
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.identifiers import Identifier, InvalidIdentifier, normalise
from vitrina.crm.schemas import (
    AccountRead,
    ConsentRead,
    ContractRead,
    Customer360,
    CustomerCreate,
    CustomerPage,
    CustomerRead,
    CustomerUpdate,
    IdentityCreate,
    IdentityRead,
    MergeCreate,
    MergeRead,
    NoteCreate,
    NoteRead,
    ServiceRecordRead,
    TimelineAppend,
    TimelineEntryRead,
    VehicleRead,
)
from vitrina.privacy import service as privacy

READ = staff_or_scope(Scope.CRM_READ)
WRITE = staff_or_scope(Scope.CRM_WRITE)
read_router = APIRouter(prefix="/api/crm", tags=["crm"], dependencies=[Depends(READ)])
write_router = APIRouter(prefix="/api/crm", tags=["crm"], dependencies=[Depends(WRITE)])
staff_router = APIRouter(prefix="/api/crm", tags=["crm"], dependencies=[Depends(STAFF)])
customer_router = APIRouter(
    prefix="/api/customer", tags=["customer"], dependencies=[Depends(GUEST_OR_STAFF)]
)
Caller = Annotated[Principal, Depends(READ)]
Writer = Annotated[Principal, Depends(WRITE)]


ReasonQuery = Annotated[str, Query(max_length=500, description="Why you read it (audited).")]
NO_REASON = "no reason given"


async def _audit(
    db: DbSession, principal: Principal, brand_id: str, root_id: str, what: str, reason: str
) -> None:
    """Staff reads of a profile go to the access log; the DPO sees reads without a reason."""
    await privacy.record_access(
        db,
        principal=principal,
        brand_id=brand_id,
        subject=f"customer:{root_id}",
        what=what,
        why=reason.strip() or NO_REASON,
    )


def _identifier(body: IdentityCreate) -> tuple[Identifier, int | None]:
    try:
        return normalise(body.kind, body.value), body.chain_id
    except InvalidIdentifier as exc:
        raise AppError(str(exc), code=CrmErrorCode.INVALID_IDENTIFIER, field=body.kind) from None


@read_router.get(
    "/customers", response_model=CustomerPage, summary="Search customers by any identifier"
)
async def search_customers(
    principal: Caller,
    db: DbSession,
    q: Annotated[str | None, Query(max_length=255)] = None,
    brand: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> CustomerPage:
    items, total = await service.search(
        db, principal=principal, query=q, brand_slug=brand, offset=offset, limit=limit
    )
    return CustomerPage(
        items=[CustomerRead.model_validate(p) for p in items],
        total=total,
        offset=offset,
        limit=limit,
    )


@read_router.get(
    "/customers/{customer_id}", response_model=Customer360, summary="Customer 360 view"
)
async def customer_360(
    customer_id: str, principal: Caller, db: DbSession, reason: ReasonQuery = ""
) -> Customer360:
    asked = await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    root = await service.root_of(db, asked)
    family = await service.family_ids(db, root_id=root.id)
    await _audit(db, principal, root.brand_id, root.id, "crm.customer_360", reason)
    return Customer360(
        profile=CustomerRead.model_validate(root),
        merged_profile_ids=family[1:],
        identities=[
            IdentityRead.model_validate(i)
            for i in await service.identities_of(db, profile_ids=family)
        ],
        consents=[
            ConsentRead(
                purpose=s.purpose, granted=s.granted, in_force=s.in_force, recorded_at=s.recorded_at
            )
            for s in (
                await privacy.consent_state(
                    db, brand_id=root.brand_id, subject=f"customer:{root.id}"
                )
            ).values()
        ],
        timeline=[
            TimelineEntryRead.model_validate(e)
            for e in await service.timeline(db, profile_ids=family, limit=50)
        ],
        notes=[NoteRead.model_validate(n) for n in await service.notes_of(db, profile_ids=family)],
        merges=[MergeRead.model_validate(m) for m in await merge.merges_of(db, profile_ids=family)],
    )


@read_router.get(
    "/customers/{customer_id}/timeline",
    response_model=list[TimelineEntryRead],
    summary="A customer's timeline, newest first (page with `before`)",
)
async def customer_timeline(
    customer_id: str,
    principal: Caller,
    db: DbSession,
    before: Instant | None = None,
    limit: Limit = 50,
    reason: ReasonQuery = "",
) -> list[TimelineEntryRead]:
    asked = await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    root = await service.root_of(db, asked)
    family = await service.family_ids(db, root_id=root.id)
    await _audit(db, principal, root.brand_id, root.id, "crm.timeline", reason)
    entries = await service.timeline(db, profile_ids=family, before=before, limit=limit)
    return [TimelineEntryRead.model_validate(e) for e in entries]


@write_router.post(
    "/customers",
    response_model=CustomerRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer",
)
async def create_customer(
    body: CustomerCreate, principal: Writer, db: DbSession, bus: Bus
) -> CustomerRead:
    brand_id = await service.brand_id_for(db, principal, body.brand)
    idents = [_identifier(i) for i in body.identities]
    profile = await service.create(
        db,
        bus=bus,
        brand_id=brand_id,
        display_name=body.display_name,
        locale=body.locale,
        tags=body.tags,
        identities=idents,
        source="staff" if principal.kind == "staff" else "api",
    )
    return CustomerRead.model_validate(profile)


@write_router.patch(
    "/customers/{customer_id}", response_model=CustomerRead, summary="Update name, locale, tags"
)
async def update_customer(
    customer_id: str, body: CustomerUpdate, principal: Writer, db: DbSession, bus: Bus
) -> CustomerRead:
    profile = await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    profile = await service.update(
        db,
        bus=bus,
        profile=await service.root_of(db, profile),
        display_name=body.display_name,
        locale=body.locale,
        tags=body.tags,
    )
    return CustomerRead.model_validate(profile)


@write_router.post(
    "/customers/{customer_id}/identities",
    response_model=IdentityRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record an identifier (unverified: proof comes from the customer)",
)
async def add_identity(
    customer_id: str, body: IdentityCreate, principal: Writer, db: DbSession, bus: Bus
) -> IdentityRead:
    profile = await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    ident, chain_id = _identifier(body)
    row = await service.link_identity(
        db,
        bus=bus,
        profile=profile,
        identifier=ident,
        chain_id=chain_id,
        verified=False,
        source=principal.kind,
    )
    return IdentityRead.model_validate(row)


@write_router.delete(
    "/customers/{customer_id}/identities/{identity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an identifier",
)
async def remove_identity(
    customer_id: str, identity_id: str, principal: Writer, db: DbSession, bus: Bus
) -> None:
    profile = await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    await service.unlink_identity(db, bus=bus, profile=profile, identity_id=identity_id)


@write_router.post(
    "/customers/{customer_id}/notes",
    response_model=NoteRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a note",
)
async def add_note(
    customer_id: str, body: NoteCreate, principal: Writer, db: DbSession
) -> NoteRead:
    profile = await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    return NoteRead.model_validate(
        await service.add_note(db, principal=principal, profile=profile, body=body.body)
    )


@write_router.post(
    "/customers/{customer_id}/timeline",
    response_model=TimelineEntryRead,
    status_code=status.HTTP_201_CREATED,
    summary="Append to the timeline (for channels outside this installation)",
)
async def append_timeline(
    customer_id: str, body: TimelineAppend, principal: Writer, db: DbSession
) -> TimelineEntryRead:
    await service.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    entry = await service.append_timeline(
        db,
        customer_id=customer_id,
        kind=body.kind,
        summary=body.summary,
        channel=body.channel,
        data=body.data,
        occurred_at=body.occurred_at,
    )
    return TimelineEntryRead.model_validate(entry)


@write_router.post(
    "/merges",
    response_model=MergeRead,
    status_code=status.HTTP_201_CREATED,
    summary="Merge two profiles of one customer (audited, undoable)",
)
async def merge_profiles(
    body: MergeCreate, principal: Writer, db: DbSession, bus: Bus
) -> MergeRead:
    record = await merge.merge(
        db,
        bus=bus,
        survivor_id=body.survivor_id,
        merged_id=body.merged_id,
        principal=principal,
        reason=body.reason,
    )
    return MergeRead.model_validate(record)


@write_router.post("/merges/{merge_id}/undo", response_model=MergeRead, summary="Undo a merge")
async def undo_merge(merge_id: str, principal: Writer, db: DbSession, bus: Bus) -> MergeRead:
    return MergeRead.model_validate(
        await merge.undo(db, bus=bus, principal=principal, merge_id=merge_id)
    )


def _account(account: accounts.Account) -> AccountRead:
    return AccountRead(
        customer_id=account.profile.id,
        display_name=account.profile.display_name,
        contracts=[ContractRead.model_validate(c) for c in account.contracts],
        vehicles=[
            VehicleRead(
                vin=v.vin,
                model=v.model,
                year=v.year,
                registration=v.registration,
                service_history=[ServiceRecordRead.model_validate(r) for r in records],
            )
            for v, records in account.vehicles
        ],
    )


@staff_router.get(
    "/customers/{customer_id}/account",
    response_model=AccountRead,
    summary="A customer's account data (staff; the reason is logged)",
)
async def staff_read_account(
    customer_id: str,
    principal: StaffPrincipal,
    db: DbSession,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> AccountRead:
    return _account(
        await accounts.read_account(db, principal=principal, customer_id=customer_id, reason=reason)
    )


@customer_router.get(
    "/account",
    response_model=AccountRead,
    summary="My account data (guest session verified as the customer)",
)
async def my_account(principal: AnyPrincipal, db: DbSession) -> AccountRead:
    if principal.is_staff:
        raise Forbidden("Staff read a customer's account at /api/crm/customers/{id}/account.")
    return _account(await accounts.read_account(db, principal=principal))


routers = [read_router, write_router, staff_router, customer_router]
