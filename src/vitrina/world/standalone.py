"""A bare ASGI app around the world, for tests and benchmarks only.

It trusts the `?name=` and `?sid=` query parameters to build a guest principal, so
it must never face the internet; the real app authenticates sockets with sessions.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from vitrina.core.broker import Broker, create_broker
from vitrina.core.config import Settings, get_settings
from vitrina.core.events import EventBus
from vitrina.core.logging import configure_logging
from vitrina.core.security import Principal, Role
from vitrina.world.hub import WorldHub
from vitrina.world.ws import reject, serve


def principal_from_query(websocket: WebSocket) -> Principal | None:
    q = websocket.query_params
    if q.get("anon") == "1":
        return None
    sid = q.get("sid") or secrets.token_hex(8)
    name = q.get("name") or f"guest-{sid[:6]}"
    if q.get("staff") == "1":
        # An advisor of the brands named in `brands` (the test brand "acme" by default);
        # like everything on this server, taken on trust from the query string.
        brands = frozenset(b for b in q.get("brands", "acme").split(",") if b)
        return Principal(
            kind="staff",
            session_id=sid,
            display_name=name,
            user_id=sid,
            roles=frozenset({Role.AGENT}),
            brand_slugs=brands,
        )
    return Principal(kind="guest", session_id=sid, display_name=name)


class WorldApp(Starlette):
    """The world socket alone, with the hub and bus it serves (tests and benchmarks)."""

    def __init__(self, *, hub: WorldHub, bus: EventBus, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub
        self.bus = bus


def create_world_app(
    settings: Settings | None = None,
    *,
    broker: Broker | None = None,
    bus: EventBus | None = None,
) -> WorldApp:
    settings = settings or get_settings()
    bus = bus or EventBus()
    own_broker = broker is None
    the_broker = broker or create_broker(settings.redis_url)
    hub = WorldHub(settings, the_broker, bus)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if own_broker:
            await the_broker.start()
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            if own_broker:
                await the_broker.close()

    async def world(websocket: WebSocket) -> None:
        principal = principal_from_query(websocket)
        if principal is None:
            await reject(websocket)
            return
        await serve(websocket, principal, hub)

    return WorldApp(
        hub=hub, bus=bus, routes=[WebSocketRoute("/ws/world", world)], lifespan=lifespan
    )


def app_factory() -> WorldApp:
    """`uvicorn --factory vitrina.world.standalone:app_factory` (settings from VITRINA_*)."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_world_app(settings)
