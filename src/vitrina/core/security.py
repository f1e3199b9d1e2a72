"""Who is calling: the principal every HTTP route and WebSocket works with."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class Scope(StrEnum):
    """What an integration's API token may do (identity.tokens issues them)."""

    CRM_READ = "crm:read"
    CRM_WRITE = "crm:write"
    CRM_IMPORT = "crm:import"
    WEBHOOKS = "webhooks:manage"


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    DPO = "dpo"
    # The installation's operator: an admin of every brand, the only one who may create
    # brands. Bootstrapped from the command line; only another super-admin can grant it.
    SUPERADMIN = "superadmin"


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DPO, Role.SUPERADMIN})
# The roles a holder may grant: an admin appoints the brand's supervisors, advisors and
# data-protection officers; only a super-admin appoints super-admins.
_IMPLIED: dict[Role, frozenset[Role]] = {
    Role.SUPERADMIN: frozenset(STAFF_ROLES),
    Role.ADMIN: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.DPO}),
}


def grantable_roles(roles: frozenset[Role]) -> frozenset[Role]:
    """The roles a holder of `roles` may give to somebody else."""
    out = set(roles)
    for role in roles:
        out |= _IMPLIED.get(role, frozenset())
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a staff member, a customer's guest session or an integration
    holding an API token (which acts only within its `scopes`)."""

    kind: Literal["guest", "staff", "integration"]
    session_id: str
    display_name: str
    user_id: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    # Brands a staff member may serve; a guest is scoped to no brand until it joins one.
    brand_slugs: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_superadmin(self) -> bool:
        return self.kind == "staff" and Role.SUPERADMIN in self.roles

    def has_any_role(self, roles: frozenset[Role]) -> bool:
        held = STAFF_ROLES if self.is_superadmin else self.roles
        return bool(held & roles)

    # Brand isolation: the one rule every domain applies. Staff and integrations act on a
    # brand only when it is in their `brand_slugs`; only a super-admin serves every brand,
    # and an empty list means no brand at all for everybody else.

    def visible_brands(self) -> frozenset[str] | None:
        """The brands this caller may act on; None means every brand (super-admin)."""
        if self.is_superadmin:
            return None
        if self.kind == "guest":
            return frozenset()
        return self.brand_slugs

    def may_act_on(self, brand_slug: str) -> bool:
        visible = self.visible_brands()
        return visible is None or brand_slug in visible

    def covers(self, brand_slugs: Iterable[str]) -> bool:
        """True when every one of `brand_slugs` is a brand this caller may act on."""
        visible = self.visible_brands()
        return visible is None or set(brand_slugs) <= visible


SYSTEM_PRINCIPAL = Principal(
    kind="staff", session_id="system", display_name="Vitrina", roles=frozenset({Role.SUPERADMIN})
)
"""The installation itself (background rounds, the world's stand-ins): serves every brand."""


def new_token() -> str:
    """An opaque bearer token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are stored only as SHA-256 digests: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


class Credentials(Protocol):
    """Who a token or cookie stands for. The identity domain implements it; the HTTP layer
    (vitrina.api.deps) asks it, so that layer needs no domain below it."""

    async def staff_session(self, db: AsyncSession, *, token: str) -> Principal | None:
        """The staff member of a live session token."""

    async def api_token(self, db: AsyncSession, *, token: str) -> Principal | None:
        """The integration of a live API token."""

    def guest(self, token: str, *, secret: str, max_age_s: int) -> Principal | None:
        """The guest of a signed guest token, checked without the database."""
