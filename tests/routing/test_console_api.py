"""The handoff journey over HTTP and the /ws/console socket, as the console drives it."""

from __future__ import annotations

import asyncio
import json

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from tests.conversations.helpers import (
    BRAND,
    OTHER_BRAND,
    Frames,
    guest_client,
    make_brands,
    serve,
)
from tests.factories import login, make_staff
from vitrina.services import services_of


async def staff(client: AsyncClient, db: AsyncSession, email: str, brand: str) -> dict[str, str]:
    await make_staff(db, email=email, roles=["agent"], brand_slugs=[brand], name=email[:3])
    return await login(client, email)


async def test_handoff_offer_accept_reply_resolve_and_rate(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    ava = await staff(client, db, "ava@example.com", BRAND)
    ben = await staff(client, db, "ben@example.com", BRAND)
    bikes = await staff(client, db, "bob@example.com", OTHER_BRAND)
    async with serve(app) as host:
        ava_ws = Frames(await connect(f"ws://{host}/ws/console?token={ava['Authorization'][7:]}"))
        bikes_ws = Frames(
            await connect(f"ws://{host}/ws/console?token={bikes['Authorization'][7:]}")
        )
        await ava_ws.wait_for(lambda f: f["type"] == "hello")
        for headers in (ava, ben):
            resp = await client.put(
                "/api/console/presence", json={"status": "online"}, headers=headers
            )
            assert resp.status_code == 200, resp.text
        await client.put("/api/console/presence", json={"status": "online"}, headers=bikes)

        mia = await guest_client(app)
        started = await mia.post(
            "/api/conversations", json={"brand": BRAND, "body": "Hello", "locale": "en"}
        )
        assert started.status_code == 201, started.text
        cid = started.json()["id"]
        handoff = await mia.post(f"/api/conversations/{cid}/handoff", json={})
        assert handoff.json()["state"] == "queued"

        # Ava went online first: she has been idle longest and is offered the conversation.
        offer = await ava_ws.wait_for(lambda f: f["type"] == "offer")
        assert offer["conversation_id"] == cid
        place = await mia.get(f"/api/conversations/{cid}/place")
        assert place.json()["position"] == 1

        accepts = await asyncio.gather(
            client.post(f"/api/console/conversations/{cid}/accept", headers=ava),
            client.post(f"/api/console/conversations/{cid}/accept", headers=ben),
        )
        codes = sorted(r.status_code for r in accepts)
        assert codes == [200, 409]
        loser = next(r for r in accepts if r.status_code == 409)
        assert loser.json()["code"] == "already_claimed"
        owner = ava if accepts[0].status_code == 200 else ben

        # Ava has the conversation open, whoever won it: its messages reach her console.
        await ava_ws.ws.send(json.dumps({"type": "watch", "conversation_id": cid}))
        await asyncio.sleep(0.1)
        sent = await mia.post(f"/api/conversations/{cid}/messages", json={"body": "Still there?"})
        assert sent.status_code == 201
        frame = await ava_ws.wait_for(
            lambda f: f["type"] == "message" and f["message"]["body"] == "Still there?"
        )
        assert (
            frame["agent_id"]
            == (accepts[0].json() if accepts[0].status_code == 200 else accepts[1].json())[
                "assigned_agent_id"
            ]
        )
        assert frame["brand"] == BRAND
        reply = await client.post(
            f"/api/console/conversations/{cid}/messages", json={"body": "Yes!"}, headers=owner
        )
        assert reply.status_code == 201, reply.text
        note = await client.post(
            f"/api/console/conversations/{cid}/notes", json={"body": "secret"}, headers=owner
        )
        assert note.status_code == 201
        seen = (await mia.get(f"/api/conversations/{cid}")).json()
        bodies = [m["body"] for m in seen["messages"]]
        assert "Yes!" in bodies and "secret" not in bodies
        assert seen["state"] == "waiting_on_customer"

        # Another brand's advisor neither reads it nor hears of it.
        other = await client.get(f"/api/console/conversations/{cid}", headers=bikes)
        assert other.status_code == 404
        assert all(f.get("brand") != BRAND for f in bikes_ws.frames)

        resolved = await client.post(
            f"/api/console/conversations/{cid}/resolve",
            json={"disposition": "solved"},
            headers=owner,
        )
        assert resolved.json()["state"] == "resolved"
        closed = await mia.post(f"/api/conversations/{cid}/messages", json={"body": "one more"})
        assert closed.status_code == 409
        assert closed.json()["code"] == "conversation_closed"
        rated = await mia.post(f"/api/conversations/{cid}/csat", json={"score": 5, "comment": "ok"})
        assert rated.json()["csat_score"] == 5
        again = await mia.post(f"/api/conversations/{cid}/csat", json={"score": 1})
        assert again.status_code == 409

        full = (await client.get(f"/api/console/conversations/{cid}", headers=owner)).json()
        assert [t["to_state"] for t in full["transitions"]] == [
            "bot",
            "queued",
            "assigned",
            "waiting_on_customer",
            "resolved",
        ]
        await mia.aclose()
        await ava_ws.close()
        await bikes_ws.close()


async def test_guest_cannot_read_another_guests_conversation_or_use_the_console(
    app: FastAPI, db: AsyncSession
) -> None:
    await make_brands(db)
    mia = await guest_client(app, "Mia")
    leo = await guest_client(app, "Leo")
    cid = (await mia.post("/api/conversations", json={"brand": BRAND, "body": "hi"})).json()["id"]
    assert (await leo.get(f"/api/conversations/{cid}")).status_code == 404
    assert (
        await leo.post(f"/api/conversations/{cid}/messages", json={"body": "x"})
    ).status_code == 404
    assert (await mia.get("/api/console/queue")).status_code == 403
    await mia.aclose()
    await leo.aclose()


async def test_advisor_disconnect_puts_the_conversation_back_in_the_queue(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    services_of(app).settings.console_disconnect_grace_s = 0.1
    await make_brands(db)
    ava = await staff(client, db, "ava@example.com", BRAND)
    mia = await guest_client(app)
    cid = (await mia.post("/api/conversations", json={"brand": BRAND, "body": "hi"})).json()["id"]
    await mia.post(f"/api/conversations/{cid}/handoff", json={})
    async with serve(app) as host:
        ws = Frames(await connect(f"ws://{host}/ws/console?token={ava['Authorization'][7:]}"))
        await ws.wait_for(lambda f: f["type"] == "hello")
        await client.put("/api/console/presence", json={"status": "online"}, headers=ava)
        accepted = await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        assert accepted.status_code == 200, accepted.text
        await ws.close()
        for _ in range(100):
            state = (await mia.get(f"/api/conversations/{cid}")).json()["state"]
            if state == "queued":
                break
            await asyncio.sleep(0.05)
        assert state == "queued"
    seen = (await mia.get(f"/api/conversations/{cid}")).json()
    assert next(m["body"] for m in seen["messages"]) == "hi"
    presence = await client.get("/api/console/presence", headers=ava)
    assert presence.json()["status"] == "offline"
    await mia.aclose()


async def test_console_socket_refuses_guests_and_strangers(app: FastAPI, db: AsyncSession) -> None:
    async with serve(app) as host:
        for url in (f"ws://{host}/ws/console", f"ws://{host}/ws/console?token=nope"):
            ws = await connect(url)
            await ws.wait_closed()
            assert ws.close_code == 4401
