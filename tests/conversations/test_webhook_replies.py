"""Replies on the webhook channel reach the bridge: signed, in order, once, retried with
backoff, dead-lettered where the console sees it, and still sent after a restart.

The bridge is a real HTTP server on loopback, started by each test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from starlette.requests import Request
from starlette.responses import Response

from tests.conversations.helpers import BRAND, make_brands, serve
from tests.factories import login, make_staff
from vitrina.app import create_app
from vitrina.conversations.channels.webhook_outbox import channel_secret, sign
from vitrina.core.config import Settings
from vitrina.services import services_of


class Bridge:
    """A messaging-app bridge: records every POST and answers with the scripted statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[int, dict[str, str], bytes]] = []
        self.app = FastAPI()
        self.app.add_api_route("/replies", self.reply, methods=["POST"])

    async def reply(self, request: Request) -> Response:
        status = self.statuses.pop(0) if self.statuses else 200
        self.received.append((status, dict(request.headers), await request.body()))
        return Response(status_code=status)

    def delivered(self) -> list[dict[str, Any]]:
        return [json.loads(body) for status, _, body in self.received if status < 300]


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield app, client


def fast_retries(settings: Settings, attempts: int) -> Settings:
    return settings.model_copy(
        update={"webhook_retry_base_s": 0.05, "webhook_max_attempts": attempts}
    )


async def inbound(client: AsyncClient, settings: Settings, text: str, message_id: str) -> str:
    """The bridge posts a customer message; returns the conversation id."""
    secret = channel_secret(settings.resolved_secret_key, BRAND)
    body = json.dumps(
        {"contact_id": "+39555", "name": "Gio", "text": text, "message_id": message_id}
    )
    stamp = str(int(time.time()))
    resp = await client.post(
        f"/api/channels/webhook/{BRAND}",
        content=body,
        headers={
            "x-vitrina-timestamp": stamp,
            "x-vitrina-signature": sign(secret, stamp, body.encode()),
            "content-type": "application/json",
        },
    )
    assert resp.status_code == 202, resp.text
    return str(resp.json()["conversation_id"])


async def staff(app: FastAPI, client: AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    """An admin and an online advisor of the brand, signed in."""
    async with services_of(app).sessions() as db:
        await make_brands(db)
        await make_staff(db, email="root@example.com", roles=["superadmin"])
        await make_staff(
            db, email="ava@example.com", roles=["agent"], brand_slugs=[BRAND], name="Ava"
        )
        await db.commit()
    admin = await login(client, "root@example.com")
    ava = await login(client, "ava@example.com")
    resp = await client.put("/api/console/presence", json={"status": "online"}, headers=ava)
    assert resp.status_code == 200, resp.text
    return admin, ava


async def take_and_reply(
    client: AsyncClient, admin: dict[str, str], ava: dict[str, str], cid: str, text: str
) -> None:
    assert (
        await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=admin)
    ).status_code == 200
    for _ in range(100):
        resp = await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        if resp.status_code == 200:
            break
        await asyncio.sleep(0.05)
    assert resp.status_code == 200, resp.text
    resp = await client.post(
        f"/api/console/conversations/{cid}/messages", json={"body": text}, headers=ava
    )
    assert resp.status_code in (200, 201), resp.text


