"""Building blocks for conversation and routing tests: brands, advisors, principals."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
import websockets
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import ClientConnection

from tests.factories import make_staff
from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data, ensure_demo_brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import BOT, Channel
from vitrina.core.events import EventBus
from vitrina.core.security import Principal, Role

BRAND = "aurora-motors"
OTHER_BRAND = "borealis-bikes"


async def make_brands(db: AsyncSession) -> None:
    await ensure_demo_brand(db)
    other = demo_brand_data().model_copy(update={"slug": OTHER_BRAND, "name": "Borealis Bikes"})
    await brands.create(db, data=other)
    await db.commit()


async def make_advisor(
    db: AsyncSession,
    *,
    email: str,
    brands_: list[str] | None = None,
    roles: list[str] | None = None,
) -> Principal:
    roles = roles or ["agent"]
    slugs = [BRAND] if brands_ is None else brands_
    user = await make_staff(
        db, email=email, roles=roles, brand_slugs=slugs, name=email.split("@")[0]
    )
    return Principal(
        kind="staff",
        session_id=f"s-{user.id}",
        display_name=user.display_name,
        user_id=user.id,
        roles=frozenset(Role(r) for r in roles),
        brand_slugs=frozenset(slugs),
    )


def guest(session_id: str = "guest-1", name: str = "Mia") -> Principal:
    return Principal(
        kind="guest", session_id=session_id, display_name=name, roles=frozenset({Role.CUSTOMER})
    )


async def bot_conversation(
    db: AsyncSession,
    bus: EventBus,
    *,
    brand: str = BRAND,
    locale: str = "en",
    session_id: str = "guest-1",
) -> Conversation:
    """Mia's new widget conversation, still with the bot."""
    return await conversations.create(
        db,
        bus=bus,
        brand_slug=brand,
        channel=Channel.WIDGET,
        customer_name="Mia",
        locale=locale,
        guest_session_id=session_id,
    )


async def queued_conversation(
    db: AsyncSession,
    bus: EventBus,
    *,
    brand: str = BRAND,
    locale: str = "en",
    session_id: str = "guest-1",
    product_line: str | None = None,
) -> Conversation:
    conversation = await bot_conversation(
        db, bus, brand=brand, locale=locale, session_id=session_id
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=conversation, body="I want a person", channel=Channel.WIDGET
    )
    await conversations.request_handoff(
        db,
        bus=bus,
        conversation_id=conversation.id,
        actor=BOT,
        reason="customer asked",
        product_line=product_line,
    )
    await db.commit()
    return conversation


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Serve an app whose lifespan already runs on a loopback port; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


class Frames:
    """A console or widget socket read in the background, with waits on frame types."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
                self._changed.set()

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        async def scan() -> dict[str, Any]:
            seen = 0
            while True:
                for frame in self.frames[seen:]:
                    if predicate(frame):
                        return frame
                seen = len(self.frames)
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(scan(), timeout)

    async def close(self) -> None:
        await self.ws.close()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def guest_client(app: FastAPI, name: str = "Mia") -> AsyncClient:
    """An HTTP client holding a fresh guest session (cookie + CSRF header)."""
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    resp = await client.post("/api/auth/guest", json={"display_name": name})
    assert resp.status_code == 201, resp.text
    client.headers["x-csrf-token"] = resp.json()["csrf_token"]
    return client
