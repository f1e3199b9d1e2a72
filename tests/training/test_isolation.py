"""Training stays apart: its room admits only its trainee, its chat reaches nobody else,
and a whole rehearsal leaves no conversation, queue entry, metric, interest signal or
CRM profile behind; a trainee sees no hidden fact or rubric answer before the end."""

from __future__ import annotations

import asyncio
import time

from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import OTHER_BRAND, serve
from tests.factories import seed_demo
from tests.training.helpers import BRAND, advisor, ok, say, started
from tests.world.conftest import open_client
from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data
from vitrina.conversations.models import Conversation, Message
from vitrina.core.events import DomainEvent
from vitrina.crm.models import CustomerProfile, TimelineEntry
from vitrina.insights.models import DwellAggregate, InteractionEvent
from vitrina.services import services_of
from vitrina.training.nlu import BotReader
from vitrina.world.events import ChatPosted, PresenceJoined


async def _count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def _signals() -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name in ("vitrina_signals_accepted", "vitrina_signals_rejected"):
            total += sum(s.value for s in metric.samples if s.name.endswith("_total"))
    return total


async def test_a_whole_rehearsal_touches_no_conversation_queue_metric_or_profile(
    app: FastAPI, app_reader: BotReader, client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    _, trainee = await advisor(client, db, "trainee@aurora.example")
    _, coach = await advisor(client, db, "coach@aurora.example", roles=["supervisor"])
    seen: list[DomainEvent] = []
    bus = services_of(app).bus
    bus.subscribe(PresenceJoined, seen.append)
    bus.subscribe(ChatPosted, seen.append)
    before = {
        m: await _count(db, m)
        for m in (
            Conversation,
            Message,
            CustomerProfile,
            TimelineEntry,
            InteractionEvent,
            DwellAggregate,
        )
    }
    signals_before = _signals()
    session = await started(client, trainee)
    async with serve(app) as host:
        token = trainee["Authorization"].removeprefix("Bearer ")
        async with open_client(f"ws://{host}/ws/world", extra=f"token={token}") as ws:
            await ws.join(brand=BRAND, zone=session["zone"])
            await ws.send("chat", text="Hello, I'm sorry to hear that, I want to talk to a person.")
            await ws.expect(
                "chat", lambda f: f["name"] == "Jordan Lefèvre" and "AUR" in f["text"], timeout=20
            )
            now_ms = int(time.time() * 1000)
            await ws.send("interest", s=[{"type": "view", "product": "aurora-e1", "at": now_ms}])
            await ws.send(
                "interest",
                s=[{"type": "dwell", "product": "aurora-e1", "at": now_ms, "duration_ms": 4000.0}],
            )
            await asyncio.sleep(0.3)
    await say(
        client, trainee, session["id"], "I need to verify your identity with a one-time code."
    )
    await ok(client, "POST", f"/api/training/sessions/{session['id']}/end", trainee)
    # Every world event of the training room is flagged private.
    private = [e for e in seen if getattr(e, "room", "").endswith(f"/{session['zone']}#1")]
    assert private and all(e.private for e in private)
    db.expire_all()
    after = {m: await _count(db, m) for m in before}
    assert after == before, "a rehearsal wrote another domain's records"
    assert _signals() == signals_before
    # Nothing waits in a queue, nothing is in anyone's console.
    assert await ok(client, "GET", "/api/console/queue", coach) == []
    assert await ok(client, "GET", "/api/console/conversations", coach) == []


async def test_the_training_room_admits_only_its_trainee_and_keeps_its_chat(
    app: FastAPI, app_reader: BotReader, client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    other = demo_brand_data().model_copy(update={"slug": OTHER_BRAND, "name": "Borealis Bikes"})
    await brands.create(db, data=other)
    await db.commit()
    _, trainee = await advisor(client, db, "trainee@aurora.example")
    _, colleague = await advisor(client, db, "colleague@aurora.example")
    _, coach = await advisor(client, db, "coach@aurora.example", roles=["supervisor"])
    _, foreign = await advisor(client, db, "agent@borealis.example", brands=[OTHER_BRAND])
    _, boss = await advisor(client, db, "ops@example.com", roles=["superadmin"], brands=[])
    session = await started(client, trainee)
    zone = session["zone"]
    guest = (await client.post("/api/auth/guest", json={"display_name": "Mia"})).json()["token"]
    client.cookies.clear()

    def bearer(headers: dict[str, str]) -> str:
        return "token=" + headers["Authorization"].removeprefix("Bearer ")

    async with serve(app) as host:
        url = f"ws://{host}/ws/world"
        for who in (
            "token=" + guest,
            bearer(colleague),
            bearer(coach),
            bearer(foreign),
            bearer(boss),
        ):
            async with open_client(url, extra=who) as ws:
                await ws.send("join", brand=BRAND, zone=zone)
                assert (await ws.expect("error"))["code"] in ("forbidden", "unknown_zone"), who
        # A visitor in the real showroom hears nothing of the rehearsal.
        async with (
            open_client(url, extra="token=" + guest) as visitor,
            open_client(url, extra=bearer(trainee)) as ws,
        ):
            await visitor.join(brand=BRAND, zone="showroom")
            await ws.join(brand=BRAND, zone=zone)
            await ws.send("chat", text="Hello, welcome to Aurora Motors.")
            await ws.expect("chat", lambda f: f["text"].startswith("Yes, hello."), timeout=20)
            await asyncio.sleep(0.3)
            heard = [f for f in visitor.frames if f.get("t") == "chat"]
            assert all(
                "Aurora Motors." not in f["text"] and "hello" not in f["text"].lower()
                for f in heard
            )
            names = {
                p["name"]
                for f in visitor.frames
                if f.get("t") in ("welcome", "enter")
                for p in f.get("who", [])
            }
            assert "Jordan Lefèvre" not in names and "Staff Member" not in names


async def test_a_trainee_sees_no_hidden_fact_or_rubric_until_the_end(
    app: FastAPI, app_reader: BotReader, client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    _, trainee = await advisor(client, db, "trainee@aurora.example")
    _, colleague = await advisor(client, db, "colleague@aurora.example")
    listed = await ok(client, "GET", f"/api/training/brands/{BRAND}/scenarios", trainee)
    assert {"slug", "title", "summary", "persona", "mood"} <= set(listed[0])
    text = str(listed)
    assert "AUR-2291" not in text and "rubric" not in text and "hidden" not in text
    source = await client.get(
        f"/api/training/brands/{BRAND}/scenarios/late-delivery", headers=trainee
    )
    assert source.status_code == 403
    dry = await client.post(
        f"/api/training/brands/{BRAND}/scenarios/dry-run",
        json={"source": "x", "replies": [{"text": "hi"}]},
        headers=trainee,
    )
    assert dry.status_code == 403
    session = await started(client, trainee)
    running = await say(client, trainee, session["id"], "Hello, I'm sorry, welcome.")
    assert running["score"] is None and running["revealed"] is None
    assert "AUR-2291" in str(running["transcript"])  # the customer said it: it is no secret
    assert "8 to 12 weeks" not in str(running) and "18 December" not in str(running)
    replay = await client.get(f"/api/training/sessions/{session['id']}/replay", headers=trainee)
    assert replay.status_code == 409
    # Another advisor does not see it at all; the zone is shown to its trainee only.
    assert (
        await client.get(f"/api/training/sessions/{session['id']}", headers=colleague)
    ).status_code == 404
    ended = await ok(client, "POST", f"/api/training/sessions/{session['id']}/end", trainee)
    assert ended["revealed"]["hidden_facts"][1].startswith(
        "The factory now announces delivery on 18 December"
    )
    assert ended["zone"] is None
    items = {i["id"]: i for i in ended["score"]["items"]}
    assert items["empathy"]["evidence"]["text"] == "Hello, I'm sorry, welcome."
    replay = await ok(client, "GET", f"/api/training/sessions/{session['id']}/replay", trainee)
    assert replay["events"][0]["kind"] == "start"
