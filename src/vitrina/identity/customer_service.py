"""Customer proofs from a guest session: SIWE, email one-time codes and did:key.

Each proof answers a server-issued, single-use challenge bound to the guest session and
brand. A successful proof makes the session verified as the customer who holds that
identifier (creating the profile on first sign-in). With `link`, a session that is
already verified adds the new identifier to its customer: the customer has then proved
both sides, and when the identifier belonged to another profile the two are merged.

A refused proof raises `ProofRefused`; the challenge is burned (or its attempt counted)
in a transaction of its own, so the refusal sticks although the request rolls back.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict, Forbidden
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import merge as crm_merge
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.identifiers import Identifier, IdentityKind
from vitrina.crm.verification import Level, Verified
from vitrina.identity import siwe
from vitrina.identity.models import CustomerChallenge

log = structlog.get_logger(__name__)

SIWE_STATEMENT = "Sign in to the virtual store."
_CHALLENGE_TTL = timedelta(minutes=10)
_DID_NONCE = re.compile(r"^Nonce: ([a-f0-9]{32})$", re.MULTILINE)


class ProofRefused(AppError):
    status = 401

    def __init__(self, method: str, reason: str, detail: str) -> None:
        status = 400 if reason.startswith("malformed") else 401
        super().__init__(detail, code=f"{method}_{reason}", status=status)


@dataclass(frozen=True, slots=True)
class Outcome:
    verified: Verified
    display_name: str
    created: bool


@dataclass(frozen=True, slots=True)
class SiweParams:
    nonce: str
    domain: str
    uri: str
    chain_ids: list[int]
    statement: str
    expires_at: datetime


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def guest_only(principal: Principal) -> None:
    if principal.kind != "guest":
        raise Forbidden("Customer sign-in starts from a guest session.")


def site_domain(settings: Settings) -> str:
    return urlsplit(settings.public_url).netloc


async def new_challenge(
    db: AsyncSession,
    *,
    kind: str,
    principal: Principal,
    brand_id: str,
    secret_hash: str,
    subject: str = "",
    link: bool = False,
    ttl: timedelta = _CHALLENGE_TTL,
    challenge_id: str | None = None,
) -> CustomerChallenge:
    now = utcnow()
    row = CustomerChallenge(
        id=challenge_id or new_id(),
        kind=kind,
        session_id=principal.session_id,
        brand_id=brand_id,
        secret_hash=secret_hash,
        subject=subject,
        link=link,
        attempts=0,
        created_at=now,
        expires_at=now + ttl,
        used_at=None,
    )
    db.add(row)
    await db.flush()
    return row


async def refuse(
    sessions: async_sessionmaker[AsyncSession],
    challenge: CustomerChallenge | None,
    *,
    method: str,
    reason: str,
    detail: str,
    principal: Principal,
    burn: bool = True,
) -> ProofRefused:
    """Log the refusal and persist its effect on the challenge outside the request's transaction."""
    log.warning(
        "customer_proof_refused", method=method, reason=reason, session_id=principal.session_id
    )
    if challenge is not None:
        async with sessions() as own, own.begin():
            values: dict[str, object] = {"attempts": CustomerChallenge.attempts + 1}
            if burn:
                values["used_at"] = utcnow()
            await own.execute(
                update(CustomerChallenge).where(CustomerChallenge.id == challenge.id).values(values)
            )
    return ProofRefused(method, reason, detail)


