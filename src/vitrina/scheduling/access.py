"""Brand isolation: who may see and change which brand's scheduling data."""

from __future__ import annotations

from vitrina.core.errors import Forbidden
from vitrina.core.security import Principal, Role
from vitrina.scheduling.errors import SchedulingErrorCode


def may_serve(actor: Principal | None, brand_slug: str) -> bool:
    """Staff of the brand, or an admin bound to no brand; `None` is the system itself
    (the virtual agent, the worker, the demo seeder)."""
    if actor is None:
        return True
    if actor.kind != "staff":
        return False
    if brand_slug in actor.brand_slugs:
        return True
    return not actor.brand_slugs and Role.ADMIN in actor.roles


def check_brand(actor: Principal | None, brand_slug: str) -> None:
    if not may_serve(actor, brand_slug):
        raise Forbidden(
            f"You do not serve the brand {brand_slug!r}.",
            code=SchedulingErrorCode.BRAND_FORBIDDEN,
        )
