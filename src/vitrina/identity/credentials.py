"""The identity domain's answer to "who is this token or cookie?" (`core.security.Credentials`),
which the composition root hands to the HTTP layer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.security import Principal
from vitrina.identity import service, tokens


class IdentityCredentials:
    async def staff_session(self, db: AsyncSession, *, token: str) -> Principal | None:
        return await service.resolve_staff_session(db, token=token)

    async def api_token(self, db: AsyncSession, *, token: str) -> Principal | None:
        return await tokens.resolve(db, token=token)

    def guest(self, token: str, *, secret: str, max_age_s: int) -> Principal | None:
        return service.resolve_guest_cookie(token, secret=secret, max_age_s=max_age_s)
