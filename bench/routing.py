"""Routing and delivery benchmark: 200 concurrent conversations, 50 advisors, one node.

    .venv/bin/python -m bench.routing                  # both parts, SQLite in a temp dir
    .venv/bin/python -m bench.routing decision         # the routing decision only
    .venv/bin/python -m bench.routing delivery         # the live server only
    # SQLite and PostgreSQL, on a throwaway server:
    scripts/with-test-services.sh .venv/bin/python -m bench.routing
    # or a server of your own (a fresh database is created and dropped per part):
    VITRINA_BENCH_DATABASE_URL=postgresql+asyncpg://user@host:port/postgres ...
    VITRINA_BENCH_DATABASES=postgres ...               # choose the databases

decision: 50 advisors online (capacity 4), 200 queued conversations. Timed per
    conversation: `routing.route` in its own transaction, one after the other; the
    node's dispatcher (what a handoff goes through), from submit to the commit of the
    pass that decided it, one after the other and then all 200 submitted at once; and,
    for comparison, 200 `routing.route` transactions started at once (the former path).
delivery: the app runs in a uvicorn subprocess. 50 advisors keep a /ws/console socket,
    200 customers a /ws/widget socket; each customer asks for a person, the advisor the
    offer names accepts over HTTP, then every customer writes 5 messages at random
    intervals and the time until the text shows on the advisor's console is measured
    (client clocks on both ends are this process's), with the server's CPU time.

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
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from vitrina.brands.demo import ensure_demo_brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import BOT, Channel
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.core.events import EventBus
from vitrina.core.security import Principal, Role
from vitrina.identity import service as identity
from vitrina.migrations import runner
from vitrina.privacy import keys
from vitrina.routing import service as routing
from vitrina.routing.dispatcher import Dispatcher
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


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    sessions = create_sessionmaker(engine, sealer=keys.sealer(Settings(database_url=url)))
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

        async def reset() -> None:
            async with transaction(sessions) as db:
                await db.execute(update(Conversation).values(offered_to=None))

        # The node's own path: handoffs submitted to the dispatcher, timed from submit to
        # the commit of the pass that decided them.
        latencies: dict[str, float] = {}
        dispatcher = Dispatcher(sessions, bus, on_decided=latencies.update)
        dispatcher.start()
        try:
            await reset()
            spaced: list[float] = []
            for cid in ids:
                dispatcher.submit(cid)
                await dispatcher.settled()
                spaced.append(latencies[cid])
            await reset()
            latencies.clear()
            for cid in ids:
                dispatcher.submit(cid)
            await dispatcher.settled()
            burst = list(latencies.values())
        finally:
            await dispatcher.close()

        # The former path, for comparison: one transaction per handoff, all at once.
        await reset()
        all_at_once = await asyncio.gather(*(timed(cid) for cid in ids))
        print(f"decision: {engine.dialect.name}, {ADVISORS} advisors online, {CUSTOMERS} queued")
        report("route(), one after the other", one_by_one)
        report("dispatcher, one after the other", spaced)
        report(f"dispatcher, {CUSTOMERS} at once", burst)
        report(f"route() x{CUSTOMERS} concurrently (old)", list(all_at_once))
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
    sealer = keys.sealer(Settings(database_url=url, data_dir=data_dir))
    advisors = await seed_advisors(
        create_sessionmaker(engine, sealer=sealer), EventBus(), online=False
    )
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
            # A loaded machine can take well over 20 s to start the app.
            for _ in range(900):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                sys.exit("delivery: the server did not become ready within 90 s")
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

            cpu_before, wall_before = _cpu_s(server.pid), time.perf_counter()
            await asyncio.gather(*(chat(ws) for ws in customers))
            # Wait for stragglers (up to 30 s) so a slow delivery counts in the figures
            # instead of dropping out of them.
            for _ in range(300):
                if all(any(text in c.seen for c in consoles) for text in sent):
                    break
                await asyncio.sleep(0.1)
            print(
                f"server CPU while chatting: {_cpu_s(server.pid) - cpu_before:.1f} s "
                f"over {time.perf_counter() - wall_before:.1f} s"
            )
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


@contextlib.contextmanager
def fresh_database(kind: str, tmp: Path) -> Iterator[str]:
    """A new, migrated database: a file for SQLite, a new database on the PostgreSQL
    server `VITRINA_BENCH_DATABASE_URL` (or the test services') names, dropped after."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        runner.upgrade(url)
        yield url
        return
    server = make_url(os.environ.get("VITRINA_BENCH_DATABASE_URL") or _postgres_url())
    name = f"bench_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        runner.upgrade(url)
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def _postgres_url() -> str:
    url = os.environ.get("VITRINA_TEST_POSTGRES_URL")
    if not url:
        sys.exit("postgres: set VITRINA_BENCH_DATABASE_URL (or run under with-test-services.sh)")
    return url


def main() -> None:
    parts = [a for a in sys.argv[1:] if a in {"decision", "delivery"}] or ["decision", "delivery"]
    wanted = os.environ.get("VITRINA_BENCH_DATABASES") or (
        "sqlite,postgres"
        if os.environ.get("VITRINA_BENCH_DATABASE_URL")
        or os.environ.get("VITRINA_TEST_POSTGRES_URL")
        else "sqlite"
    )
    print(f"cpus {os.cpu_count()}, load average before: {os.getloadavg()}")
    for kind in wanted.split(","):
        for part in parts:
            with tempfile.TemporaryDirectory() as tmp, fresh_database(kind, Path(tmp)) as url:
                print(f"--- {part} on {kind}, load average {os.getloadavg()}")
                if part == "decision":
                    asyncio.run(decision(url))
                else:
                    asyncio.run(delivery(url, Path(tmp)))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
