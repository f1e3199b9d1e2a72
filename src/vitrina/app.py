"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, WebSocket
from fastapi.staticfiles import StaticFiles

from vitrina import __version__
from vitrina.api import health, static, world_routes
from vitrina.api.access_map import install_openapi_access
from vitrina.api.deps import resolve_ws_principal
from vitrina.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from vitrina.api.nul_guard import RefuseNulMiddleware
from vitrina.api.problems import install_problem_handlers
from vitrina.bot import wiring as bot_wiring
from vitrina.brands import routes as brand_routes
from vitrina.brands import service as brand_service
from vitrina.catalog import routes as catalog_routes
from vitrina.conversations import console_routes as conversation_routes
from vitrina.core.broker import create_broker
from vitrina.core.config import Settings, get_settings
from vitrina.core.db import checkpoint_wal, create_engine, create_sessionmaker, transaction
from vitrina.core.events import EventBus
from vitrina.core.heap import freeze_after_warm_up
from vitrina.core.logging import configure_logging
from vitrina.core.mailer import create_mailer
from vitrina.core.ratelimit import RateLimits
from vitrina.crm import routes as crm_routes
from vitrina.crm import transfer_routes as crm_transfer_routes
from vitrina.crm import wiring as crm_wiring
from vitrina.identity import customer_routes
from vitrina.identity import routes as identity_routes
from vitrina.insights import routes as insights_routes
from vitrina.migrations.runner import ensure_migrated
from vitrina.privacy import keys as privacy_keys
from vitrina.privacy import routes as privacy_routes
from vitrina.routing import routes as routing_routes
from vitrina.scheduling import routes as scheduling_routes
from vitrina.scheduling.worker import start_worker as start_scheduling_worker
from vitrina.world import ws as world_ws
from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

# Routes that take files rather than JSON, and so the larger upload body limit.
UPLOAD_PATHS = (r"/api/admin/brands/[^/]+/catalog/assets",)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    # Resolve the secret now so a bad key file fails at start, not on the first request.
    _ = settings.resolved_secret_key

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Each part registers its own shutdown as soon as it has started, so a failure
        # part-way through start-up still releases what was already running.
        async with AsyncExitStack() as stack:
            engine = create_engine(settings.resolved_database_url)
            stack.push_async_callback(engine.dispose)
            # Unwound just before the engine goes, once everything that publishes has stopped.
            stack.push_async_callback(app.state.bus.drain)
            await ensure_migrated(engine)
            broker = create_broker(settings.redis_url)
            await broker.start()
            stack.push_async_callback(broker.close)
            stack.push_async_callback(app.state.rate_limits.close)
            app.state.engine = engine
            app.state.sessions = create_sessionmaker(engine, sealer=privacy_keys.sealer(settings))
            app.state.broker = broker
            await privacy_keys.ensure_index_key(app.state.sessions, settings)
            # A restored backup may hold keys of subjects erased since: shred them again.
            async with transaction(app.state.sessions) as db:
                reshredded = await privacy_keys.reapply_erasures(db, settings)
            if reshredded:
                log.warning("erasures_reapplied", keys=reshredded)
                await checkpoint_wal(engine)

            async def brand_layout(slug: str) -> dict[str, Any] | None:
                """The world's rooms follow the zones of the brand's stored layout."""
                async with app.state.sessions() as db:
                    brand = await brand_service.get_by_slug(db, slug=slug)
                    return None if brand is None else dict(brand.layout)

            hub = WorldHub(settings, broker, app.state.bus, layout_source=brand_layout)
            app.state.world_hub = hub
            await hub.start()
            stack.push_async_callback(hub.stop)
            app.state.mailer = create_mailer(settings)
            worker = start_scheduling_worker(
                sessions=app.state.sessions,
                mailer=app.state.mailer,
                bus=app.state.bus,
                settings=settings,
            )
            app.state.scheduling_worker = worker
            stack.push_async_callback(worker.stop)
            if settings.environment != "test":
                freezer = asyncio.create_task(freeze_after_warm_up(app.state.warming))
                stack.callback(freezer.cancel)
            log.info(
                "started",
                version=__version__,
                database=engine.dialect.name,
                broker=type(broker).__name__,
            )
            yield

    app = FastAPI(
        title="Vitrina",
        version=__version__,
        summary="Customer service in 3D virtual storefronts.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.bus = EventBus()
    app.state.rate_limits = RateLimits(settings.redis_url, secret=settings.resolved_secret_key)
    # Names of start-up work still running (e.g. "bot" models); /readyz waits for it.
    app.state.warming = set()

    install_problem_handlers(app)
    # Added first, so it runs inside the body limit and reads only bounded bodies.
    app.add_middleware(RefuseNulMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_paths=UPLOAD_PATHS,
        upload_max_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.cookie_secure)

    app.include_router(health.router)
    app.include_router(world_routes.router)
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
        await world_ws.serve(websocket, principal, websocket.app.state.world_hub)

    app.include_router(static.router)
    install_openapi_access(app)
    crm_wiring.install(app)
    bot_wiring.install(app)
    if (static.DIST / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=static.DIST / "assets"), name="assets")
    return app
