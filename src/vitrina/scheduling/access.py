"""Brand isolation: who may see and change which brand's scheduling data."""

from __future__ import annotations

from vitrina.core.errors import Forbidden
from vitrina.core.security import Principal
from vitrina.scheduling.errors import SchedulingErrorCode


def may_serve(actor: Principal | None, brand_slug: str) -> bool:
    """Staff who serve the brand; `None` is the system itself (the virtual agent, the
    worker, the demo seeder)."""
    if actor is None:
        return True
    return actor.kind == "staff" and actor.may_act_on(brand_slug)


def check_brand(actor: Principal | None, brand_slug: str) -> None:
    if not may_serve(actor, brand_slug):
        raise Forbidden(
            f"You do not serve the brand {brand_slug!r}.",
            code=SchedulingErrorCode.BRAND_FORBIDDEN,
        )
