"""API tokens for integrations: scoped, limited to brands, stored as SHA-256 digests.

A token is shown once, at creation. Used as `Authorization: Bearer vit_...`, it yields an
"integration" principal that only routes accepting one of its scopes let through.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Forbidden, NotFound
from vitrina.core.security import Principal, Scope, hash_token, new_token
from vitrina.identity import grants
from vitrina.identity.errors import IdentityErrorCode
from vitrina.identity.models import ApiToken

TOKEN_PREFIX = "vit_"  # noqa: S105 - a public marker, not a secret


async def create(
    db: AsyncSession,
    *,
    name: str,
    scopes: list[Scope],
    brand_slugs: list[str],
    created_by: str | None,
    ttl_days: int | None = None,
    actor: Principal | None = None,
) -> tuple[str, ApiToken]:
    """A new token, returned once in clear; `actor` must hold its brands and scopes."""
    if actor is not None:
        grants.check_scopes(actor, [Scope(s).value for s in scopes])
        grants.check_brands(actor, brand_slugs)
    token = TOKEN_PREFIX + new_token()
    now = utcnow()
    row = ApiToken(
        id=new_id(),
        name=name,
        token_hash=hash_token(token),
        prefix=token[:12],
        scopes=sorted({Scope(s).value for s in scopes}),
        brand_slugs=sorted(set(brand_slugs)),
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=ttl_days) if ttl_days else None,
        last_used_at=None,
        revoked_at=None,
    )
    db.add(row)
    await db.flush()
    return token, row


async def list_tokens(db: AsyncSession, *, actor: Principal | None = None) -> list[ApiToken]:
    """Tokens that act on at least one of the actor's brands (all for the system)."""
    rows = (await db.execute(select(ApiToken).order_by(ApiToken.created_at))).scalars()
    return [r for r in rows if actor is None or grants.may_see(actor, r.brand_slugs)]


async def revoke(db: AsyncSession, *, token_id: str, actor: Principal | None = None) -> ApiToken:
    row = await db.get(ApiToken, token_id)
    if row is None or (actor is not None and not grants.may_see(actor, row.brand_slugs)):
        raise NotFound(f"No API token {token_id}.", code=IdentityErrorCode.API_TOKEN_NOT_FOUND)
    if actor is not None and not actor.covers(row.brand_slugs):
        raise Forbidden(
            "This token also acts on brands you do not serve; ask an administrator of all of them.",
            code=IdentityErrorCode.BRAND_NOT_HELD,
        )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await db.flush()
    return row


async def resolve(db: AsyncSession, *, token: str, now: datetime | None = None) -> Principal | None:
    """The integration principal of a live token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = now or utcnow()
    row = (
        await db.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return Principal(
        kind="integration",
        session_id=row.id,
        display_name=row.name,
        brand_slugs=frozenset(row.brand_slugs),
        scopes=frozenset(row.scopes),
    )
