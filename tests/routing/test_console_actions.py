"""What an advisor does with a conversation from the console, and what everyone sees:
transfer to an advisor or a queue, hand back to the bot, canned responses in the
customer's language. Live frames arrive on /ws/console without polling."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from tests.conversations.helpers import BRAND, Frames, guest_client, make_brands, serve
from tests.factories import login, make_staff
from vitrina.conversations import service as conversations
from vitrina.core.errors import Conflict
from vitrina.services import services_of


async def advisor(
    client: AsyncClient, db: AsyncSession, name: str, **presence: object
) -> dict[str, str]:
    await make_staff(
        db, email=f"{name}@example.com", roles=["agent"], brand_slugs=[BRAND], name=name
    )
    headers = await login(client, f"{name}@example.com")
    resp = await client.put(
        "/api/console/presence", json={"status": "online", **presence}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    return headers


async def user_id(client: AsyncClient, headers: dict[str, str]) -> str:
    return str((await client.get("/api/console/presence", headers=headers)).json()["user_id"])


async def waiting_customer(app: FastAPI, text: str, locale: str = "en") -> tuple[AsyncClient, str]:
    mia = await guest_client(app)
    started = await mia.post(
        "/api/conversations", json={"brand": BRAND, "body": text, "locale": locale}
    )
    assert started.status_code == 201, started.text
    cid = str(started.json()["id"])
    assert (await mia.post(f"/api/conversations/{cid}/handoff", json={})).status_code == 200
    return mia, cid


async def test_transfer_to_an_advisor_then_to_a_queue_keeps_the_history(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    ava = await advisor(client, db, "ava")
    ben = await advisor(client, db, "ben")
    cleo = await advisor(client, db, "cleo", capacity=1)
    ben_id, cleo_id = await user_id(client, ben), await user_id(client, cleo)
    async with serve(app) as host:
        ben_ws = Frames(await connect(f"ws://{host}/ws/console?token={ben['Authorization'][7:]}"))
        await ben_ws.wait_for(lambda f: f["type"] == "hello")
        # Cleo is full: one conversation of her own at capacity 1.
        cleo_customer, cleo_cid = await waiting_customer(app, "Hi Cleo")
        assert (
            await client.post(f"/api/console/conversations/{cleo_cid}/accept", headers=cleo)
        ).status_code == 200
        mia, cid = await waiting_customer(app, "My invoice is wrong")
        accepted = await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        assert accepted.status_code == 200, accepted.text
        ava_id = accepted.json()["assigned_agent_id"]

        full = await client.post(
            f"/api/console/conversations/{cid}/transfer", json={"advisor_id": cleo_id}, headers=ava
        )
        assert full.status_code == 409 and full.json()["code"] == "advisor_not_available"

        moved = await client.post(
            f"/api/console/conversations/{cid}/transfer",
            json={"advisor_id": ben_id, "reason": "billing question"},
            headers=ava,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["assigned_agent_id"] == ben_id and moved.json()["state"] == "assigned"
        frame = await ben_ws.wait_for(
            lambda f: (
                f["type"] == "conversation"
                and f["conversation_id"] == cid
                and f["agent_id"] == ben_id
            )
        )
        assert frame["previous_agent_id"] == ava_id and frame["reason"] == "billing question"
        # Ava no longer owns it; Ben replies.
        late = await client.post(
            f"/api/console/conversations/{cid}/messages", json={"body": "Me again"}, headers=ava
        )
        assert late.status_code == 403
        assert (
            await client.post(
                f"/api/console/conversations/{cid}/messages", json={"body": "Ben here"}, headers=ben
            )
        ).status_code == 201

        back = await client.post(
            f"/api/console/conversations/{cid}/transfer", json={"queue": "financing"}, headers=ben
        )
        assert back.status_code == 200, back.text
        assert back.json()["state"] == "queued" and back.json()["queue"] == "financing"
        await ben_ws.wait_for(
            lambda f: (
                f["type"] == "conversation"
                and f["conversation_id"] == cid
                and f["state"] == "queued"
            )
        )
        seen = [m["body"] for m in (await mia.get(f"/api/conversations/{cid}")).json()["messages"]]
        assert seen[0] == "My invoice is wrong" and "Ben here" in seen
        assert "ben is taking over the conversation." in seen
        assert "Please wait: another advisor will be with you shortly." in seen
        await ben_ws.close()
        await mia.aclose()
        await cleo_customer.aclose()


async def test_hand_back_to_the_bot_frees_the_advisor_and_lets_the_bot_answer(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    ava = await advisor(client, db, "ava", capacity=1)
    ben = await advisor(client, db, "ben")
    mia, cid = await waiting_customer(app, "Just a quick one")
    assert (
        await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
    ).status_code == 200
    async with services_of(app).sessions() as session:
        with pytest.raises(Conflict):  # the bot stays quiet while an advisor owns it
            await conversations.post_bot_message(
                session, bus=services_of(app).bus, conversation_id=cid, body="I can help"
            )
        await session.rollback()

    not_his = await client.post(f"/api/console/conversations/{cid}/hand-back", headers=ben)
    assert not_his.status_code == 403
    back = await client.post(f"/api/console/conversations/{cid}/hand-back", headers=ava)
    assert back.status_code == 200, back.text
    assert back.json()["state"] == "bot" and back.json()["assigned_agent_id"] is None
    async with services_of(app).sessions() as session:
        await conversations.post_bot_message(
            session, bus=services_of(app).bus, conversation_id=cid, body="I can help"
        )
        await session.commit()
    seen = [m["body"] for m in (await mia.get(f"/api/conversations/{cid}")).json()["messages"]]
    assert seen[-2:] == ["The assistant is back with you.", "I can help"]
    # Ava's one slot is free again: she can take the next customer.
    other, next_cid = await waiting_customer(app, "Next please")
    assert (
        await client.post(f"/api/console/conversations/{next_cid}/accept", headers=ava)
    ).status_code == 200
    await mia.aclose()
    await other.aclose()


async def test_canned_responses_come_in_the_customers_language(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(
        db, email="sue@example.com", roles=["supervisor"], brand_slugs=[BRAND], name="Sue"
    )
    sue = await login(client, "sue@example.com")
    for locale, body in (
        ("en", "Hello {name}, thanks for waiting."),
        ("fr", "Bonjour {name}, merci de votre patience."),
    ):
        resp = await client.post(
            f"/api/console/canned?brand={BRAND}",
            json={
                "locale": locale,
                "shortcut": "wait",
                "title": "Thanks for waiting",
                "body": body,
            },
            headers=sue,
        )
        assert resp.status_code == 201, resp.text
    ava = await advisor(client, db, "ava")
    mia, cid = await waiting_customer(app, "Bonjour", locale="fr")
    conversation = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert conversation["locale"] == "fr"
    shown = (
        await client.get(
            f"/api/console/canned?brand={BRAND}&locale={conversation['locale']}", headers=ava
        )
    ).json()
    assert [(c["shortcut"], c["body"]) for c in shown] == [
        ("wait", "Bonjour {name}, merci de votre patience.")
    ]
    await mia.aclose()


async def test_an_overdue_handoff_is_escalated_to_supervisors_live(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(
        db, email="sue@example.com", roles=["supervisor"], brand_slugs=[BRAND], name="Sue"
    )
    sue = await login(client, "sue@example.com")
    mia, cid = await waiting_customer(app, "Nobody is online?")
    async with serve(app) as host:
        sue_ws = Frames(await connect(f"ws://{host}/ws/console?token={sue['Authorization'][7:]}"))
        await sue_ws.wait_for(lambda f: f["type"] == "hello")
        services_of(app).settings.routing_default_sla_s = 0
        await services_of(app).routing_jobs.tick()
        frame = await sue_ws.wait_for(lambda f: f["type"] == "escalated")
        assert frame["conversation_id"] == cid and frame["queue"] == "general"
        await sue_ws.close()
    queue = (await client.get("/api/console/queue", headers=sue)).json()
    assert queue[0]["id"] == cid and queue[0]["escalated_at"] is not None
    # The customer is not shown the internal escalation.
    seen = (await mia.get(f"/api/conversations/{cid}")).json()["messages"]
    assert not [m for m in seen if m["data"].get("event") == "escalated"]
    await mia.aclose()


async def test_a_console_that_reconnects_within_the_grace_period_keeps_its_conversations(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    services_of(app).settings.console_disconnect_grace_s = 0.5
    await make_brands(db)
    ava = await advisor(client, db, "ava")
    mia, cid = await waiting_customer(app, "Hello")
    async with serve(app) as host:
        url = f"ws://{host}/ws/console?token={ava['Authorization'][7:]}"
        first = Frames(await connect(url))
        await first.wait_for(lambda f: f["type"] == "hello")
        assert (
            await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        ).status_code == 200
        await first.close()  # a network blip: the console comes straight back
        again = Frames(await connect(url))
        await again.wait_for(lambda f: f["type"] == "hello")
        await asyncio.sleep(1.0)
        state = (await mia.get(f"/api/conversations/{cid}")).json()["state"]
        assert state == "assigned"
        assert (await client.get("/api/console/presence", headers=ava)).json()["status"] == "online"
        await again.close()
    await mia.aclose()
