"""Customer profiles and their identities, with brand isolation on every read and write.

A principal sees the profiles of the brands it serves: staff and integration tokens
list their brands; a super-admin sees all. Outside that, a profile does
not exist (404), so one brand's staff cannot even learn another brand's customer ids.

A merged profile keeps its rows and points at the profile that absorbed it
(`merged_into_id`); reads go to the root of that chain and gather the whole family.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core import sealing
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict, Forbidden, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.events import (
    CustomerCreated,
    CustomerUpdated,
    IdentityLinked,
    IdentityUnlinked,
    emit,
)
from vitrina.crm.identifiers import Identifier, IdentityKind, candidates
from vitrina.crm.models import CustomerIdentity, CustomerNote, CustomerProfile, TimelineEntry

_MAX_CHAIN = 32


async def visible_brand_ids(db: AsyncSession, principal: Principal) -> set[str] | None:
    """The brand ids `principal` may see; None means every brand."""
    slugs = principal.visible_brands()
    if slugs is None:
        return None
    ids = set()
    for slug in slugs:
        brand = await brands.get_by_slug(db, slug=slug)
        if brand is not None:
            ids.add(brand.id)
    return ids


async def brand_id_for(db: AsyncSession, principal: Principal, brand_slug: str) -> str:
    """The id of a brand `principal` may act for; NotFound or Forbidden otherwise."""
    brand = await brands.get_by_slug_or_raise(db, slug=brand_slug)
    visible = await visible_brand_ids(db, principal)
    if visible is not None and brand.id not in visible:
        raise Forbidden(f"You do not serve the brand {brand_slug!r}.")
    return brand.id


def _not_found(customer_id: str) -> NotFound:
    return NotFound(f"No customer {customer_id}.", code=CrmErrorCode.CUSTOMER_NOT_FOUND)


async def get(db: AsyncSession, *, customer_id: str) -> CustomerProfile | None:
    return await db.get(CustomerProfile, customer_id)


async def get_or_raise(db: AsyncSession, *, customer_id: str) -> CustomerProfile:
    profile = await get(db, customer_id=customer_id)
    if profile is None:
        raise _not_found(customer_id)
    return profile


async def get_visible_or_raise(
    db: AsyncSession, *, principal: Principal, customer_id: str
) -> CustomerProfile:
    profile = await get(db, customer_id=customer_id)
    visible = await visible_brand_ids(db, principal)
    if profile is None or (visible is not None and profile.brand_id not in visible):
        raise _not_found(customer_id)
    return profile


async def root_of(db: AsyncSession, profile: CustomerProfile) -> CustomerProfile:
    """The profile that absorbed `profile` through merges (itself when never merged)."""
    for _ in range(_MAX_CHAIN):
        if profile.merged_into_id is None:
            return profile
        profile = await get_or_raise(db, customer_id=profile.merged_into_id)
    raise AppError("Merge chain too long.", code=CrmErrorCode.MERGE_INVALID, status=500)


async def family_ids(db: AsyncSession, *, root_id: str) -> list[str]:
    """The root and every profile merged into it, directly or not."""
    family, frontier = [root_id], [root_id]
    while frontier:
        rows = await db.execute(
            select(CustomerProfile.id).where(CustomerProfile.merged_into_id.in_(frontier))
        )
        frontier = list(rows.scalars())
        family += frontier
    return family


async def create(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    brand_id: str,
    display_name: str = "",
    locale: str | None = None,
    tags: Sequence[str] = (),
    identities: Iterable[tuple[Identifier, int | None]] = (),
    verified: bool = False,
    source: str = "",
) -> CustomerProfile:
    idents = list(identities)
    for ident, _ in idents:
        if await find_identity(db, brand_id=brand_id, identifier=ident) is not None:
            raise Conflict(
                f"{ident.kind} {ident.value} already belongs to a customer.",
                code=CrmErrorCode.IDENTITY_TAKEN,
            )
    profile = CustomerProfile(
        id=new_id(),
        brand_id=brand_id,
        display_name=display_name,
        locale=locale,
        tags=sorted(set(tags)),
    )
    db.add(profile)
    await db.flush()
    for ident, chain_id in idents:
        _add_identity(db, profile, ident, chain_id, verified=verified, source=source)
    await db.flush()
    await emit(
        db,
        bus,
        CustomerCreated(
            brand_id=brand_id,
            customer_id=profile.id,
            data={
                "display_name": display_name,
                "identities": [{"kind": i.kind, "value": i.value} for i, _ in idents],
                "source": source,
            },
        ),
    )
    return profile


async def update(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    profile: CustomerProfile,
    display_name: str | None = None,
    locale: str | None = None,
    tags: Sequence[str] | None = None,
) -> CustomerProfile:
    changed: dict[str, Any] = {}
    if display_name is not None and display_name != profile.display_name:
        profile.display_name = changed["display_name"] = display_name
    if locale is not None and locale != profile.locale:
        profile.locale = changed["locale"] = locale
    if tags is not None and sorted(set(tags)) != profile.tags:
        profile.tags = changed["tags"] = sorted(set(tags))
    await db.flush()
    if changed:
        await emit(
            db,
            bus,
            CustomerUpdated(brand_id=profile.brand_id, customer_id=profile.id, data=changed),
        )
    return profile


def _add_identity(
    db: AsyncSession,
    profile: CustomerProfile,
    ident: Identifier,
    chain_id: int | None,
    *,
    verified: bool,
    source: str,
) -> CustomerIdentity:
    now = utcnow()
    row = CustomerIdentity(
        id=new_id(),
        brand_id=profile.brand_id,
        profile_id=profile.id,
        kind=ident.kind.value,
        value=ident.value,
        chain_id=chain_id if ident.kind is IdentityKind.WALLET else None,
        verified_at=now if verified else None,
        source=source,
        created_at=now,
    )
    db.add(row)
    return row


async def find_identity(
    db: AsyncSession, *, brand_id: str, identifier: Identifier
) -> CustomerIdentity | None:
    result = await db.execute(
        select(CustomerIdentity).where(
            CustomerIdentity.brand_id == brand_id,
            CustomerIdentity.kind == identifier.kind.value,
            CustomerIdentity.value_hash == await sealing.blind(db, identifier.value),
        )
    )
    return result.scalar_one_or_none()


async def link_identity(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    profile: CustomerProfile,
    identifier: Identifier,
    chain_id: int | None = None,
    verified: bool = False,
    source: str = "",
) -> CustomerIdentity:
    """Attach `identifier` to `profile`'s family; Conflict when another customer holds it."""
    root = await root_of(db, profile)
    existing = await find_identity(db, brand_id=root.brand_id, identifier=identifier)
    if existing is not None:
        owner = await root_of(db, await get_or_raise(db, customer_id=existing.profile_id))
        if owner.id != root.id:
            raise Conflict(
                f"{identifier.kind} {identifier.value} belongs to another customer.",
                code=CrmErrorCode.IDENTITY_TAKEN,
                customer_id=owner.id,
            )
        if verified and existing.verified_at is None:
            existing.verified_at = utcnow()
        if chain_id is not None and identifier.kind is IdentityKind.WALLET:
            existing.chain_id = chain_id
        await db.flush()
        return existing
    row = _add_identity(db, root, identifier, chain_id, verified=verified, source=source)
    await db.flush()
    await emit(
        db,
        bus,
        IdentityLinked(
            brand_id=root.brand_id,
            customer_id=root.id,
            data={
                "kind": row.kind,
                "value": row.value,
                "chain_id": row.chain_id,
                "verified": verified,
                "source": source,
            },
        ),
    )
    return row


