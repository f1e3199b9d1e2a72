"""Email one-time codes: a six-digit code sent over SMTP, hashed at rest, short-lived,
with a limited number of attempts (sending is rate limited by the route)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Unavailable
from vitrina.core.events import EventBus
from vitrina.core.mailer import Mailer, MailError
from vitrina.core.security import Principal
from vitrina.crm.identifiers import Identifier, IdentityKind, InvalidIdentifier, normalise
from vitrina.crm.verification import Level
from vitrina.identity import otp
from vitrina.identity.customer_service import (
    Outcome,
    ProofRefused,
    complete,
    consume,
    guest_only,
    new_challenge,
    refuse,
)
from vitrina.identity.models import CustomerChallenge


async def start_email_code(
    db: AsyncSession,
    *,
    mailer: Mailer,
    settings: Settings,
    principal: Principal,
    brand_slug: str,
    email: str,
) -> CustomerChallenge:
    guest_only(principal)
    brand = await brands.get_by_slug_or_raise(db, slug=brand_slug)
    try:
        address = normalise(IdentityKind.EMAIL, email).value
    except InvalidIdentifier as exc:
        raise ProofRefused("email", "malformed_email", str(exc)) from None
    code = otp.new_code()
    challenge_id = new_id()
    row = await new_challenge(
        db,
        kind="email",
        principal=principal,
        brand_id=brand.id,
        secret_hash=otp.digest(settings.resolved_secret_key, challenge_id, code),
        subject=address,
        ttl=timedelta(seconds=settings.email_code_ttl_s),
        challenge_id=challenge_id,
    )
    try:
        await mailer.send(
            otp.message(
                to=address,
                code=code,
                brand_name=brand.name,
                minutes=settings.email_code_ttl_s // 60,
            ),
            about=f"guest:{principal.session_id}",
        )
    except MailError:
        # The request rolls back, so no code exists that the customer never received.
        raise Unavailable(
            "The code could not be sent; try again in a moment.", code="email_unavailable"
        ) from None
    return row


async def verify_email_code(
    db: AsyncSession,
    *,
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus | None,
    settings: Settings,
    principal: Principal,
    challenge_id: str,
    code: str,
    link: bool = False,
) -> Outcome:
    guest_only(principal)
    challenge = await db.get(CustomerChallenge, challenge_id)
    if (
        challenge is None
        or challenge.session_id != principal.session_id
        or challenge.kind != "email"
    ):
        raise await refuse(
            sessions,
            None,
            method="email",
            reason="invalid_code",
            detail="No such code request for this session.",
            principal=principal,
        )
    if (
        challenge.used_at is not None
        or challenge.expires_at <= utcnow()
        or challenge.attempts >= settings.email_code_max_attempts
    ):
        raise await refuse(
            sessions,
            challenge,
            method="email",
            reason="code_expired",
            detail="This code is used, expired or locked; ask for a new one.",
            principal=principal,
        )
    if not otp.matches(settings.resolved_secret_key, challenge.id, code, challenge.secret_hash):
        last = challenge.attempts + 1 >= settings.email_code_max_attempts
        raise await refuse(
            sessions,
            challenge,
            method="email",
            reason="invalid_code",
            detail="The code is wrong." + (" No attempts left." if last else ""),
            principal=principal,
            burn=last,
        )
    if not await consume(db, challenge):
        raise ProofRefused("email", "code_expired", "The code was used by another request.")
    return await complete(
        db,
        bus=bus,
        settings=settings,
        principal=principal,
        brand_id=challenge.brand_id,
        identifier=Identifier(IdentityKind.EMAIL, challenge.subject),
        chain_id=None,
        method="email",
        level=Level.EMAIL_CODE,
        link=link,
    )
