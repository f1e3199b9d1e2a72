"""The world socket inside the real app: guest tokens and cookies authenticate it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from tests.world.conftest import free_port, open_client
from vitrina.app import create_app
from vitrina.brands.demo import DEMO_SLUG, ensure_demo_brand
from vitrina.core.config import Settings
from vitrina.services import services_of


@contextlib.asynccontextmanager
async def serve_app(settings: Settings) -> AsyncIterator[str]:
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    async with services_of(app).sessions() as db:
        await ensure_demo_brand(db)
        await db.commit()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_guest_token_opens_the_world_and_no_session_gets_4001(settings: Settings) -> None:
    async with serve_app(settings) as host:
        async with httpx.AsyncClient(base_url=f"http://{host}") as http:
            res = await http.post("/api/auth/guest", json={"display_name": "Gina"})
            assert res.status_code in (200, 201), res.text
            token = res.json()["token"]
        async with open_client(f"ws://{host}/ws/world", extra=f"token={token}") as c:
            welcome = await c.join(brand=DEMO_SLUG, zone="entrance")
            assert welcome["who"][0]["name"] == "Gina"
            assert welcome["who"][0]["badge"] == "customer"
            # The room's box is the zone of the brand's stored layout, not a default.
            assert welcome["bounds"] == [-8.0, 0.0, 10.0, 8.0, 5.0, 22.0]
            assert welcome["spawn"] == [0.0, 0.0, 19.0]
            await c.send("join", brand="no-such-brand", zone="entrance")
            assert (await c.expect("error"))["code"] == "unknown_zone"
        async with open_client(f"ws://{host}/ws/world") as anon:
            assert await anon.closed() == 4001
        async with open_client(f"ws://{host}/ws/world", extra="token=forged") as forged:
            assert await forged.closed() == 4001
