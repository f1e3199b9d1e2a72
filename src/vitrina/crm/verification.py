"""Step-up verification: which customer a guest session has proved to be, and how strongly.

Level 1 is a one-time code sent to an email address (possession of a mailbox); level 2 is
a signature by a key the customer holds (an Ethereum wallet or a did:key). A verification
lasts `customer_verification_ttl_s`; reading account data asks for a live one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm.models import CustomerVerification


class Level(IntEnum):
    EMAIL_CODE = 1
    KEY_SIGNATURE = 2


@dataclass(frozen=True, slots=True)
class Verified:
    customer_id: str
    brand_id: str
    level: int
    method: str
    identifier: str
    verified_at: datetime
    expires_at: datetime


async def record(
    db: AsyncSession,
    *,
    principal: Principal,
    brand_id: str,
    customer_id: str,
    method: str,
    level: int,
    identifier: str,
    ttl_s: int,
) -> Verified:
    now = utcnow()
    row = CustomerVerification(
        id=new_id(),
        session_id=principal.session_id,
        brand_id=brand_id,
        customer_id=customer_id,
        method=method,
        level=level,
        identifier=identifier[:255],
        verified_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    db.add(row)
    await db.flush()
    return Verified(customer_id, brand_id, level, method, row.identifier, now, row.expires_at)


async def sessions_of(db: AsyncSession, *, customer_ids: Sequence[str], brand_id: str) -> list[str]:
    """The guest sessions ever verified as one of these customers on the brand."""
    if not customer_ids:
        return []
    rows = await db.execute(
        select(CustomerVerification.session_id)
        .where(
            CustomerVerification.customer_id.in_(list(customer_ids)),
            CustomerVerification.brand_id == brand_id,
        )
        .distinct()
    )
    return sorted(rows.scalars())


async def customer_of_session(
    db: AsyncSession, *, session_id: str, brand_id: str | None = None
) -> str | None:
    """The customer a guest session is verified as, for events that carry only a session id."""
    principal = Principal(kind="guest", session_id=session_id, display_name="")
    return await verified_customer(db, principal=principal, brand_id=brand_id)


async def current(
    db: AsyncSession,
    *,
    principal: Principal,
    brand_id: str | None = None,
    min_level: int = Level.EMAIL_CODE,
    now: datetime | None = None,
) -> Verified | None:
    """The session's live verification (strongest, then latest), with merges followed."""
    if principal.kind != "guest":
        return None
    now = now or utcnow()
    stmt = select(CustomerVerification).where(
        CustomerVerification.session_id == principal.session_id,
        CustomerVerification.expires_at > now,
        CustomerVerification.level >= min_level,
    )
    if brand_id is not None:
        stmt = stmt.where(CustomerVerification.brand_id == brand_id)
    rows = await db.execute(
        stmt.order_by(CustomerVerification.level.desc(), CustomerVerification.verified_at.desc())
    )
    row = rows.scalars().first()
    if row is None:
        return None
    profile = await crm.get(db, customer_id=row.customer_id)
    if profile is None:
        return None
    root = await crm.root_of(db, profile)
    return Verified(
        root.id,
        row.brand_id,
        row.level,
        row.method,
        row.identifier,
        row.verified_at,
        row.expires_at,
    )


async def verified_customer(
    db: AsyncSession,
    *,
    principal: Principal,
    brand_id: str | None = None,
    min_level: int = Level.EMAIL_CODE,
) -> str | None:
    """The id of the customer this session is verified as, or None (the bot's question)."""
    found = await current(db, principal=principal, brand_id=brand_id, min_level=min_level)
    return found.customer_id if found else None


async def forget(db: AsyncSession, *, principal: Principal) -> None:
    """End every verification of this session (the customer signs out)."""
    await db.execute(
        delete(CustomerVerification).where(CustomerVerification.session_id == principal.session_id)
    )
