"""The supervisor dashboard over HTTP: figures as JSON or CSV, for the caller's brands."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.requests import HTTPConnection

from vitrina.api.deps import DbSession, require_roles
from vitrina.core.components import components_of
from vitrina.core.db import utcnow
from vitrina.core.errors import ErrorCode, Forbidden
from vitrina.core.security import Principal, Role
from vitrina.insights import dashboard
from vitrina.world.hub import WorldHub

SUPERVISOR = require_roles(Role.SUPERVISOR, Role.ADMIN)
SupervisorPrincipal = Annotated[Principal, Depends(SUPERVISOR)]
Period = Literal["today", "24h", "7d", "30d"]
Channel = Literal["world", "widget", "email", "webhook"]

router = APIRouter(
    prefix="/api/insights/dashboard", tags=["insights"], dependencies=[Depends(SUPERVISOR)]
)


def get_world_hub(conn: HTTPConnection) -> WorldHub:
    return components_of(conn).get(WorldHub)


def _brands(principal: Principal, brand: str | None) -> set[str] | None:
    visible = principal.visible_brands()
    if brand is None:
        return None if visible is None else set(visible)
    if visible is not None and brand not in visible:
        raise Forbidden(f"You do not serve the brand {brand!r}.", code=ErrorCode.BRAND_FORBIDDEN)
    return {brand}


async def _figures(
    principal: Principal,
    db: DbSession,
    hub: WorldHub,
    brand: str | None,
    channel: str | None,
    queue: str | None,
    period: str,
) -> tuple[dashboard.Figures, dict[str, str]]:
    brands = _brands(principal, brand)
    now = utcnow()
    census = hub.census
    visitors = census.count() if brands is None else sum(census.count(b) for b in brands)
    figures = await dashboard.figures(
        db,
        brands=brands,
        since=dashboard.period_start(period, now),
        until=now + timedelta(seconds=1),
        channel=channel,
        queue=queue,
        visitors=visitors,
        now=now,
    )
    filters = {
        "brand": brand or "all",
        "channel": channel or "all",
        "queue": queue or "all",
        "period": period,
    }
    return figures, filters


Brand = Annotated[str | None, Query(min_length=1, max_length=64)]
Queue = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("", summary="Figures of a period for my brands, filtered (supervisor)")
async def figures_json(
    principal: SupervisorPrincipal,
    db: DbSession,
    hub: Annotated[WorldHub, Depends(get_world_hub)],
    brand: Brand = None,
    channel: Channel | None = None,
    queue: Queue = None,
    period: Period = "today",
) -> dict[str, Any]:
    figures, filters = await _figures(principal, db, hub, brand, channel, queue, period)
    return {"filters": filters, "figures": asdict(figures)}


@router.get(
    ".csv",
    summary="The same figures as CSV (supervisor)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def figures_csv(
    principal: SupervisorPrincipal,
    db: DbSession,
    hub: Annotated[WorldHub, Depends(get_world_hub)],
    brand: Brand = None,
    channel: Channel | None = None,
    queue: Queue = None,
    period: Period = "today",
) -> Response:
    figures, filters = await _figures(principal, db, hub, brand, channel, queue, period)
    return Response(
        dashboard.to_csv(figures, filters=filters),
        media_type="text/csv",
        headers={"content-disposition": 'attachment; filename="dashboard.csv"'},
    )


routers = [router]
