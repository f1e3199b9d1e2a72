"""A customer chatting in the 3D store gets the advisor's console reply said in the room."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from tests.conversations.helpers import BRAND, make_brands, serve
from tests.factories import login, make_staff


async def test_console_reply_is_said_next_to_the_customer_in_the_store(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(
        db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND], name="Sam"
    )
    sam = await login(client, "sam@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=sam)
    guest = await client.post("/api/auth/guest", json={"display_name": "Mia"})
    token = guest.json()["token"]
    client.cookies.clear()
    async with serve(app) as host:
        ws = await connect(f"ws://{host}/ws/world?format=json&token={quote(token)}")
        frames: list[dict[str, Any]] = []

        async def read() -> None:
            async for raw in ws:
                frames.append(json.loads(raw))

        reader = asyncio.create_task(read())
        await ws.send(json.dumps({"t": "join", "v": 1, "brand": BRAND, "zone": "showroom"}))
        await ws.send(json.dumps({"t": "chat", "v": 1, "text": "Can someone help me?"}))
        for _ in range(100):
            rows = (await client.get("/api/console/conversations", headers=sam)).json()
            if rows:
                break
            await asyncio.sleep(0.05)
        cid = rows[0]["id"]
        await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=sam)
        accepted = await client.post(f"/api/console/conversations/{cid}/accept", headers=sam)
        assert accepted.status_code == 200, accepted.text
        await client.post(
            f"/api/console/conversations/{cid}/messages",
            json={"body": "Hello from Sam"},
            headers=sam,
        )
        for _ in range(100):
            said = [f for f in frames if f.get("t") == "chat" and f.get("text") == "Hello from Sam"]
            if said:
                break
            await asyncio.sleep(0.05)
        assert said, [f for f in frames if f.get("t") != "snap"][-8:]
        assert said[0]["name"] == "Sam"
        reader.cancel()
        await ws.close()
