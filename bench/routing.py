"""Routing and delivery benchmark: 200 concurrent conversations, 50 advisors, one node.

    .venv/bin/python -m bench.routing                  # both parts, SQLite in a temp dir
    .venv/bin/python -m bench.routing decision         # the routing decision only
    .venv/bin/python -m bench.routing delivery         # the live server only
    VITRINA_BENCH_DATABASE_URL=postgresql+asyncpg://user@host:port/db .venv/bin/python -m bench.routing

decision: 50 advisors online (capacity 4), 200 queued conversations; `routing.route`
    (eligibility, loads, longest idle, offer) is timed per conversation, first one after
    the other, then all 200 at once, each in its own transaction.
delivery: the app runs in a uvicorn subprocess. 50 advisors keep a /ws/console socket,
    200 customers a /ws/widget socket; each customer asks for a person, the advisor the
    offer names accepts over HTTP, then every customer writes 5 messages at random
    intervals and the time until the text shows on the advisor's console is measured
    (client clocks on both ends are this process's).

Targets (issue 7): routing decision p99 <= 50 ms; customer -> console p99 <= 150 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from vitrina.brands.demo import ensure_demo_brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import BOT, Channel
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.core.events import EventBus
from vitrina.core.security import Principal, Role
from vitrina.identity import service as identity
from vitrina.migrations import runner
from vitrina.routing import service as routing
from vitrina.routing.schemas import Presence, PresenceUpdate

ADVISORS = int(os.environ.get("VITRINA_BENCH_ADVISORS", "50"))
CUSTOMERS = int(os.environ.get("VITRINA_BENCH_CUSTOMERS", "200"))
MESSAGES_PER_CUSTOMER = 5
CAPACITY = 4
BRAND = "aurora-motors"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - throwaway bench install


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def report(name: str, values_ms: list[float]) -> None:
    ordered = sorted(values_ms)
    if not ordered:
        print(f"{name:<40} no samples")
        return

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(
        f"{name:<40} n={len(ordered):<5} p50={pick(0.5):7.2f}  p95={pick(0.95):7.2f}  "
        f"p99={pick(0.99):7.2f}  max={ordered[-1]:7.2f} ms"
    )


async def seed_advisors(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus, *, online: bool
) -> list[tuple[Principal, str]]:
    """The demo brand and ADVISORS agents with a bearer token each."""
    async with transaction(sessions) as db:
        await ensure_demo_brand(db)
    made: list[tuple[Principal, str]] = []
    for i in range(ADVISORS):
        async with transaction(sessions) as db:
            user = await identity.create_user(
                db,
                email=f"advisor{i}@bench.example",
                display_name=f"Advisor {i}",
                password=SECRET,
                roles=["agent"],
                brand_slugs=[BRAND],
            )
            token, _ = await identity.create_staff_session(db, user=user, ttl_s=3600)
            principal = Principal(
                kind="staff",
                session_id="bench",
                display_name=user.display_name,
                user_id=user.id,
                roles=frozenset({Role.AGENT}),
                brand_slugs=frozenset({BRAND}),
            )
            if online:
                await routing.set_presence(
                    db,
                    bus=bus,
                    principal=principal,
                    data=PresenceUpdate(status=Presence.ONLINE, capacity=CAPACITY),
                )
        made.append((principal, token))
    return made


async def decision(url: str) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    bus = EventBus()  # no subscribers: only the decision itself is timed
    try:
        await seed_advisors(sessions, bus, online=True)
        ids: list[str] = []
        for i in range(CUSTOMERS):
            async with transaction(sessions) as db:
                conversation = await conversations.create(
                    db,
                    bus=bus,
                    brand_slug=BRAND,
                    channel=Channel.WIDGET,
                    customer_name=f"Customer {i}",
                    locale=random.choice(["en", "fr", "it"]),
                    guest_session_id=str(uuid.uuid4()),
                )
                await conversations.request_handoff(
                    db, bus=bus, conversation_id=conversation.id, actor=BOT, reason="bench"
                )
                ids.append(conversation.id)

        async def timed(conversation_id: str) -> float:
            started = time.perf_counter()
            async with transaction(sessions) as db:
                await routing.route(db, bus=bus, conversation_id=conversation_id)
            return (time.perf_counter() - started) * 1000

        one_by_one = [await timed(cid) for cid in ids]
        async with transaction(sessions) as db:
            await db.execute(update(Conversation).values(offered_to=None))
        all_at_once = await asyncio.gather(*(timed(cid) for cid in ids))
        print(f"decision: {engine.dialect.name}, {ADVISORS} advisors online, {CUSTOMERS} queued")
        report("route(), one after the other", one_by_one)
        report(f"route(), {CUSTOMERS} at once", list(all_at_once))
    finally:
        await engine.dispose()


class Console:
    def __init__(self, ws: ClientConnection, user_id: str) -> None:
        self.ws = ws
        self.user_id = user_id
        self.offers: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        self.seen: dict[str, float] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame["type"] == "offer" and frame["advisor_id"] == self.user_id:
                    self.offers.put_nowait((frame["conversation_id"], now))
                elif frame["type"] == "message":
                    self.seen.setdefault(frame["message"]["body"], now)


async def delivery(url: str, data_dir: Path) -> None:
    engine = create_engine(url)
    advisors = await seed_advisors(create_sessionmaker(engine), EventBus(), online=False)
    await engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "VITRINA_DATABASE_URL": url,
        "VITRINA_DATA_DIR": str(data_dir),
        "VITRINA_SECRET_KEY": SECRET,
        "VITRINA_LOG_LEVEL": "WARNING",
        "VITRINA_ENVIRONMENT": "test",
        # All bench customers share one address; the public write limit is not under test.
        "VITRINA_PUBLIC_WRITE_RATE_PER_MINUTE": "1000000",
    }
    server = await asyncio.create_subprocess_exec(
        *[
            sys.executable,
            "-m",
            "uvicorn",
            "vitrina.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=f"http://{base}", timeout=60) as http:
            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            tokens = {p.user_id: token for p, token in advisors}
            for token in tokens.values():
                resp = await http.put(
                    "/api/console/presence",
                    json={"status": "online", "capacity": CAPACITY},
                    headers={"Authorization": f"Bearer {token}"},
                )
                resp.raise_for_status()
            consoles = [
                Console(await connect(f"ws://{base}/ws/console?token={token}"), str(user_id))
                for user_id, token in tokens.items()
            ]
            customers = [
                await connect(f"ws://{base}/ws/widget?brand={BRAND}", max_queue=None)
                for _ in range(CUSTOMERS)
            ]
            for ws in customers:
                await ws.recv()  # welcome
                await ws.send(json.dumps({"type": "say", "text": "hello"}))
            await asyncio.sleep(2.0)
            asked = time.perf_counter()
            for ws in customers:
                await ws.send(json.dumps({"type": "handoff"}))

            offer_ms: list[float] = []
            accepted: set[str] = set()

            async def accept(console: Console) -> None:
                while len(accepted) < CUSTOMERS:
                    try:
                        cid, at = await asyncio.wait_for(console.offers.get(), timeout=20)
                    except TimeoutError:
                        return
                    offer_ms.append((at - asked) * 1000)
                    resp = await http.post(
                        f"/api/console/conversations/{cid}/accept",
                        headers={"Authorization": f"Bearer {tokens[console.user_id]}"},
                    )
                    if resp.status_code == 200:
                        accepted.add(cid)

            await asyncio.gather(*(accept(c) for c in consoles))
            print(
                f"delivery: {len(accepted)}/{CUSTOMERS} handoffs accepted "
                f"{time.perf_counter() - asked:.1f} s after they were asked for"
            )

            sent: dict[str, float] = {}
            rng = random.Random(7)

            async def chat(ws: ClientConnection) -> None:
                for _ in range(MESSAGES_PER_CUSTOMER):
                    await asyncio.sleep(rng.uniform(0.5, 3.0))
                    text = f"msg {uuid.uuid4().hex}"
                    sent[text] = time.perf_counter()
                    try:
                        await ws.send(json.dumps({"type": "say", "text": text}))
                    except ConnectionClosed:
                        return  # counted as not delivered

            await asyncio.gather(*(chat(ws) for ws in customers))
            await asyncio.sleep(3.0)
            delivered = [
                (min(c.seen[text] for c in consoles if text in c.seen) - at) * 1000
                for text, at in sent.items()
                if any(text in c.seen for c in consoles)
            ]
            report("handoff asked -> offer on console", offer_ms)
            report("customer -> advisor console", delivered)
            print(f"messages sent {len(sent)}, seen on a console {len(delivered)}")
            for ws in customers:
                with contextlib.suppress(ConnectionClosed):
                    await ws.close()
            for console in consoles:
                with contextlib.suppress(ConnectionClosed):
                    await console.ws.close()
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=20)


def main() -> None:
    parts = sys.argv[1:] or ["decision", "delivery"]
    print(f"load average before: {os.getloadavg()}")
    for part in parts:
        with tempfile.TemporaryDirectory() as tmp:
            url = os.environ.get("VITRINA_BENCH_DATABASE_URL") or (
                f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            )
            runner.upgrade(url)
            if part == "decision":
                asyncio.run(decision(url))
            else:
                asyncio.run(delivery(url, Path(tmp)))
            if url.startswith("postgresql"):
                print("(PostgreSQL: use a fresh database per part)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
