"""A rehearsal from start to score: the private room, the customer's avatar, replies by
console and by world chat, the replay, comments and progress."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import serve
from tests.factories import seed_demo
from tests.training.helpers import BRAND, advisor, ok, say, started
from tests.world.conftest import open_client
from vitrina.services import services_of
from vitrina.training.nlu import BotReader
from vitrina.training.runner import TrainingRooms
from vitrina.world import service as world


async def test_a_trainee_rehearses_in_a_private_room_and_gets_a_score(
    app: FastAPI, app_reader: BotReader, client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    trainee_id, trainee = await advisor(client, db, "trainee@aurora.example")
    rooms = services_of(app).training
    rooms.linger_s = 0.2
    session = await started(client, trainee)
    assert session["state"] == "running"
    zone = session["zone"]
    assert zone.startswith("training-")
    # The customer is in the private room as a bot avatar, and has spoken first.
    hub = services_of(app).world_hub
    occupants = world.room_occupants(hub, brand=BRAND, zone=zone)
    assert [(o.name, o.badge) for o in occupants] == [("Jordan Lefèvre", "bot")]
    assert session["transcript"][0]["who"] == "customer"
    assert "four weeks ago" in session["transcript"][0]["line"]
    # Before the end the trainee sees neither score nor hidden facts.
    assert session["score"] is None and session["revealed"] is None

    async with serve(app) as host:
        token = trainee["Authorization"].removeprefix("Bearer ")
        async with open_client(f"ws://{host}/ws/world", extra=f"token={token}") as ws:
            welcome = await ws.join(brand=BRAND, zone=zone)
            assert welcome["room"] == f"{BRAND}/{zone}#1"
            # The trainee's chat in the room is their reply; the customer answers there.
            await ws.send("chat", text="Good morning and welcome to Aurora Motors.")
            # (once the customer, still walking to the car, has said their first line)
            heard = await ws.expect(
                "chat", lambda f: f["text"].startswith("Yes, hello."), timeout=20
            )
            assert heard["name"] == "Jordan Lefèvre"
            after = await ok(client, "GET", f"/api/training/sessions/{session['id']}", trainee)
            assert [line["who"] for line in after["transcript"]] == [
                "customer",
                "trainee",
                "customer",
            ]
            # The console's text box works too, in the same conversation.
            await say(
                client, trainee, session["id"], "I'm so sorry, I understand your frustration."
            )
            await ws.expect("chat", lambda f: "AUR-2291" in f["text"])
            await say(
                client,
                trainee,
                session["id"],
                "I need to verify your identity first: I sent a one-time code.",
            )
            await say(
                client,
                trainee,
                session["id"],
                "It arrives on 18 December; configured cars take 8 to 12 weeks.",
            )
            ended = await say(
                client,
                trainee,
                session["id"],
                "Let me book a handover appointment with a courtesy car.",
            )
    assert ended["state"] == "ended"
    assert ended["outcome"] == "booked"
    assert ended["score"]["percent"] == 100
    assert ended["revealed"]["hidden_facts"][0].startswith("Order AUR-2291")
    assert ended["revealed"]["path"][-1] == "booked"

    replay = await ok(client, "GET", f"/api/training/sessions/{session['id']}/replay", trainee)
    kinds = [(e["who"], e["kind"]) for e in replay["events"]]
    assert kinds[0] == ("system", "start")
    assert ("customer", "move") in kinds  # walked to the Aurora E1
    assert kinds[-1] == ("system", "end")
    assert ("trainee", "move") in kinds  # where the trainee stood in the room
    world_reply = next(e for e in replay["events"] if e["who"] == "trainee" and e["kind"] == "say")
    assert world_reply["detail"]["via"] == "world"
    assert world_reply["detail"]["intent"] == "greeting"
    offsets = [e["at"] for e in replay["events"]]
    assert offsets == sorted(offsets)

    # A supervisor comments on a moment; the trainee reads it; progress counts the session.
    _, coach = await advisor(client, db, "coach@aurora.example", roles=["supervisor"])
    made = await ok(
        client,
        "POST",
        f"/api/training/sessions/{session['id']}/comments",
        coach,
        json={"remark": "Good apology, early enough.", "seq": world_reply["seq"]},
    )
    assert made["author"] == "Staff Member"
    seen = await ok(client, "GET", f"/api/training/sessions/{session['id']}", trainee)
    assert [c["remark"] for c in seen["comments"]] == ["Good apology, early enough."]
    mine = await ok(client, "GET", "/api/training/progress", trainee, params={"brand": BRAND})
    assert mine["sessions"] == 1 and mine["average_percent"] == 100.0
    theirs = await ok(
        client,
        "GET",
        "/api/training/progress",
        coach,
        params={"brand": BRAND, "trainee": trainee_id},
    )
    assert theirs["points"][0]["percent"] == 100
    assert theirs["items"]["identity"] == 1.0
    # The room closes once the customer has had their last word.
    for _ in range(50):
        if not world.room_occupants(hub, brand=BRAND, zone=zone):
            break
        await asyncio.sleep(0.1)
    assert world.room_occupants(hub, brand=BRAND, zone=zone) == []
    assert rooms.live == {}


async def test_a_supervisor_assigns_a_session_and_an_ignored_customer_walks_away(
    app: FastAPI,
    app_reader: BotReader,
    client: AsyncClient,
    db: AsyncSession,
    late_delivery_source: str,
) -> None:
    await seed_demo(db)
    trainee_id, trainee = await advisor(client, db, "trainee@aurora.example")
    _, coach = await advisor(client, db, "coach@aurora.example", roles=["supervisor"])
    impatient = late_delivery_source.replace("patience_s: 40", "patience_s: 5", 1).replace(
        "max_escalations: 2", "max_escalations: 0", 1
    )
    await ok(
        client,
        "PUT",
        f"/api/training/brands/{BRAND}/scenarios/late-delivery",
        coach,
        json={"source": impatient},
    )
    assigned = await ok(
        client,
        "POST",
        "/api/training/sessions",
        coach,
        json={
            "brand": BRAND,
            "scenario": "late-delivery",
            "language": "it",
            "trainee_id": trainee_id,
        },
    )
    assert assigned["state"] == "assigned" and assigned["trainee_id"] == trainee_id
    # Only the trainee plays it.
    refused = await client.post(f"/api/training/sessions/{assigned['id']}/start", headers=coach)
    assert refused.status_code == 403
    mine = await ok(client, "GET", "/api/training/sessions", trainee, params={"brand": BRAND})
    assert [s["id"] for s in mine] == [assigned["id"]]
    rooms: TrainingRooms = services_of(app).training
    rooms.tick_s = 0.1
    await ok(client, "POST", f"/api/training/sessions/{assigned['id']}/start", trainee)
    for _ in range(120):
        now = await ok(client, "GET", f"/api/training/sessions/{assigned['id']}", trainee)
        if now["state"] == "ended":
            break
        await asyncio.sleep(0.1)
    assert now["outcome"] == "abandoned"
    assert now["transcript"][-1]["line"] == "Lasci perdere. Me ne vado, e lo racconterò a tutti."
    assert now["transcript"][-1]["escalation"] is True
    assert (
        now["score"]["items"][-1]["reason"]
        == "La richiesta del cliente non è stata portata a termine."
    )


async def test_a_trainee_ends_a_session_early_and_it_is_scored_as_it_stands(
    app: FastAPI, app_reader: BotReader, client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    _, trainee = await advisor(client, db, "trainee@aurora.example")
    session = await started(client, trainee, scenario="financing-question", language="fr")
    await say(client, trainee, session["id"], "Bonjour et bienvenue !")
    ended = await ok(client, "POST", f"/api/training/sessions/{session['id']}/end", trainee)
    assert ended["state"] == "ended" and ended["outcome"] is None
    assert ended["score"]["earned"] == 10
    again = await client.post(f"/api/training/sessions/{session['id']}/end", headers=trainee)
    assert again.status_code == 409
    assert world.room_occupants(services_of(app).world_hub, brand=BRAND, zone=session["zone"]) == []
