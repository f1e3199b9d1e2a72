"""Merging two profiles of one customer, audited and undoable.

A merge moves nothing: the merged profile points at the survivor and every read gathers
the survivor's family, so undoing a merge is clearing that pointer. Identities, notes and
timeline entries added after the merge belong to the survivor and stay there.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import service
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.events import MergeUndone, ProfilesMerged, emit
from vitrina.crm.models import ProfileMerge


def _actor(principal: Principal | None) -> str:
    if principal is None:
        return "customer-proof"
    return f"{principal.kind}:{principal.user_id or principal.session_id}:{principal.display_name}"


async def merge(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    survivor_id: str,
    merged_id: str,
    principal: Principal | None,
    reason: str,
) -> ProfileMerge:
    """Fold `merged_id`'s family into `survivor_id`'s. `principal` None means the customer
    proved both sides themselves (signed in with both identifiers)."""
    if principal is not None:
        survivor = await service.get_visible_or_raise(
            db, principal=principal, customer_id=survivor_id
        )
        merged = await service.get_visible_or_raise(db, principal=principal, customer_id=merged_id)
    else:
        survivor = await service.get_or_raise(db, customer_id=survivor_id)
        merged = await service.get_or_raise(db, customer_id=merged_id)
    survivor = await service.root_of(db, survivor)
    merged = await service.root_of(db, merged)
    if survivor.id == merged.id:
        raise AppError("These profiles are already one customer.", code=CrmErrorCode.MERGE_INVALID)
    if survivor.brand_id != merged.brand_id:
        raise AppError(
            "Profiles of different brands cannot be merged.", code=CrmErrorCode.MERGE_INVALID
        )
    merged.merged_into_id = survivor.id
    survivor.tags = sorted(set(survivor.tags) | set(merged.tags))
    if not survivor.display_name:
        survivor.display_name = merged.display_name
    record = ProfileMerge(
        id=new_id(),
        brand_id=survivor.brand_id,
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor=_actor(principal)[:120],
        reason=reason[:500],
        created_at=utcnow(),
        undone_at=None,
        undone_by=None,
    )
    db.add(record)
    await db.flush()
    await emit(
        db,
        bus,
        ProfilesMerged(
            brand_id=survivor.brand_id,
            customer_id=survivor.id,
            data={"merge_id": record.id, "merged_id": merged.id, "reason": record.reason},
        ),
    )
    return record


async def get_visible_or_raise(
    db: AsyncSession, *, principal: Principal, merge_id: str
) -> ProfileMerge:
    record = await db.get(ProfileMerge, merge_id)
    visible = await service.visible_brand_ids(db, principal)
    if record is None or (visible is not None and record.brand_id not in visible):
        raise NotFound(f"No merge {merge_id}.", code=CrmErrorCode.MERGE_NOT_FOUND)
    return record


async def undo(
    db: AsyncSession, *, bus: EventBus | None, principal: Principal, merge_id: str
) -> ProfileMerge:
    record = await get_visible_or_raise(db, principal=principal, merge_id=merge_id)
    if record.undone_at is not None:
        raise Conflict("This merge was already undone.", code=CrmErrorCode.MERGE_ALREADY_UNDONE)
    merged = await service.get_or_raise(db, customer_id=record.merged_id)
    if merged.merged_into_id == record.survivor_id:
        merged.merged_into_id = None
    record.undone_at = utcnow()
    record.undone_by = _actor(principal)[:120]
    await db.flush()
    await emit(
        db,
        bus,
        MergeUndone(
            brand_id=record.brand_id,
            customer_id=record.survivor_id,
            data={"merge_id": record.id, "merged_id": record.merged_id},
        ),
    )
    return record


async def merges_of(db: AsyncSession, *, profile_ids: list[str]) -> list[ProfileMerge]:
    rows = await db.execute(
        select(ProfileMerge)
        .where(ProfileMerge.survivor_id.in_(profile_ids) | ProfileMerge.merged_id.in_(profile_ids))
        .order_by(ProfileMerge.created_at.desc())
    )
    return list(rows.scalars())