async def until(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_replies_reach_the_bridge_signed_in_order_and_once(settings: Settings) -> None:
    bridge = Bridge(statuses=[500])  # the first POST fails: it is retried, not duplicated
    settings = fast_retries(settings, attempts=5)
    async with serve(bridge.app) as host, running(settings) as (app, client):
        admin, ava = await staff(app, client)
        resp = await client.put(
            f"/api/admin/channels/webhook/{BRAND}",
            json={"outbound_url": f"http://{host}/replies"},
            headers=admin,
        )
        assert resp.status_code == 200 and resp.json()["outbound_url"] == f"http://{host}/replies"
        cid = await inbound(client, settings, "Ciao, is my car ready?", "w1")
        await take_and_reply(client, admin, ava, cid, "Yes, you can pick it up at 5 pm.")

        async def reply_arrived() -> bool:
            return any(d["message"]["text"].startswith("Yes, you can") for d in bridge.delivered())

        await until(reply_arrived)

        # Resolved: the bridge is asked for a rating, and the customer's "5" is the rating.
        resolved = await client.post(
            f"/api/console/conversations/{cid}/resolve", json={"disposition": "solved"}, headers=ava
        )
        assert resolved.status_code == 200, resolved.text

        async def asked_to_rate() -> bool:
            return any(d["message"]["kind"] == "csat_request" for d in bridge.delivered())

        await until(asked_to_rate)
        for _ in range(2):  # the bridge redelivers: rated once, no new conversation
            assert await inbound(client, settings, "5 very quick, thanks", "w1-rating") == cid
        detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
        assert detail["csat_score"] == 5 and detail["csat_comment"] == "very quick, thanks"
        rows = (await client.get("/api/console/conversations", headers=admin)).json()
        assert [r["id"] for r in rows] == [cid]

    secret = channel_secret(settings.resolved_secret_key, BRAND)
    for _, headers, body in bridge.received:
        assert headers["x-vitrina-signature"] == sign(secret, headers["x-vitrina-timestamp"], body)
        assert abs(int(headers["x-vitrina-timestamp"]) - time.time()) < 60
    delivered = bridge.delivered()
    assert {d["contact_id"] for d in delivered} == {"+39555"}
    # The customer never gets their own words back, and each message arrives once, in order.
    texts = [d["message"]["text"] for d in delivered]
    assert "Ciao, is my car ready?" not in texts
    assert "Yes, you can pick it up at 5 pm." in texts
    assert "How did we do? Rate this conversation from 1 to 5." in texts
    assert any(t.startswith("Ava joined") for t in texts)
    seqs = [d["message"]["seq"] for d in delivered]
    assert seqs == sorted(set(seqs))
    assert [s for s, _, _ in bridge.received].count(500) == 1
    assert len({h["x-vitrina-delivery"] for s, h, _ in bridge.received if s < 300}) == len(
        delivered
    )


async def test_a_reply_the_bridge_keeps_refusing_is_dead_lettered_and_shown(
    settings: Settings,
) -> None:
    bridge = Bridge(statuses=[503] * 50)
    settings = fast_retries(settings, attempts=3)
    async with serve(bridge.app) as host, running(settings) as (app, client):
        admin, ava = await staff(app, client)
        await client.put(
            f"/api/admin/channels/webhook/{BRAND}",
            json={"outbound_url": f"http://{host}/replies"},
            headers=admin,
        )
        cid = await inbound(client, settings, "Hello?", "w2")
        await take_and_reply(client, admin, ava, cid, "Here I am.")

        async def dead_shown() -> bool:
            detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
            return any(m["data"].get("event") == "webhook_dead" for m in detail["messages"])

        await until(dead_shown)
        detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
        notices = [m for m in detail["messages"] if m["data"].get("event") == "webhook_dead"]
        assert notices[0]["internal"] is True
        assert "after 3 attempts: HTTP 503" in notices[0]["body"]
        dead = (
            await client.get(
                f"/api/admin/channels/webhook/{BRAND}/deliveries?status=dead", headers=admin
            )
        ).json()
        assert dead and all(d["attempts"] == 3 for d in dead)
        # The oldest gave up after exactly three attempts.
        first = dead[-1]["id"]
        times = [
            float(h["x-vitrina-timestamp"])
            for _, h, _ in bridge.received
            if h["x-vitrina-delivery"] == first
        ]
        assert len(times) == 3
        # An advisor's internal notice is never sent to the customer.
        assert all(json.loads(b)["message"]["kind"] != "note" for _, _, b in bridge.received)

        # Once the bridge works again an admin retries the dead ones; they go out once.
        bridge.statuses = []
        for delivery in dead:
            resp = await client.post(
                f"/api/admin/channels/webhook/{BRAND}/deliveries/{delivery['id']}/retry",
                headers=admin,
            )
            assert resp.status_code == 200 and resp.json()["status"] == "pending"

        async def all_delivered() -> bool:
            return {d["id"] for d in dead} <= {d["delivery_id"] for d in bridge.delivered()}

        await until(all_delivered)
        ids = [d["delivery_id"] for d in bridge.delivered()]
        assert len(ids) == len(set(ids))
        again = await client.post(
            f"/api/admin/channels/webhook/{BRAND}/deliveries/{first}/retry", headers=admin
        )
        assert again.status_code == 404


async def test_a_reply_waiting_for_the_bridge_is_sent_after_a_restart(settings: Settings) -> None:
    bridge = Bridge()
    settings = fast_retries(settings, attempts=50)
    async with serve(bridge.app) as host:
        url = f"http://{host}/replies"
    # The bridge is down (nothing listens on its port) while the advisor replies.
    async with running(settings) as (app, client):
        admin, ava = await staff(app, client)
        await client.put(
            f"/api/admin/channels/webhook/{BRAND}", json={"outbound_url": url}, headers=admin
        )
        cid = await inbound(client, settings, "Anyone?", "w3")
        await take_and_reply(client, admin, ava, cid, "Sorry for the wait.")

        async def tried() -> bool:
            rows = (
                await client.get(f"/api/admin/channels/webhook/{BRAND}/deliveries", headers=admin)
            ).json()
            # One conversation's replies leave in order: the oldest is the one retried.
            return any(r["attempts"] >= 2 for r in rows)

        await until(tried)
        pending = (
            await client.get(
                f"/api/admin/channels/webhook/{BRAND}/deliveries?status=pending", headers=admin
            )
        ).json()
        assert len(pending) >= 2 and any("ConnectError" in r["last_error"] for r in pending)
    # The node restarts; the bridge is back on the same port.
    host_port = url.split("/")[2]
    async with serve_on(bridge.app, host_port), running(settings) as (app, client):
        admin = await login(client, "root@example.com")

        async def drained() -> bool:
            rows = (
                await client.get(f"/api/admin/channels/webhook/{BRAND}/deliveries", headers=admin)
            ).json()
            return all(r["status"] == "delivered" for r in rows)

        await until(drained)
        rows = (
            await client.get(f"/api/admin/channels/webhook/{BRAND}/deliveries", headers=admin)
        ).json()
    delivered = bridge.delivered()
    assert [d["message"]["text"] for d in delivered].count("Sorry for the wait.") == 1
    # Everything that waited through the restart went out, each exactly once.
    assert {r["id"] for r in pending} <= {r["id"] for r in rows}
    assert sorted(d["delivery_id"] for d in delivered) == sorted(r["id"] for r in rows)


@contextlib.asynccontextmanager
async def serve_on(asgi: FastAPI, host_port: str) -> AsyncIterator[None]:
    host, port = host_port.split(":")
    server = uvicorn.Server(
        uvicorn.Config(asgi, host=host, port=int(port), log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