async def consume(db: AsyncSession, challenge: CustomerChallenge) -> bool:
    """Mark the challenge used; False when another request used it first."""
    result = await db.execute(
        update(CustomerChallenge)
        .where(CustomerChallenge.id == challenge.id, CustomerChallenge.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def complete(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    settings: Settings,
    principal: Principal,
    brand_id: str,
    identifier: Identifier,
    chain_id: int | None,
    method: str,
    level: Level,
    link: bool,
) -> Outcome:
    if link:
        held = await verification.current(db, principal=principal, brand_id=brand_id)
        if held is None:
            raise Forbidden("Verify the session first, then link another identifier.")
        profile = await crm.get_or_raise(db, customer_id=held.customer_id)
        try:
            await crm.link_identity(
                db,
                bus=bus,
                profile=profile,
                identifier=identifier,
                chain_id=chain_id,
                verified=True,
                source=method,
            )
        except Conflict as exc:
            other = str(exc.data["customer_id"])
            await crm_merge.merge(
                db,
                bus=bus,
                survivor_id=profile.id,
                merged_id=other,
                principal=None,
                reason=f"customer proved {held.identifier} and {identifier.value}",
            )
        created = False
        level = Level(max(level, held.level))
    else:
        existing = await crm.find_identity(db, brand_id=brand_id, identifier=identifier)
        profile = await crm.resolve_verified(
            db,
            bus=bus,
            brand_id=brand_id,
            identifier=identifier,
            chain_id=chain_id,
            display_name=principal.display_name,
            source=method,
        )
        created = existing is None
    verified = await verification.record(
        db,
        principal=principal,
        brand_id=brand_id,
        customer_id=profile.id,
        method=method,
        level=level,
        identifier=identifier.value,
        ttl_s=settings.customer_verification_ttl_s,
    )
    log.info("customer_verified", method=method, customer_id=profile.id, link=link)
    return Outcome(verified, profile.display_name, created)


# --- Sign-In with Ethereum -------------------------------------------------------------


async def issue_siwe_nonce(
    db: AsyncSession, *, settings: Settings, principal: Principal, brand_slug: str
) -> SiweParams:
    guest_only(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=brand_slug)
    nonce = secrets.token_hex(16)
    row = await new_challenge(
        db, kind="siwe", principal=principal, brand_id=brand.id, secret_hash=sha(nonce)
    )
    return SiweParams(
        nonce=nonce,
        domain=site_domain(settings),
        uri=settings.public_url,
        chain_ids=list(settings.siwe_chain_ids),
        statement=SIWE_STATEMENT,
        expires_at=row.expires_at,
    )


async def sign_in_with_ethereum(
    db: AsyncSession,
    *,
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus | None,
    settings: Settings,
    principal: Principal,
    message: str,
    signature: str,
    link: bool = False,
) -> Outcome:
    guest_only(principal)
    try:
        parsed = siwe.parse_message(message)
    except siwe.SiweError as exc:
        raise await refuse(
            sessions, None, method="siwe", reason=exc.reason, detail=exc.detail, principal=principal
        ) from None
    challenge = (
        await db.execute(
            select(CustomerChallenge).where(
                CustomerChallenge.secret_hash == sha(parsed.nonce),
                CustomerChallenge.kind == "siwe",
                CustomerChallenge.session_id == principal.session_id,
            )
        )
    ).scalar_one_or_none()
    now = utcnow()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= now:
        raise await refuse(
            sessions,
            challenge,
            method="siwe",
            reason="invalid_nonce",
            detail="The nonce is unknown, used or expired; ask for a new one.",
            principal=principal,
        )
    expected = siwe.Expectations(
        domain=site_domain(settings),
        origin=settings.public_url,
        chain_ids=frozenset(settings.siwe_chain_ids),
        nonce=parsed.nonce,
        now=now,
    )
    try:
        siwe.verify(message, signature, expected)
    except siwe.SiweError as exc:
        raise await refuse(
            sessions,
            challenge,
            method="siwe",
            reason=exc.reason,
            detail=exc.detail,
            principal=principal,
        ) from None
    if not await consume(db, challenge):
        raise ProofRefused("siwe", "invalid_nonce", "The nonce was used by another request.")
    return await complete(
        db,
        bus=bus,
        settings=settings,
        principal=principal,
        brand_id=challenge.brand_id,
        identifier=Identifier(IdentityKind.WALLET, parsed.address),
        chain_id=parsed.chain_id,
        method="siwe",
        level=Level.KEY_SIGNATURE,
        link=link,
    )
