"""The staff access audit: who read which subject's personal data, what, and why."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError
from vitrina.core.security import Principal
from vitrina.privacy.errors import PrivacyErrorCode
from vitrina.privacy.models import AccessAudit


async def record_access(
    db: AsyncSession,
    *,
    principal: Principal,
    brand_id: str,
    subject: str,
    what: str,
    why: str,
) -> AccessAudit:
    """Note that a member of staff read `what` about `subject`, and why. Call it on every read."""
    if not why.strip():
        raise AppError(
            "Say why you need this customer's data.", code=PrivacyErrorCode.REASON_REQUIRED
        )
    row = AccessAudit(
        id=new_id(),
        brand_id=brand_id,
        staff_user_id=principal.user_id,
        staff_name=principal.display_name,
        subject=subject,
        what=what[:120],
        why=why.strip()[:500],
        at=utcnow(),
    )
    db.add(row)
    await db.flush()
    return row


async def record_reads(
    db: AsyncSession,
    *,
    principal: Principal,
    brand_id: str,
    subjects: Iterable[str],
    what: str,
    why: str,
) -> int:
    """`record_access` for a list that shows several people at once (an agenda): one row
    per person, one flush."""
    if not why.strip():
        raise AppError(
            "Say why you need this customer's data.", code=PrivacyErrorCode.REASON_REQUIRED
        )
    at = utcnow()
    rows = [
        AccessAudit(
            id=new_id(),
            brand_id=brand_id,
            staff_user_id=principal.user_id,
            staff_name=principal.display_name,
            subject=subject,
            what=what[:120],
            why=why.strip()[:500],
            at=at,
        )
        for subject in dict.fromkeys(subjects)
    ]
    db.add_all(rows)
    await db.flush()
    return len(rows)


async def list_access(
    db: AsyncSession,
    *,
    brand_ids: set[str] | None,
    subject: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AccessAudit], int]:
    query = select(AccessAudit)
    if brand_ids is not None:
        query = query.where(AccessAudit.brand_id.in_(sorted(brand_ids)))
    if subject is not None:
        query = query.where(AccessAudit.subject == subject)
    total = (await db.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await db.execute(
        query.order_by(AccessAudit.at.desc(), AccessAudit.id).offset(offset).limit(limit)
    )
    return list(rows.scalars()), total
