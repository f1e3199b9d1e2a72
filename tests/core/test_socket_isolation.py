"""The three sockets keep brands apart and answer every frame they cannot read.

World: staff join only the rooms of brands they serve. Console: an advisor hears nothing of
another brand's conversations. Widget: a staff token opens no staff powers there. A frame of
the wrong kind (binary on a JSON-text socket, text on the binary world socket, bytes that
are not UTF-8) gets the documented error frame and the socket stays open.
"""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conversations.helpers import BRAND, OTHER_BRAND, Frames, make_brands, serve
from tests.factories import login, make_staff, staff_headers
from tests.world.conftest import open_client


async def _bearer(
    client: AsyncClient, db: AsyncSession, email: str, brand: str, role: str = "agent"
) -> str:
    headers = await staff_headers(client, db, roles=[role], email=email, brand_slugs=[brand])
    return headers["Authorization"].removeprefix("Bearer ")


SOCKET_CALLERS = (
    "anonymous",
    "guest",
    "token",
    "agent",
    "supervisor",
    "admin",
    "dpo",
    "superadmin",
)


async def _credentials(client: AsyncClient, db: AsyncSession) -> dict[str, str]:
    """A `?token=` value per kind of caller; staff serve Borealis Bikes only."""
    found = {"anonymous": ""}
    guest = await client.post("/api/auth/guest", json={"display_name": "Mia"})
    found["guest"] = guest.json()["token"]
    client.cookies.clear()
    for role in ("agent", "supervisor", "admin", "dpo"):
        found[role] = await _bearer(client, db, f"{role}@borealis.example", OTHER_BRAND, role)
    await make_staff(db, email="ops@example.com", roles=["superadmin"])
    found["superadmin"] = (await login(client, "ops@example.com"))["Authorization"][7:]
    made = await client.post(
        "/api/admin/api-tokens",
        json={"name": "erp", "scopes": ["crm:read"], "brand_slugs": [OTHER_BRAND]},
        headers={"authorization": f"Bearer {found['superadmin']}"},
    )
    found["token"] = made.json()["token"]
    return found


async def test_world_rooms_of_a_brand_are_open_to_its_visitors_not_other_brands_staff(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    tokens = await _credentials(client, db)
    async with serve(app) as host:
        for caller in SOCKET_CALLERS:
            extra = f"token={tokens[caller]}" if tokens[caller] else ""
            async with open_client(f"ws://{host}/ws/world", extra=extra) as c:
                if caller in {"anonymous", "token"}:
                    assert await c.closed() == 4001, caller
                    continue
                await c.send("join", brand=BRAND, zone="showroom")
                if caller in {"guest", "superadmin"}:
                    assert (await c.expect("welcome"))["room"].startswith(BRAND), caller
                    continue
                assert (await c.expect("error"))["code"] == "forbidden", caller
                # Text where MessagePack is expected: an error frame, and the socket works on.
                await c.send_raw(json.dumps({"t": "join", "v": 1, "brand": OTHER_BRAND}))
                assert (await c.expect("error"))["code"] == "bad_frame", caller
                assert (await c.join(brand=OTHER_BRAND, zone="showroom"))["who"], caller


async def test_console_pushes_a_brands_conversations_only_to_its_staff(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    tokens = await _credentials(client, db)
    cars = await _bearer(client, db, "ava@aurora.example", BRAND)
    async with serve(app) as host:
        consoles: dict[str, Frames] = {}
        for caller in SOCKET_CALLERS:
            ws = await connect(f"ws://{host}/ws/console?token={tokens[caller]}")
            if caller in {"anonymous", "guest", "token"}:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
                continue
            consoles[caller] = Frames(ws)
        consoles["aurora"] = Frames(await connect(f"ws://{host}/ws/console?token={cars}"))
        for socket in consoles.values():
            await socket.wait_for(lambda f: f["type"] == "hello")
        guest = await client.post("/api/auth/guest", json={"display_name": "Mia"})
        csrf = {"x-csrf-token": guest.json()["csrf_token"]}
        started = await client.post(
            "/api/conversations", json={"brand": BRAND, "body": "Hello"}, headers=csrf
        )
        cid = started.json()["id"]
        await client.post(f"/api/conversations/{cid}/handoff", json={}, headers=csrf)
        client.cookies.clear()
        for who in ("aurora", "superadmin"):
            await consoles[who].wait_for(
                lambda f: f.get("conversation_id") == cid and f["type"] == "conversation"
            )
        # The dashboard's notice goes to the brand's consoles (and no other brand's:
        # checked with every frame naming the brand below).
        for who in ("aurora", "superadmin"):
            await consoles[who].wait_for(lambda f: f["type"] == "dashboard" and f["brand"] == BRAND)
        bob = consoles["agent"]
        # Binary on the console's text socket: an error frame, then it still answers.
        await bob.ws.send(b"\xff\xfe\x00binary")
        assert (await bob.wait_for(lambda f: f["type"] == "error"))["code"] == "bad_frame"
        await bob.ws.send("ping")
        await bob.wait_for(lambda f: f["type"] == "pong")
        for role in ("agent", "supervisor", "admin", "dpo"):
            heard = consoles[role].frames
            assert not [f for f in heard if f.get("conversation_id") == cid], role
            assert not [f for f in heard if f.get("brand") == BRAND], role
        for socket in consoles.values():
            await socket.close()


async def test_widget_answers_unreadable_frames_and_gives_staff_no_powers(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    staff_token = await _bearer(client, db, "ava@aurora.example", BRAND)
    async with serve(app) as host:
        widget = Frames(await connect(f"ws://{host}/ws/widget?brand={BRAND}&token={staff_token}"))
        welcome = await widget.wait_for(lambda f: f["type"] == "welcome")
        assert welcome["token"] != staff_token, "a staff token opens a customer's chat only"
        assert welcome["conversation"] is None
        for frame in (b'{"type":"ping"}', b"\xc3\x28 not UTF-8"):
            await widget.ws.send(frame)
            error = await widget.wait_for(lambda f: f["type"] == "error")
            assert error["code"] == "bad_frame"
            widget.frames.clear()
        await widget.ws.send(json.dumps({"type": "ping"}))
        await widget.wait_for(lambda f: f["type"] == "pong")
        await widget.ws.send(json.dumps({"type": "say", "text": "Bonjour"}))
        said = await widget.wait_for(lambda f: f["type"] == "message")
        assert said["message"]["author_kind"] == "customer"
        await widget.close()


async def test_the_channel_of_a_message_is_the_endpoints(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    guest = await client.post("/api/auth/guest", json={"display_name": "Mia"})
    csrf = {"x-csrf-token": guest.json()["csrf_token"]}
    claimed = await client.post(
        "/api/conversations",
        json={"brand": BRAND, "channel": "email", "body": "Hi"},
        headers=csrf,
    )
    assert claimed.status_code == 422
    started = await client.post(
        "/api/conversations", json={"brand": BRAND, "body": "Hi"}, headers=csrf
    )
    assert started.json()["channel"] == "widget"
    cid = started.json()["id"]
    await client.post(
        f"/api/conversations/{cid}/messages",
        params={"channel": "webhook"},
        json={"body": "Still me"},
        headers=csrf,
    )
    client.cookies.clear()
    await make_staff(db, email="ava@aurora.example", brand_slugs=[BRAND])
    ava = await login(client, "ava@aurora.example")
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert detail["channel"] == "widget"
    assert {m["channel"] for m in detail["messages"] if m["author_kind"] == "customer"} == {
        "widget"
    }
