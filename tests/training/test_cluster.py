"""A rehearsal in a cluster without sticky routing: two nodes on one database and one
Redis (`make test` provides VITRINA_TEST_REDIS_URL; without it those tests are skipped).
The session is started on node A; the trainee's replies reach node B, by the console's
HTTP requests and by the room's chat with their socket on B. Also: the owner stopping
mid-session, on two nodes and on one node restarted (no Redis needed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from tests.conftest import REDIS_URL
from tests.conversations.helpers import serve
from tests.factories import seed_demo
from tests.training.helpers import BRAND, advisor, ok, say, started
from tests.world.conftest import open_client
from vitrina.app import create_app
from vitrina.core.config import Settings
from vitrina.services import services_of
from vitrina.training.nlu import BotReader
from vitrina.world import service as world
from vitrina.world.protocol import CHAT_MAX_CHARS

needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="VITRINA_TEST_REDIS_URL is not set (make test starts Redis)"
)

GREETING = "Good morning and welcome to Aurora Motors."
SORRY = "I'm so sorry, I understand your frustration."
VERIFY = "I need to verify your identity first: I sent a one-time code."
DATE = "It arrives on 18 December; configured cars take 8 to 12 weeks."
BOOK = "Let me book a handover appointment with a courtesy car."


@contextlib.asynccontextmanager
async def running(settings: Settings, reader: BotReader) -> AsyncIterator[FastAPI]:
    """A node: the app with its lifespan, reading replies with the run's bot model."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.components.get(BotReader).runtime = reader.runtime  # type: ignore[attr-defined]
        yield app


def http(app: FastAPI) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")


def trainee_turns(session: dict[str, Any]) -> list[str]:
    return [line["line"] for line in session["transcript"] if line["who"] == "trainee"]


@needs_redis
async def test_replies_reaching_the_other_node_drive_the_session_once_each(
    settings: Settings, reader: BotReader
) -> None:
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    async with (
        running(shared, reader) as node_a,
        running(shared, reader) as node_b,
        http(node_a) as a,
        http(node_b) as b,
        services_of(node_a).sessions() as db,
    ):
        await seed_demo(db)
        _, trainee = await advisor(a, db, "trainee@aurora.example")
        session = await started(a, trainee)  # on node A: the customer's avatar is there
        sid, zone = session["id"], session["zone"]
        rooms_a, rooms_b = services_of(node_a).training, services_of(node_b).training
        assert sid in rooms_a.live and sid not in rooms_b.live

        async with serve(node_b) as host_b:
            token = trainee["Authorization"].removeprefix("Bearer ")
            async with open_client(f"ws://{host_b}/ws/world", extra=f"token={token}") as ws:
                # Node B learns of the private room from the database, the customer's
                # avatar (on A) is seen there.
                welcome = await ws.join(brand=BRAND, zone=zone)
                assert welcome["room"] == f"{BRAND}/{zone}#1"
                # The trainee's chat, said through B, is their reply; A's avatar answers.
                await ws.send("chat", text=GREETING)
                heard = await ws.expect(
                    "chat", lambda f: f["text"].startswith("Yes, hello."), timeout=20
                )
                assert heard["name"] == "Jordan Lefèvre"
                # The console's requests land on B too.
                await say(b, trainee, sid, SORRY)
                await ws.expect("chat", lambda f: "AUR-2291" in f["text"], timeout=10)
                await say(b, trainee, sid, VERIFY)
                # ... and one on A, the owner, between them: one conversation still.
                await say(a, trainee, sid, DATE)
                ended = await say(b, trainee, sid, BOOK)
                assert ended["state"] == "ended" and ended["outcome"] == "booked"
                assert ended["score"]["percent"] == 100
                # The customer's last words are said by A's avatar, in the room on B.
                last = [f for f in ended["transcript"] if f["who"] == "customer"][-1]["line"]
                await ws.expect("chat", lambda f: f["text"] == last[:CHAT_MAX_CHARS], timeout=10)

        # Every reply is one turn, in the order said; the customer's lines are those of
        # the script's path; the world chat reached only the node of the trainee's socket.
        assert trainee_turns(ended) == [GREETING, SORRY, VERIFY, DATE, BOOK]
        replay = await ok(a, "GET", f"/api/training/sessions/{sid}/replay", trainee)
        said = [(e["who"], e["line"]) for e in replay["events"] if e["kind"] == "say"]
        assert Counter(said).most_common(1)[0][1] == 1  # no line twice
        assert [e["seq"] for e in replay["events"]] == list(range(1, len(replay["events"]) + 1))
        # Where the trainee stood, sampled by B (their socket's node).
        assert ("trainee", "move") in [(e["who"], e["kind"]) for e in replay["events"]]
        vias = [
            e["detail"]["via"]
            for e in replay["events"]
            if e["kind"] == "say" and e["who"] == "trainee"
        ]
        assert vias[:2] == ["world", "console"]
        assert ended["revealed"]["path"][-1] == "booked"
        # The room closes on both nodes once the customer has had their last word.
        for _ in range(100):
            if not rooms_a.live and world.zone_of(services_of(node_b).world_hub, brand=BRAND,
                                                  zone=zone) is None:  # fmt: skip
                break
            await asyncio.sleep(0.1)
        assert rooms_a.live == {}
        assert world.zone_of(services_of(node_b).world_hub, brand=BRAND, zone=zone) is None


