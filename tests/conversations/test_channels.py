"""The web widget socket, the signed webhook channel and world chat, end to end."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import quote

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from tests.conversations.helpers import BRAND, Frames, make_brands, serve
from tests.factories import login, make_staff
from vitrina.conversations.channels.webhook_outbox import channel_secret, sign
from vitrina.services import services_of
from vitrina.world.events import ChatPosted


async def test_widget_chat_handoff_and_rating_over_one_socket(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(db, email="ava@example.com", roles=["agent"], brand_slugs=[BRAND], name="Ava")
    ava = await login(client, "ava@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=ava)
    async with serve(app) as host:
        widget = Frames(
            await connect(
                f"ws://{host}/ws/widget?brand={BRAND}&locale=fr", origin="https://dealer.example"
            )
        )
        welcome = await widget.wait_for(lambda f: f["type"] == "welcome")
        assert welcome["conversation"] is None and welcome["token"]
        await widget.ws.send(json.dumps({"type": "say", "text": "Bonjour"}))
        await widget.wait_for(
            lambda f: f["type"] == "message" and f["message"]["body"] == "Bonjour"
        )
        await widget.ws.send(json.dumps({"type": "handoff"}))
        place = await widget.wait_for(
            lambda f: f["type"] == "message" and f["message"]["data"].get("event") == "queue_place"
        )
        assert place["message"]["data"]["position"] == 1
        cid = place["conversation_id"]
        accepted = await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        assert accepted.json()["locale"] == "fr"
        await client.post(
            f"/api/console/conversations/{cid}/messages", json={"body": "Bonjour Mia"}, headers=ava
        )
        await widget.wait_for(
            lambda f: f["type"] == "message" and f["message"]["body"] == "Bonjour Mia"
        )
        await widget.ws.send(json.dumps({"type": "say", "text": "x" * 5000}))
        error = await widget.wait_for(lambda f: f["type"] == "error")
        assert error["code"] in {"validation_error", "payload_too_large"}
        await widget.ws.send(json.dumps({"type": "say", "text": "Merci\u0000"}))
        nul = await widget.wait_for(lambda f: f["type"] == "error" and "U+0000" in f["detail"])
        assert nul["code"] == "validation_error"
        await widget.ws.send(json.dumps({"type": "say", "text": "Merci"}))
        await widget.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "Merci")
        await widget.close()

        # Reconnecting with the token resumes the same conversation and its transcript.
        again = Frames(
            await connect(f"ws://{host}/ws/widget?brand={BRAND}&token={quote(welcome['token'])}")
        )
        resumed = await again.wait_for(lambda f: f["type"] == "welcome")
        assert resumed["conversation"]["id"] == cid
        assert "Bonjour Mia" in [m["body"] for m in resumed["messages"]]
        await client.post(
            f"/api/console/conversations/{cid}/resolve", json={"disposition": "solved"}, headers=ava
        )
        await again.wait_for(
            lambda f: f["type"] == "message" and f["message"]["kind"] == "csat_request"
        )
        await again.ws.send(json.dumps({"type": "rate", "score": 4, "comment": "rapide"}))
        await again.wait_for(lambda f: f["type"] == "message" and f["message"]["kind"] == "csat")
        await again.close()
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert detail["csat_score"] == 4 and detail["csat_comment"] == "rapide"


async def test_webhook_channel_needs_a_valid_fresh_signature_and_deduplicates(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    secret = channel_secret(services_of(app).settings.resolved_secret_key, BRAND)
    body = json.dumps({"contact_id": "+3912345", "name": "Gio", "text": "Ciao", "message_id": "w1"})

    async def post(payload: str, *, key: str = secret, ts: int | None = None) -> int:
        stamp = str(ts if ts is not None else int(time.time()))
        resp = await client.post(
            f"/api/channels/webhook/{BRAND}",
            content=payload,
            headers={
                "x-vitrina-timestamp": stamp,
                "x-vitrina-signature": sign(key, stamp, payload.encode()),
                "content-type": "application/json",
            },
        )
        return resp.status_code

    assert await post(body, key="wrong") == 401
    assert await post(body, ts=int(time.time()) - 3600) == 401
    assert await post(body) == 202
    assert await post(body) == 202
    await make_staff(db, email="root@example.com", roles=["superadmin"])
    admin = await login(client, "root@example.com")
    rows = (await client.get("/api/console/conversations", headers=admin)).json()
    assert [(r["channel"], r["message_count"]) for r in rows] == [("webhook", 1)]
    channel = (await client.get(f"/api/admin/channels/webhook/{BRAND}", headers=admin)).json()
    assert "secret" not in channel  # shown once, when issued
    issued = await client.post(f"/api/admin/channels/webhook/{BRAND}/secret", headers=admin)
    assert issued.status_code == 201
    fresh = issued.json()["secret"]
    assert fresh != secret
    body = json.dumps({"contact_id": "+3912345", "text": "Ancora", "message_id": "w2"})
    assert await post(body) == 401, "the replaced secret no longer signs"
    assert await post(body, key=fresh) == 202


async def test_world_chat_lands_in_the_customers_conversation(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(db, email="root@example.com", roles=["superadmin"])
    admin = await login(client, "root@example.com")
    said = ChatPosted(
        room=f"{BRAND}/showroom#1",
        brand=BRAND,
        zone="showroom",
        avatar_id=7,
        session_id="guest-42",
        user_id=None,
        display_name="Mia",
        badge="customer",
        text="Is the SUV electric?",
    )
    await services_of(app).bus.publish(said)
    for _ in range(50):
        rows = (await client.get("/api/console/conversations", headers=admin)).json()
        if rows:
            break
        await asyncio.sleep(0.05)
    assert rows[0]["channel"] == "world"
    assert rows[0]["world_room"] == f"{BRAND}/showroom#1" and rows[0]["world_avatar_id"] == 7
    detail = (await client.get(f"/api/console/conversations/{rows[0]['id']}", headers=admin)).json()
    assert detail["messages"][-1]["body"] == "Is the SUV electric?"


async def test_join_in_world_points_the_advisor_at_the_customers_zone(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    sam = await login(client, "sam@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=sam)
    said = ChatPosted(
        room=f"{BRAND}/showroom#1",
        brand=BRAND,
        zone="showroom",
        avatar_id=9,
        session_id="guest-7",
        user_id=None,
        display_name="Leo",
        badge="customer",
        text="I want a person",
    )
    await services_of(app).bus.publish(said)
    rows = (await client.get("/api/console/conversations", headers=sam)).json()
    cid = rows[0]["id"]
    await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=sam)
    assert (
        await client.post(f"/api/console/conversations/{cid}/accept", headers=sam)
    ).status_code == 200
    target = await client.post(f"/api/console/conversations/{cid}/join-world", headers=sam)
    assert target.status_code == 200, target.text
    assert target.json()["url"] == f"/store/{BRAND}?zone=showroom&conversation={cid}"
    assert target.json()["customer_avatar_id"] == 9
