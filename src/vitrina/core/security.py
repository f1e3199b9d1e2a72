"""Who is calling: the principal every HTTP route and WebSocket works with."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    DPO = "dpo"


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DPO})


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

    def has_any_role(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


def new_token() -> str:
    """An opaque bearer token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are stored only as SHA-256 digests: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()