@needs_redis
async def test_when_the_owner_stops_mid_session_the_other_node_takes_it_over(
    settings: Settings, reader: BotReader
) -> None:
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    async with running(shared, reader) as node_b, http(node_b) as b:
        async with running(shared, reader) as node_a, http(node_a) as a:
            async with services_of(node_a).sessions() as db:
                await seed_demo(db)
                _, trainee = await advisor(a, db, "trainee@aurora.example")
            session = await started(a, trainee)
            sid, zone = session["id"], session["zone"]
            await say(b, trainee, sid, GREETING)  # played by A's avatar
        # Node A has stopped: the session goes on through B, which puts the customer back.
        rooms_b = services_of(node_b).training
        assert sid not in rooms_b.live
        after = await say(b, trainee, sid, SORRY)
        assert sid in rooms_b.live
        hub_b = services_of(node_b).world_hub
        bots = [o for o in world.room_occupants(hub_b, brand=BRAND, zone=zone) if o.local]
        assert [(o.name, o.badge) for o in bots] == [("Jordan Lefèvre", "bot")]
        assert "AUR-2291" in after["transcript"][-1]["line"]
        async with serve(node_b) as host_b:
            token = trainee["Authorization"].removeprefix("Bearer ")
            async with open_client(f"ws://{host_b}/ws/world", extra=f"token={token}") as ws:
                await ws.join(brand=BRAND, zone=zone)
                # Walking in, the trainee hears the customer's last line again.
                await ws.expect("chat", lambda f: "AUR-2291" in f["text"], timeout=10)
                await ws.send("chat", text=VERIFY)
                await ws.expect("chat", lambda f: f["name"] == "Jordan Lefèvre"
                                and "AUR-2291" not in f["text"], timeout=20)  # fmt: skip
        await say(b, trainee, sid, DATE)
        ended = await say(b, trainee, sid, BOOK)
        assert ended["state"] == "ended" and ended["score"]["percent"] == 100
        assert trainee_turns(ended) == [GREETING, SORRY, VERIFY, DATE, BOOK]


async def test_a_restarted_node_puts_the_customer_back_when_the_trainee_returns(
    settings: Settings, reader: BotReader
) -> None:
    """One node, no Redis: the node restarts mid-session; the trainee walks back into the
    room, the customer is there again and the rehearsal goes on."""
    async with running(settings, reader) as first, http(first) as c:
        async with services_of(first).sessions() as db:
            await seed_demo(db)
            _, trainee = await advisor(c, db, "trainee@aurora.example")
        session = await started(c, trainee)
        sid, zone = session["id"], session["zone"]
        await say(c, trainee, sid, GREETING)
    async with running(settings, reader) as second, http(second) as c, serve(second) as host:
        token = trainee["Authorization"].removeprefix("Bearer ")
        async with open_client(f"ws://{host}/ws/world", extra=f"token={token}") as ws:
            await ws.join(brand=BRAND, zone=zone)
            again = await ws.expect("chat", lambda f: f["text"].startswith("Yes, hello."))
            assert again["name"] == "Jordan Lefèvre"
            await ws.send("chat", text=SORRY)
            await ws.expect("chat", lambda f: "AUR-2291" in f["text"], timeout=20)
        ended = await ok(c, "POST", f"/api/training/sessions/{sid}/end", trainee)
        assert trainee_turns(ended) == [GREETING, SORRY]
        assert services_of(second).training.live == {}