async def unlink_identity(
    db: AsyncSession, *, bus: EventBus | None, profile: CustomerProfile, identity_id: str
) -> None:
    family = await family_ids(db, root_id=(await root_of(db, profile)).id)
    row = await db.get(CustomerIdentity, identity_id)
    if row is None or row.profile_id not in family:
        raise NotFound(f"No identity {identity_id}.", code=CrmErrorCode.IDENTITY_NOT_FOUND)
    await db.delete(row)
    await db.flush()
    await emit(
        db,
        bus,
        IdentityUnlinked(
            brand_id=profile.brand_id,
            customer_id=profile.id,
            data={"kind": row.kind, "value": row.value},
        ),
    )


async def identities_of(db: AsyncSession, *, profile_ids: Sequence[str]) -> list[CustomerIdentity]:
    rows = await db.execute(
        select(CustomerIdentity)
        .where(CustomerIdentity.profile_id.in_(profile_ids))
        .order_by(CustomerIdentity.kind, CustomerIdentity.created_at)
    )
    return list(rows.scalars())


async def resolve_verified(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    brand_id: str,
    identifier: Identifier,
    chain_id: int | None = None,
    display_name: str = "",
    source: str,
) -> CustomerProfile:
    """The customer a freshly proven identifier belongs to, creating one on first sign-in."""
    existing = await find_identity(db, brand_id=brand_id, identifier=identifier)
    if existing is None:
        return await create(
            db,
            bus=bus,
            brand_id=brand_id,
            display_name=display_name,
            identities=[(identifier, chain_id)],
            verified=True,
            source=source,
        )
    if existing.verified_at is None:
        existing.verified_at = utcnow()
    if chain_id is not None and identifier.kind is IdentityKind.WALLET:
        existing.chain_id = chain_id
    await db.flush()
    return await root_of(db, await get_or_raise(db, customer_id=existing.profile_id))


