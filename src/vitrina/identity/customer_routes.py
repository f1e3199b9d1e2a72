"""Customer sign-in from a guest session, and API tokens for integrations."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.api.deps import (
    ADMIN,
    GUEST_COOKIE,
    GUEST_OR_STAFF,
    AdminPrincipal,
    AnyPrincipal,
    Bus,
    DbSession,
    Mailer,
    SettingsDep,
    client_ip,
    get_sessions,
)
from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.ratelimit import limits_of
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.identity import customer_service, did_signin, email_signin, tokens
from vitrina.identity import service as identity_service
from vitrina.identity.customer_schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    DidChallengeRead,
    DidChallengeRequest,
    DidVerifyRequest,
    EmailCodeRequest,
    EmailCodeSent,
    EmailCodeVerify,
    SiweNonceRead,
    SiweNonceRequest,
    SiweVerifyRequest,
    VerificationRead,
)

router = APIRouter(
    prefix="/api/customer-auth", tags=["customer sign-in"], dependencies=[Depends(GUEST_OR_STAFF)]
)
token_router = APIRouter(
    prefix="/api/admin/api-tokens", tags=["admin"], dependencies=[Depends(ADMIN)]
)

# Per minute: proofs per session, and codes mailed per address and per session.
_PROOF_RATE = 20
_EMAIL_RATE = 3


async def _limit(request: Request, name: str, rate: int, key: str) -> None:
    await limits_of(request).enforce(
        name, key, rate=rate, message="Too many attempts; wait a minute."
    )


async def _take_the_customers_name(
    db: AsyncSession,
    response: Response,
    settings: Settings,
    principal: Principal,
    outcome: customer_service.Outcome,
) -> None:
    """A visitor who proved to be a known customer is shown under the customer's name
    (avatar, chat, console) instead of "Guest 1234" from then on."""
    name = outcome.display_name.strip()
    if principal.kind != "guest" or not name or name == principal.display_name:
        return
    token = await identity_service.rename_guest(
        db, secret=settings.resolved_secret_key, session_id=principal.session_id, display_name=name
    )
    if token is not None:
        response.set_cookie(
            GUEST_COOKIE,
            token,
            max_age=settings.guest_session_ttl_s,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
            path="/",
        )


def _read(outcome: customer_service.Outcome) -> VerificationRead:
    v = outcome.verified
    return VerificationRead(
        verified=True,
        customer_id=v.customer_id,
        display_name=outcome.display_name,
        method=v.method,
        level=v.level,
        identifier=v.identifier,
        verified_at=v.verified_at,
        expires_at=v.expires_at,
        created=outcome.created,
    )


@router.post("/siwe/nonce", response_model=SiweNonceRead, summary="A SIWE nonce (guest)")
async def siwe_nonce(
    body: SiweNonceRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
) -> SiweNonceRead:
    await _limit(request, "customer_proof", _PROOF_RATE, principal.session_id)
    params = await customer_service.issue_siwe_nonce(
        db, settings=settings, principal=principal, brand_slug=body.brand
    )
    return SiweNonceRead(
        nonce=params.nonce,
        domain=params.domain,
        uri=params.uri,
        chain_ids=params.chain_ids,
        statement=params.statement,
        expires_at=params.expires_at,
    )


@router.post(
    "/siwe/verify", response_model=VerificationRead, summary="Sign in with Ethereum (guest)"
)
async def siwe_verify(
    body: SiweVerifyRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    response: Response,
) -> VerificationRead:
    await _limit(request, "customer_proof", _PROOF_RATE, principal.session_id)
    outcome = await customer_service.sign_in_with_ethereum(
        db,
        sessions=get_sessions(request),
        bus=bus,
        settings=settings,
        principal=principal,
        message=body.message,
        signature=body.signature,
        link=body.link,
    )
    await _take_the_customers_name(db, response, settings, principal, outcome)
    return _read(outcome)


@router.post(
    "/email/start",
    response_model=EmailCodeSent,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mail a one-time code (guest)",
)
async def email_start(
    body: EmailCodeRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
    mailer: Mailer,
) -> EmailCodeSent:
    await _limit(request, "customer_email_session", _EMAIL_RATE, principal.session_id)
    await _limit(request, "customer_email_address", _EMAIL_RATE, body.email.strip().lower())
    await _limit(request, "customer_email_ip", _PROOF_RATE, client_ip(request))
    challenge = await email_signin.start_email_code(
        db,
        mailer=mailer,
        settings=settings,
        principal=principal,
        brand_slug=body.brand,
        email=body.email,
    )
    return EmailCodeSent(challenge_id=challenge.id, expires_at=challenge.expires_at)


@router.post(
    "/email/verify", response_model=VerificationRead, summary="Verify a one-time code (guest)"
)
async def email_verify(
    body: EmailCodeVerify,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    response: Response,
) -> VerificationRead:
    await _limit(request, "customer_proof", _PROOF_RATE, principal.session_id)
    outcome = await email_signin.verify_email_code(
        db,
        sessions=get_sessions(request),
        bus=bus,
        settings=settings,
        principal=principal,
        challenge_id=body.challenge_id,
        code=body.code,
        link=body.link,
    )
    await _take_the_customers_name(db, response, settings, principal, outcome)
    return _read(outcome)


@router.post(
    "/did/challenge", response_model=DidChallengeRead, summary="A did:key challenge (guest)"
)
async def did_challenge(
    body: DidChallengeRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
) -> DidChallengeRead:
    await _limit(request, "customer_proof", _PROOF_RATE, principal.session_id)
    row, text = await did_signin.issue_did_challenge(
        db, settings=settings, principal=principal, brand_slug=body.brand, did=body.did
    )
    return DidChallengeRead(challenge=text, expires_at=row.expires_at)


@router.post(
    "/did/verify", response_model=VerificationRead, summary="Verify a did:key signature (guest)"
)
async def did_verify(
    body: DidVerifyRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    response: Response,
) -> VerificationRead:
    await _limit(request, "customer_proof", _PROOF_RATE, principal.session_id)
    outcome = await did_signin.verify_did(
        db,
        sessions=get_sessions(request),
        bus=bus,
        settings=settings,
        principal=principal,
        challenge_text=body.challenge,
        signature=body.signature,
        link=body.link,
    )
    await _take_the_customers_name(db, response, settings, principal, outcome)
    return _read(outcome)


@router.get("/status", response_model=VerificationRead, summary="Is this session verified (guest)")
async def verification_status(principal: AnyPrincipal, db: DbSession) -> VerificationRead:
    found = await verification.current(db, principal=principal)
    if found is None:
        return VerificationRead(verified=False)
    profile = await crm.get_or_raise(db, customer_id=found.customer_id)
    return VerificationRead(
        verified=True,
        customer_id=found.customer_id,
        display_name=profile.display_name,
        method=found.method,
        level=found.level,
        identifier=found.identifier,
        verified_at=found.verified_at,
        expires_at=found.expires_at,
    )


@router.post(
    "/sign-out",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forget this session's verification (guest)",
)
async def customer_sign_out(principal: AnyPrincipal, db: DbSession) -> None:
    await verification.forget(db, principal=principal)


@token_router.get("", response_model=list[ApiTokenRead], summary="List API tokens (admin)")
async def list_api_tokens(db: DbSession, principal: AdminPrincipal) -> list[ApiTokenRead]:
    rows = await tokens.list_tokens(db, actor=principal)
    return [ApiTokenRead.model_validate(t) for t in rows]


@token_router.post(
    "",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token for an integration (admin)",
)
async def create_api_token(
    body: ApiTokenCreate, db: DbSession, principal: AdminPrincipal
) -> ApiTokenCreated:
    await brands.require_existing(db, slugs=body.brand_slugs)
    token, row = await tokens.create(
        db,
        name=body.name,
        scopes=body.scopes,
        brand_slugs=body.brand_slugs,
        created_by=principal.user_id,
        ttl_days=body.ttl_days,
        actor=principal,
    )
    return ApiTokenCreated(**ApiTokenRead.model_validate(row).model_dump(), token=token)


@token_router.delete(
    "/{token_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an API token (admin)"
)
async def revoke_api_token(token_id: str, db: DbSession, principal: AdminPrincipal) -> None:
    await tokens.revoke(db, token_id=token_id, actor=principal)


routers = [router, token_router]
