"""Proof of the customer's will for one act: a fresh signature over a text naming the act.

The customer asks for a challenge naming the key they will sign with: an Ethereum wallet
(the text is an EIP-4361 message whose statement names the act, signed with
`personal_sign`) or a did:key (a plain text, signed with Ed25519). The key must be one of
the customer's proven identities at the brand. The server keeps the SHA-256 of the exact
text it issued, with its nonce, for a few minutes; the proof is the same text, unchanged,
and a signature by that key. A challenge serves once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.models import ProofChallenge
from vitrina.core.config import Settings
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Forbidden
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm.identifiers import Identifier, IdentityKind, InvalidIdentifier, normalise
from vitrina.identity import didkey, siwe
from vitrina.identity.customer_service import site_domain

Method = Literal["siwe", "did"]
TTL = timedelta(minutes=10)
_NONCE = re.compile(r"^Nonce: ([A-Za-z0-9]{16,64})$", re.MULTILINE)


class ProofInvalid(AppError):
    status = 403
    code = CommerceErrorCode.PROOF_INVALID


@dataclass(frozen=True, slots=True)
class Issued:
    challenge: ProofChallenge
    text: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _identifier(method: Method, signer: str) -> Identifier:
    try:
        return normalise(IdentityKind.WALLET if method == "siwe" else IdentityKind.DID, signer)
    except InvalidIdentifier as exc:
        raise ProofInvalid(f"{signer!r} is not a usable key: {exc}") from None


async def holds(
    db: AsyncSession, *, brand: Brand, customer_id: str, identifier: Identifier
) -> bool:
    """Whether `identifier` is a proven identity of the customer (merges followed)."""
    found = await crm.find_identity(db, brand_id=brand.id, identifier=identifier)
    if found is None or found.verified_at is None:
        return False
    owner = await crm.root_of(db, await crm.get_or_raise(db, customer_id=found.profile_id))
    return owner.id == customer_id


async def issue(
    db: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    brand: Brand,
    customer_id: str,
    purpose: str,
    target_id: str,
    action: str,
    method: Method,
    signer: str,
    terms: dict[str, Any],
) -> Issued:
    identifier = _identifier(method, signer)
    if not await holds(db, brand=brand, customer_id=customer_id, identifier=identifier):
        raise Forbidden(
            "Sign with a wallet or DID you have signed in with at this brand.",
            code=CommerceErrorCode.PROOF_INVALID,
        )
    nonce = secrets.token_hex(16)
    now = utcnow()
    expires = now + TTL
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    if method == "siwe":
        text = siwe.build_message(
            domain=site_domain(settings),
            address=identifier.value,
            uri=settings.public_url,
            chain_id=settings.siwe_chain_ids[0],
            nonce=nonce,
            issued_at=now.strftime(stamp),
            expiration_time=expires.strftime(stamp),
            statement=f"{brand.name}: {action}",
            resources=(f"urn:vitrina:{purpose}:{target_id}",),
        )
    else:
        text = (
            f"{site_domain(settings)} asks you to sign with {identifier.value}.\n"
            f"{brand.name}: {action}\n"
            f"Resource: urn:vitrina:{purpose}:{target_id}\n"
            f"Nonce: {nonce}\n"
            f"Expiration Time: {expires.strftime(stamp)}"
        )
    row = ProofChallenge(
        id=new_id(),
        purpose=purpose,
        target_id=target_id,
        session_id=principal.session_id,
        customer_id=customer_id,
        nonce_hash=_sha(nonce),
        terms={**terms, "method": method, "signer": identifier.value, "text_sha256": _sha(text)},
        expires_at=expires,
    )
    db.add(row)
    await db.flush()
    return Issued(row, text)


async def redeem(
    db: AsyncSession,
    *,
    principal: Principal,
    brand: Brand,
    customer_id: str,
    purpose: str,
    target_id: str,
    text: str,
    signature: str,
) -> ProofChallenge:
    """Check the signed text against the challenge and spend it; ProofInvalid otherwise."""
    match = _NONCE.search(text)
    row = None
    if match is not None:
        row = (
            await db.execute(
                select(ProofChallenge).where(ProofChallenge.nonce_hash == _sha(match[1]))
            )
        ).scalar_one_or_none()
    if (
        row is None
        or row.purpose != purpose
        or row.target_id != target_id
        or row.session_id != principal.session_id
        or row.customer_id != customer_id
    ):
        raise ProofInvalid("This signed text was not issued for this act; ask for a new one.")
    if row.used_at is not None or row.expires_at <= utcnow():
        raise ProofInvalid("This challenge was used or has expired; ask for a new one.")
    if _sha(text) != row.terms.get("text_sha256"):
        raise ProofInvalid("The signed text differs from the one issued.")
    method, signer = row.terms["method"], row.terms["signer"]
    try:
        if method == "siwe":
            if siwe.recover_signer(text, signature) != signer:
                raise ProofInvalid("The signature was not made by the wallet named in the text.")
        else:
            didkey.verify(signer, text, signature)
    except (siwe.SiweError, didkey.DidKeyError) as exc:
        raise ProofInvalid(f"The signature is not valid: {exc.detail}") from None
    # Identities can be unlinked between the challenge and the proof.
    identifier = _identifier(method, signer)
    if not await holds(db, brand=brand, customer_id=customer_id, identifier=identifier):
        raise ProofInvalid("The signing key is no longer one of your identities.")
    spent = await db.execute(
        update(ProofChallenge)
        .where(ProofChallenge.id == row.id, ProofChallenge.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise ProofInvalid("This challenge was used by another request.")
    return row