async def search(
    db: AsyncSession,
    *,
    principal: Principal,
    query: str | None = None,
    brand_slug: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[CustomerProfile], int]:
    """Profiles matching any identifier (exact, after normalisation), or all, newest first."""
    brand_ids = await visible_brand_ids(db, principal)
    if brand_slug is not None:
        wanted = await brand_id_for(db, principal, brand_slug)
        brand_ids = {wanted}
    stmt = select(CustomerProfile).where(CustomerProfile.merged_into_id.is_(None))
    if brand_ids is not None:
        stmt = stmt.where(CustomerProfile.brand_id.in_(brand_ids))
    if query:
        found = await _search_identifier(db, brand_ids=brand_ids, query=query)
        return found[offset : offset + limit], len(found)
    total = await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = await db.execute(
        stmt.order_by(CustomerProfile.created_at.desc(), CustomerProfile.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.scalars()), total


async def _search_identifier(
    db: AsyncSession, *, brand_ids: set[str] | None, query: str
) -> list[CustomerProfile]:
    """Root profiles owning any normal form of `query` (one indexed lookup by value)."""
    keys = {(c.kind.value, c.value) for c in candidates(query)}
    if not keys:
        return []
    values = sorted({value for _, value in keys})
    hashes = dict(zip(await sealing.blind_many(db, values), values, strict=True))
    stmt = select(CustomerIdentity.kind, CustomerIdentity.value_hash, CustomerProfile).join(
        CustomerProfile, CustomerProfile.id == CustomerIdentity.profile_id
    )
    stmt = stmt.where(CustomerIdentity.value_hash.in_(hashes))
    if brand_ids is not None:
        stmt = stmt.where(CustomerIdentity.brand_id.in_(brand_ids))
    roots: dict[str, CustomerProfile] = {}
    for kind, value_hash, profile in (await db.execute(stmt)).all():
        if (kind, hashes.get(value_hash or "")) in keys:
            root = await root_of(db, profile)
            roots[root.id] = root
    return sorted(roots.values(), key=lambda p: (p.created_at, p.id), reverse=True)


async def append_timeline(
    db: AsyncSession,
    *,
    customer_id: str,
    kind: str,
    summary: str,
    channel: str = "",
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    """Record something that happened with a customer; other domains call this."""
    profile = await root_of(db, await get_or_raise(db, customer_id=customer_id))
    entry = TimelineEntry(
        id=new_id(),
        brand_id=profile.brand_id,
        profile_id=profile.id,
        kind=kind[:64],
        channel=channel[:32],
        summary=summary[:500],
        data=data or {},
        occurred_at=occurred_at or utcnow(),
    )
    db.add(entry)
    await db.flush()
    return entry


async def timeline(
    db: AsyncSession, *, profile_ids: Sequence[str], before: datetime | None = None, limit: int = 50
) -> list[TimelineEntry]:
    stmt = select(TimelineEntry).where(TimelineEntry.profile_id.in_(profile_ids))
    if before is not None:
        stmt = stmt.where(TimelineEntry.occurred_at < before)
    rows = await db.execute(
        stmt.order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id).limit(limit)
    )
    return list(rows.scalars())


async def add_note(
    db: AsyncSession, *, principal: Principal, profile: CustomerProfile, body: str
) -> CustomerNote:
    note = CustomerNote(
        id=new_id(),
        brand_id=profile.brand_id,
        profile_id=(await root_of(db, profile)).id,
        author_id=principal.user_id,
        author_name=principal.display_name,
        body=body,
        created_at=utcnow(),
    )
    db.add(note)
    await db.flush()
    return note


async def notes_of(db: AsyncSession, *, profile_ids: Sequence[str]) -> list[CustomerNote]:
    rows = await db.execute(
        select(CustomerNote)
        .where(CustomerNote.profile_id.in_(profile_ids))
        .order_by(CustomerNote.created_at.desc())
    )
    return list(rows.scalars())
