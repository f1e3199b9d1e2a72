"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection

from vitrina import __version__
from vitrina.api.deps import PUBLIC
from vitrina.core.broker import Broker
from vitrina.core.components import components_of
from vitrina.core.heap import Warming

router = APIRouter(tags=["operations"], dependencies=[Depends(PUBLIC)])


def get_engine(conn: HTTPConnection) -> AsyncEngine:
    return components_of(conn).get(AsyncEngine)


def get_broker(conn: HTTPConnection) -> Broker:
    broker: Broker = components_of(conn).get(Broker)  # type: ignore[type-abstract]
    return broker


def get_warming(conn: HTTPConnection) -> Warming:
    return components_of(conn).get(Warming)


@router.get("/healthz", summary="Liveness: the process answers (public)")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get(
    "/readyz",
    summary="Readiness: database and broker reachable, start-up work done (public)",
    responses={
        503: {
            "description": "Not ready: `checks` names what is not",
            "content": {"application/json": {}},
        }
    },
)
async def readyz(
    engine: Annotated[AsyncEngine, Depends(get_engine)],
    broker: Annotated[Broker, Depends(get_broker)],
    warming_up: Annotated[Warming, Depends(get_warming)],
) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        async with asyncio.timeout(2):
            await broker.ping()
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {type(exc).__name__}"
    warming = sorted(warming_up)
    checks["warm_up"] = f"in progress: {', '.join(warming)}" if warming else "ok"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics (public; restrict at the proxy)",
    response_class=Response,
)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
