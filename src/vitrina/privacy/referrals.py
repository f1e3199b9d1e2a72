"""A known customer's erasure: what goes at once, and what waits for the DPO.

A guest session's own data (its chat, choices and signals) is erased as soon as the
visitor asks. A session verified as a customer also speaks for the customer's CRM
profile, contracts and identities: those may be under a legal hold (a running financing
contract must be kept), so the request is referred to the brand's data-protection
officer with status `review`. The sweep never runs a request under review; the DPO
approves it (then it runs like any other) or answers the customer. The customer reads
where it stands, the holds and the date it is due from `GET .../erasure`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict
from vitrina.privacy import keys, subjects
from vitrina.privacy.errors import PrivacyErrorCode
from vitrina.privacy.models import PrivacyRequest
from vitrina.privacy.requests import RESPONSE_DUE

REVIEW = "review"
AWAITING_DPO = "awaiting_dpo"


async def refer(
    db: AsyncSession, *, brand_id: str, customer_id: str, filed_by: str
) -> PrivacyRequest:
    """File (once) the customer's erasure for the DPO's review; `filed_by` is the guest
    subject that asked, so that the same visitor can follow it after their session's
    own data is gone."""
    subject = subjects.customer(customer_id)
    if await keys.is_erased(db, subject=subject):
        raise Conflict("This subject was erased already.", code=PrivacyErrorCode.SUBJECT_ERASED)
    existing = await _open_referral(db, brand_id=brand_id, subject=subject)
    if existing is not None:
        return existing
    now = utcnow()
    req = PrivacyRequest(
        id=new_id(),
        brand_id=brand_id,
        subject=subject,
        kind="erasure",
        status=REVIEW,
        progress=0.0,
        step=AWAITING_DPO,
        requested_by=filed_by,
        requested_at=now,
        due_at=now + RESPONSE_DUE,
        summary={},
    )
    db.add(req)
    await db.flush()
    return req


async def _open_referral(db: AsyncSession, *, brand_id: str, subject: str) -> PrivacyRequest | None:
    return (
        await db.execute(
            select(PrivacyRequest).where(
                PrivacyRequest.brand_id == brand_id,
                PrivacyRequest.subject == subject,
                PrivacyRequest.kind == "erasure",
                PrivacyRequest.status.in_((REVIEW, "pending", "running")),
            )
        )
    ).scalar_one_or_none()


async def filed_by(db: AsyncSession, *, brand_id: str, guest_subject: str) -> PrivacyRequest | None:
    """The latest customer erasure this visitor asked for, whatever became of it."""
    return (
        await db.execute(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.brand_id == brand_id,
                PrivacyRequest.kind == "erasure",
                PrivacyRequest.requested_by == guest_subject,
            )
            .order_by(PrivacyRequest.requested_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def approve(db: AsyncSession, *, req: PrivacyRequest) -> PrivacyRequest:
    """The DPO found no hold that stops it: the erasure runs like any other request."""
    if req.status != REVIEW:
        raise Conflict(
            "Only a request under review can be approved.",
            code=PrivacyErrorCode.NOT_UNDER_REVIEW,
        )
    req.status = "pending"
    req.step = "queued"
    await db.flush()
    return req
