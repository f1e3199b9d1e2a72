"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, WebSocket
from fastapi.staticfiles import StaticFiles

from vitrina import __version__, services, world_http
from vitrina.api import health, static
from vitrina.api.access_map import install_openapi_access
from vitrina.api.cached_reads import CachedReadsMiddleware
from vitrina.api.deps import resolve_ws_principal
from vitrina.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from vitrina.api.nul_guard import RefuseNulMiddleware
from vitrina.api.problems import install_problem_handlers
from vitrina.brands import routes as brand_routes
from vitrina.catalog import routes as catalog_routes
from vitrina.commerce import routes as commerce_routes
from vitrina.conversations import console_routes as conversation_routes
from vitrina.core.components import Components, components_of
from vitrina.core.config import Settings, get_settings
from vitrina.core.logging import configure_logging
from vitrina.crm import routes as crm_routes
from vitrina.crm import transfer_routes as crm_transfer_routes
from vitrina.identity import customer_routes
from vitrina.identity import routes as identity_routes
from vitrina.insights import routes as insights_routes
from vitrina.ledger import routes as ledger_routes
from vitrina.privacy import routes as privacy_routes
from vitrina.routing import routes as routing_routes
from vitrina.scheduling import routes as scheduling_routes
from vitrina.training import routes as training_routes
from vitrina.world import ws as world_ws
from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

# Routes that take files rather than JSON, and so the larger upload body limit.
UPLOAD_PATHS = (r"/api/admin/brands/[^/]+/catalog/assets",)


class VitrinaApp(FastAPI):
    """The FastAPI app and the parts its lifespan started (see vitrina.services)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.components = Components()


def create_app(settings: Settings | None = None) -> VitrinaApp:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    # Resolve the secret now so a bad key file fails at start, not on the first request.
    _ = settings.resolved_secret_key

    @asynccontextmanager
    async def lifespan(app: VitrinaApp) -> AsyncIterator[None]:
        try:
            async with services.start(settings, app.components):
                yield
        finally:
            app.components.clear()

    app = VitrinaApp(
        title="Vitrina",
        version=__version__,
        summary="Customer service in 3D virtual storefronts.",
        lifespan=lifespan,
    )

    install_problem_handlers(app)
    # Innermost: a cached storefront read is answered before routing, with the security
    # headers, request log line and metrics of the middleware around it.
    app.add_middleware(CachedReadsMiddleware)
    # Added early, so it runs inside the body limit and reads only bounded bodies.
    app.add_middleware(RefuseNulMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_paths=UPLOAD_PATHS,
        upload_max_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.cookie_secure)

    app.include_router(health.router)
    app.include_router(world_http.router)
    for router in (
        *identity_routes.routers,
        *brand_routes.routers,
        *conversation_routes.routers,
        *routing_routes.routers,
        *privacy_routes.routers,
        *insights_routes.routers,
        *catalog_routes.routers,
        *customer_routes.routers,
        *crm_routes.routers,
        *crm_transfer_routes.routers,
        *scheduling_routes.routers,
        *commerce_routes.routers,
        *ledger_routes.routers,
        *training_routes.routers,
    ):
        app.include_router(router)

    @app.websocket("/ws/world")
    async def world_socket(websocket: WebSocket) -> None:
        """The 3D world (docs/protocol.md): guest or staff cookie, or `?token=`;
        without a session the socket is closed with 4001."""
        principal = await resolve_ws_principal(websocket)
        if principal is None:
            await world_ws.reject(websocket)
            return
        await world_ws.serve(websocket, principal, components_of(websocket).get(WorldHub))

    app.include_router(static.router)
    install_openapi_access(app)
    if (static.DIST / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=static.DIST / "assets"), name="assets")
    return app
