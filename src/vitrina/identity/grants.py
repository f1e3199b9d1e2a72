"""Who may see, change and grant what among staff accounts and API tokens.

The rule behind every check: nobody hands out a brand, a role or a token scope they do
not hold themselves, and nobody manages an account or a token that reaches further than
they do (changing the password of a colleague who also serves another brand would open
that brand). Staff see accounts and tokens that share a brand with them.
"""

from __future__ import annotations

from collections.abc import Iterable

from vitrina.core.errors import AppError, Forbidden
from vitrina.core.security import Principal, Role, grantable_roles
from vitrina.identity.errors import IdentityErrorCode as Code

# Which staff roles hold each API-token scope, mirroring the routes a scope opens.
_SCOPE_HOLDERS: dict[str, frozenset[Role]] = {
    "crm:read": frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DPO}),
    "crm:write": frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DPO}),
    "crm:import": frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DPO}),
    "webhooks:manage": frozenset({Role.SUPERVISOR, Role.ADMIN}),
}


def may_see(actor: Principal, brand_slugs: Iterable[str]) -> bool:
    """An account or token is visible when it serves at least one of the actor's brands."""
    visible = actor.visible_brands()
    return visible is None or bool(set(brand_slugs) & visible)


def may_manage(actor: Principal, *, roles: Iterable[str], brand_slugs: Iterable[str]) -> bool:
    """Changing an account or token needs every brand and role it holds."""
    if Role.SUPERADMIN in set(roles) and not actor.is_superadmin:
        return False
    brands = list(brand_slugs)
    return actor.covers(brands) and (bool(brands) or actor.is_superadmin)


def check_brands(actor: Principal, brand_slugs: Iterable[str]) -> None:
    wanted = set(brand_slugs)
    if actor.covers(wanted):
        return
    visible = actor.visible_brands() or frozenset()
    missing = sorted(wanted - visible)
    raise Forbidden(
        f"You cannot grant the brand {missing[0]!r}: you do not serve it.",
        code=Code.BRAND_NOT_HELD,
        brands=missing[:5],
    )


def check_roles(actor: Principal, roles: Iterable[str]) -> None:
    allowed = grantable_roles(actor.roles)
    for role in sorted(set(roles)):
        if Role(role) not in allowed:
            raise Forbidden(
                f"You cannot grant the role {role!r}: you do not hold it.",
                code=Code.ROLE_NOT_HELD,
                role=role,
            )


def check_account_grant(actor: Principal, *, roles: Iterable[str], brand_slugs: list[str]) -> None:
    """A new or changed staff account: roles and brands the actor holds, and at least one
    brand unless the account is a super-admin (whose brand list means nothing)."""
    roles = set(roles)
    check_roles(actor, roles)
    check_brands(actor, brand_slugs)
    if not brand_slugs and Role.SUPERADMIN not in roles:
        raise AppError(
            "A staff account must serve at least one brand.",
            code=Code.BRANDS_REQUIRED,
            status=422,
        )


def check_scopes(actor: Principal, scopes: Iterable[str]) -> None:
    for scope in sorted(set(scopes)):
        if not actor.has_any_role(_SCOPE_HOLDERS.get(scope, frozenset())):
            raise Forbidden(
                f"You cannot grant the scope {scope!r}: your roles do not hold it.",
                code=Code.SCOPE_NOT_HELD,
                scope=scope,
            )
