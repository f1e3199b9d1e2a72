"""did:key sign-in: the holder of an Ed25519 did:key signs a server-issued challenge."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm.identifiers import Identifier, IdentityKind
from vitrina.crm.verification import Level
from vitrina.identity import didkey
from vitrina.identity.customer_service import (
    Outcome,
    ProofRefused,
    complete,
    consume,
    guest_only,
    new_challenge,
    refuse,
    sha,
    site_domain,
)
from vitrina.identity.models import CustomerChallenge

_DID_NONCE = re.compile(r"^Nonce: ([a-f0-9]{32})$", re.MULTILINE)


def did_challenge_text(*, domain: str, did: str, nonce: str, expires_at: datetime) -> str:
    return (
        f"{domain} asks you to prove that you control {did} to sign in.\n"
        f"Nonce: {nonce}\n"
        f"Expiration Time: {expires_at.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    )


async def issue_did_challenge(
    db: AsyncSession, *, settings: Settings, principal: Principal, brand_slug: str, did: str
) -> tuple[CustomerChallenge, str]:
    guest_only(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=brand_slug)
    try:
        didkey.public_key_of(did)
    except didkey.DidKeyError as exc:
        raise ProofRefused("did", exc.reason, exc.detail) from None
    nonce = secrets.token_hex(16)
    row = await new_challenge(
        db, kind="did", principal=principal, brand_id=brand.id, secret_hash=sha(nonce), subject=did
    )
    text = did_challenge_text(
        domain=site_domain(settings), did=did, nonce=nonce, expires_at=row.expires_at
    )
    return row, text


async def verify_did(
    db: AsyncSession,
    *,
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus | None,
    settings: Settings,
    principal: Principal,
    challenge_text: str,
    signature: str,
    link: bool = False,
) -> Outcome:
    guest_only(principal)
    match = _DID_NONCE.search(challenge_text)
    challenge = None
    if match is not None:
        challenge = (
            await db.execute(
                select(CustomerChallenge).where(
                    CustomerChallenge.secret_hash == sha(match[1]),
                    CustomerChallenge.kind == "did",
                    CustomerChallenge.session_id == principal.session_id,
                )
            )
        ).scalar_one_or_none()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= utcnow():
        raise await refuse(
            sessions,
            challenge,
            method="did",
            reason="invalid_nonce",
            detail="The challenge is unknown, used or expired.",
            principal=principal,
        )
    assert match is not None
    expected = did_challenge_text(
        domain=site_domain(settings),
        did=challenge.subject,
        nonce=match[1],
        expires_at=challenge.expires_at,
    )
    try:
        if challenge_text != expected:
            raise didkey.DidKeyError("wrong_challenge", "the signed text is not the challenge")
        didkey.verify(challenge.subject, challenge_text, signature)
    except didkey.DidKeyError as exc:
        raise await refuse(
            sessions,
            challenge,
            method="did",
            reason=exc.reason,
            detail=exc.detail,
            principal=principal,
        ) from None
    if not await consume(db, challenge):
        raise ProofRefused("did", "invalid_nonce", "The challenge was used by another request.")
    return await complete(
        db,
        bus=bus,
        settings=settings,
        principal=principal,
        brand_id=challenge.brand_id,
        identifier=Identifier(IdentityKind.DID, challenge.subject),
        chain_id=None,
        method="did",
        level=Level.KEY_SIGNATURE,
        link=link,
    )
