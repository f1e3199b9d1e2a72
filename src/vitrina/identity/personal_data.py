"""What identity holds about a visitor or customer, for the access export, erasure and retention.

A guest session (`guest:<session id>`) has a display name; the proofs it asked for
(`customer_challenge`: an email address or DID to prove, a digest of the secret) and the
verifications it earned (`customer_verification`: which customer, by which identifier)
are tied to it by `session_id`. For a customer (`customer:<profile id>`) the same rows are
found through the verifications naming any profile of the customer's merge family.

Erasure deletes challenges and verifications (short-lived proofs that nothing else
needs) and blanks the guest session's display name; the session row stays because other
records point at its id. Used or expired challenges and expired verifications are purged
by the retention job.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core import sealing
from vitrina.crm import service as crm
from vitrina.crm.models import CustomerVerification
from vitrina.identity.models import CustomerChallenge, GuestSession
from vitrina.privacy.registry import (
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
)

CHALLENGE_RETENTION_DAYS = 30
VERIFICATION_RETENTION_DAYS = 90
ERASED_NAME = "Guest"

# Sealed under the guest session they belong to.
sealing.seal_columns(GuestSession, "display_name", subject=lambda _r, s: f"guest:{s.id}")
sealing.seal_columns(
    CustomerChallenge,
    "subject",
    subject=lambda _r, c: f"guest:{c.session_id}",
    blind={"subject": sealing.Blind("subject_hash")},
)
sealing.seal_columns(
    CustomerVerification, "identifier", subject=lambda _r, v: f"guest:{v.session_id}"
)
sealing.not_personal(
    "staff_user",
    email="a member of staff's sign-in (staff accounts are not customer data)",
    display_name="a member of staff's name",
)
sealing.not_personal(
    "staff_session", ip="a member of staff's address", user_agent="a staff browser"
)
sealing.not_personal("api_token", name="an integration's label")


async def _customer_family(db: AsyncSession, customer_id: str) -> list[str]:
    profile = await crm.get(db, customer_id=customer_id)
    if profile is None:
        # The profile may be gone; its id is still what the verifications name.
        return [customer_id]
    root = await crm.root_of(db, profile)
    return await crm.family_ids(db, root_id=root.id)


async def _sessions_and_identifiers(
    db: AsyncSession, req: DataRequest
) -> tuple[list[str], list[str], ColumnElement[bool]]:
    """The subject's guest sessions, the blind indexes of the identifiers it proved, and its
    verifications."""
    kind, _, value = req.subject.partition(":")
    if kind == "guest" and value:
        mine = CustomerVerification.session_id == value
    elif kind == "customer" and value:
        mine = CustomerVerification.customer_id.in_(await _customer_family(db, value))
    else:
        return [], [], false()
    rows = await db.execute(
        select(CustomerVerification).where(mine, CustomerVerification.brand_id == req.brand_id)
    )
    found = list(rows.scalars())
    sessions = sorted({v.session_id for v in found} | ({value} if kind == "guest" else set()))
    proved = sorted({v.identifier for v in found if v.identifier})
    return sessions, await sealing.blind_many(db, proved), mine


def _challenges_of(sessions: list[str], identifiers: list[str]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if sessions:
        conditions.append(CustomerChallenge.session_id.in_(sessions))
    if identifiers:
        conditions.append(CustomerChallenge.subject_hash.in_(identifiers))
    return or_(*conditions) if conditions else false()


# --- sign-in challenges and verifications --------------------------------------------------


async def _export_verification(db: AsyncSession, req: DataRequest) -> list[Row]:
    sessions, identifiers, mine = await _sessions_and_identifiers(db, req)
    out: list[Row] = []
    verifications = await db.execute(
        select(CustomerVerification)
        .where(mine, CustomerVerification.brand_id == req.brand_id)
        .order_by(CustomerVerification.verified_at, CustomerVerification.id)
    )
    for v in verifications.scalars():
        out.append(
            {
                "record": "verification",
                "customer": v.customer_id,
                "method": v.method,
                "level": v.level,
                "identifier": v.identifier,
                "verified_at": v.verified_at,
                "expires_at": v.expires_at,
            }
        )
    challenges = await db.execute(
        select(CustomerChallenge)
        .where(_challenges_of(sessions, identifiers), CustomerChallenge.brand_id == req.brand_id)
        .order_by(CustomerChallenge.created_at, CustomerChallenge.id)
    )
    for c in challenges.scalars():
        out.append(
            {
                "record": "challenge",
                "method": c.kind,
                "identifier": c.subject,
                "attempts": c.attempts,
                "created_at": c.created_at,
                "expires_at": c.expires_at,
                "used_at": c.used_at,
            }
        )
    return out


async def _erase_verification(db: AsyncSession, req: DataRequest) -> int:
    sessions, identifiers, mine = await _sessions_and_identifiers(db, req)
    challenges = await db.execute(
        delete(CustomerChallenge)
        .where(_challenges_of(sessions, identifiers), CustomerChallenge.brand_id == req.brand_id)
        .execution_options(synchronize_session=False)
    )
    verifications = await db.execute(
        delete(CustomerVerification)
        .where(mine, CustomerVerification.brand_id == req.brand_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(challenges, "rowcount", 0)) + int(getattr(verifications, "rowcount", 0))


async def _purge_challenges(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(
        delete(CustomerChallenge).where(CustomerChallenge.expires_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0))


async def _purge_verifications(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(
        delete(CustomerVerification).where(CustomerVerification.expires_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0))


async def _sealed_subjects(db: AsyncSession, req: DataRequest) -> set[str]:
    """The guest sessions that proved to be the customer (a customer's erasure shreds them)."""
    sessions, _, _ = await _sessions_and_identifiers(db, req)
    return {f"guest:{s}" for s in sessions}


# --- the guest session ---------------------------------------------------------------------


async def _guest_session(db: AsyncSession, req: DataRequest) -> GuestSession | None:
    kind, _, session_id = req.subject.partition(":")
    if kind != "guest" or not session_id:
        return None
    session = await db.get(GuestSession, session_id)
    if session is None:
        return None
    if session.brand_slug is not None:
        slug = next((b.slug for b in await brands.list_brands(db) if b.id == req.brand_id), None)
        if session.brand_slug != slug:
            return None
    return session


async def _export_session(db: AsyncSession, req: DataRequest) -> list[Row]:
    session = await _guest_session(db, req)
    if session is None:
        return []
    return [
        {
            "session": session.id,
            "display_name": session.display_name,
            "locale": session.locale,
            "brand": session.brand_slug,
            "created_at": session.created_at,
        }
    ]


async def _erase_session(db: AsyncSession, req: DataRequest) -> int:
    session = await _guest_session(db, req)
    if session is None:
        return 0
    await db.execute(
        update(GuestSession)
        .where(GuestSession.id == session.id)
        .values(display_name=ERASED_NAME, sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    return 1


register(
    PersonalDataSource(
        name="identity.verification",
        tables=["customer_challenge", "customer_verification"],
        export=_export_verification,
        erase=_erase_verification,
        sealed_subjects=_sealed_subjects,
        # Verifications of a customer are found through the CRM profile family.
        erase_before=("crm.profile",),
        retention=[
            RetentionRule(
                kind="sign_in_challenges", days=CHALLENGE_RETENTION_DAYS, purge=_purge_challenges
            ),
            RetentionRule(
                kind="verifications", days=VERIFICATION_RETENTION_DAYS, purge=_purge_verifications
            ),
        ],
        description=(
            "Sign-in proofs: the email addresses, wallets and DIDs you proved, when, "
            "and which customer record that verified."
        ),
    )
)
register(
    PersonalDataSource(
        name="identity.guest_session",
        tables=["guest_session"],
        export=_export_session,
        erase=_erase_session,
        erase_before=("crm.profile",),
        description="Your visitor session: the name shown to others, language and brand.",
    )
)
