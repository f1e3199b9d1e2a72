"""kill -9 of one app node under load: nothing acknowledged is lost, visitors come back.

Customers write through the proxy (chat messages, orders, bookings) and walk in a room
while node 1 is killed. Afterwards every write the cluster acknowledged is in
PostgreSQL, and every visitor whose socket died is back in the room through the other
node within 5 s, seen by the visitors who stayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from tests.faults.clients import BRAND, World, guest
from vitrina.cluster import Cluster

SHOP = f"/api/brands/{BRAND}/commerce"
ITEM = {"product": "aurora-wallbox", "option_ids": ["wb-power-11", "wb-cable-7", "wb-white"]}
ADDRESS = {"line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}
RETRYABLE = {502, 503, 504}


class Load:
    """Writers that record what the cluster acknowledged, and what failed how."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stop = asyncio.Event()
        self.messages: list[str] = []
        self.orders: list[str] = []
        self.bookings: list[str] = []
        self.failures: list[str] = []

    def counts(self) -> tuple[int, int, int]:
        return len(self.messages), len(self.orders), len(self.bookings)

    async def _call(self, c: httpx.AsyncClient, path: str, **kw: Any) -> httpx.Response | None:
        """One request; None when it failed in a way a client retries (after a pause)."""
        try:
            r = await c.post(path, **kw)
        except httpx.TransportError as exc:
            self.failures.append(type(exc).__name__)
            await asyncio.sleep(0.2)
            return None
        if r.status_code in RETRYABLE:
            self.failures.append(str(r.status_code))
            await asyncio.sleep(0.2)
            return None
        return r

    async def _retry(self, c: httpx.AsyncClient, path: str, **kw: Any) -> httpx.Response:
        """Retried with the same Idempotency-Key until answered, as a client should."""
        for _ in range(100):
            r = await self._call(c, path, **kw)
            if r is not None:
                return r
        raise AssertionError(f"{path} never answered")

    async def chat(self, n: int) -> None:
        c = await guest(self.base, f"Writer {n}")
        try:
            r = await self._retry(c, "/api/conversations", json={"brand": BRAND, "body": "hi"})
            assert r.status_code == 201, r.text
            conversation = r.json()["id"]
            i = 0
            while not self.stop.is_set():
                i += 1
                r = await self._call(
                    c, f"/api/conversations/{conversation}/messages", json={"body": f"{n}-{i}"}
                )
                if r is not None:
                    assert r.status_code == 201, r.text
                    self.messages.append(r.json()["id"])
        finally:
            await c.aclose()

    async def shop(self, n: int) -> None:
        c = await guest(self.base, f"Buyer {n}")
        try:
            while not self.stop.is_set():
                key = {"Idempotency-Key": uuid.uuid4().hex}
                cart = (await self._retry(c, f"{SHOP}/carts", headers=key)).json()["id"]
                key = {"Idempotency-Key": uuid.uuid4().hex}
                r = await self._retry(c, f"{SHOP}/carts/{cart}/items", json=ITEM, headers=key)
                assert r.status_code == 200, r.text
                body = {"name": "Ada", "email": "ada@example.com", "shipping_address": ADDRESS}
                key = {"Idempotency-Key": uuid.uuid4().hex}
                r = await self._retry(c, f"{SHOP}/carts/{cart}/checkout", json=body, headers=key)
                assert r.status_code == 201, r.text
                self.orders.append(r.json()["order"]["id"])
        finally:
            await c.aclose()

    async def book(self) -> None:
        c = await guest(self.base, "Booker")
        try:
            start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
            slots: list[str] = []
            for _ in range(50):
                with contextlib.suppress(httpx.TransportError):
                    r = await c.get(
                        f"/api/brands/{BRAND}/scheduling/availability",
                        params={"type": "showroom-visit", "start": start, "limit": 200},
                    )
                    if r.status_code == 200:
                        slots = [s["start"] for s in r.json()["slots"]]
                        break
                await asyncio.sleep(0.1)
            assert slots, "no free showroom slot in the demo"
            for slot in slots:
                if self.stop.is_set():
                    break
                key = {"Idempotency-Key": uuid.uuid4().hex}
                body = {"type": "showroom-visit", "start": slot,
                        "customer": {"email": "bo@example.com", "name": "Bo"}}  # fmt: skip
                r = await self._retry(
                    c, f"/api/brands/{BRAND}/appointments", json=body, headers=key
                )
                if r.status_code == 201:
                    self.bookings.append(r.json()["id"])
                else:  # taken meanwhile by nobody else: a failure worth seeing
                    assert r.status_code == 409, r.text
        finally:
            await c.aclose()


async def _until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.1)


async def _missing(cluster: Cluster, table: str, ids: list[str]) -> list[str]:
    conn = await asyncpg.connect(cluster.database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(f"SELECT id FROM {table} WHERE id = ANY($1::text[])", ids)  # noqa: S608
    finally:
        await conn.close()
    return sorted(set(ids) - {r["id"] for r in rows})


async def _node_name(cluster: Cluster, index: int, token: str) -> str:
    """The world's name of node `index`, from a socket opened on it directly."""
    probe = World(
        ws_url=f"ws://127.0.0.1:{cluster.node_port(index)}/ws/world",
        token=token,
        origin=cluster.url,
        name="probe",
    )
    await probe.join(zone="lounge")
    await probe.send("leave")
    await probe.close()
    return probe.node


async def test_kill_9_of_a_node_under_load_loses_nothing_and_visitors_come_back(
    whole: Cluster,
) -> None:
    cluster = whole
    ws_url = cluster.url.replace("http", "ws") + "/ws/world"
    walkers: list[World] = []
    http: list[httpx.AsyncClient] = []
    for n in range(6):
        c = await guest(cluster.url, f"Walker {n}")
        http.append(c)
        walkers.append(World(ws_url=ws_url, token=c.token, origin=cluster.url, name=f"w{n}"))  # type: ignore[attr-defined]
    victim_node = await _node_name(cluster, 0, http[0].token)  # type: ignore[attr-defined]
    load = Load(cluster.url)
    writers: list[asyncio.Task[None]] = []
    try:
        for w in walkers:  # round robin: they spread over both nodes
            await w.join(zone="entrance", shard=5)
        victims = [w for w in walkers if w.node == victim_node]
        stayers = [w for w in walkers if w.node != victim_node]
        assert victims and stayers, (
            f"the proxy put every visitor on one node: {[w.node for w in walkers]}"
        )
        writers = [asyncio.create_task(load.chat(n)) for n in range(3)]
        writers += [asyncio.create_task(load.shop(n)) for n in range(2)]
        writers.append(asyncio.create_task(load.book()))
        await _until(lambda: all(load.counts()), 30, "every kind of write acknowledged once")
        await asyncio.sleep(1.0)
        before = load.counts()

        killed_at = time.monotonic()
        cluster.kill_node(0)

        async def come_back(w: World) -> float:
            assert await w.closed(timeout=5), f"{w.name}'s socket outlived its node"
            await w.reconnect(zone="entrance", shard=5)
            back = time.monotonic() - killed_at
            await w.send("chat", text=f"{w.name} is back")
            return back

        back_after = await asyncio.wait_for(
            asyncio.gather(*(come_back(w) for w in victims)), timeout=30
        )
        for w in victims:
            assert w.node != victim_node
        # The visitors who stayed see each one who came back.
        said = {f"{w.name} is back": w.avatar for w in victims}
        for s in stayers:
            lines = await s.chats(set(said), timeout=5)
            assert {text: line["id"] for text, line in lines.items()} == said
        # The load goes on against the one node left, until each kind got through again.
        await _until(
            lambda: all(a > b for a, b in zip(load.counts(), before, strict=True)),
            30,
            "every kind of write acknowledged after the kill",
        )
        load.stop.set()
        await asyncio.wait_for(asyncio.gather(*writers), timeout=60)
    finally:
        load.stop.set()
        for task in writers:
            task.cancel()
        await asyncio.gather(*writers, return_exceptions=True)
        for w in walkers:
            with contextlib.suppress(Exception):
                await w.close()
        for c in http:
            await c.aclose()

    after = load.counts()
    lost = {
        "messages": await _missing(cluster, "conversation_message", load.messages),
        "orders": await _missing(cluster, "commerce_order", load.orders),
        "bookings": await _missing(cluster, "scheduling_appointment", load.bookings),
    }
    assert not any(lost.values()), f"acknowledged writes lost: {lost}"
    print(
        f"\nkill -9 of node 1 under load: acknowledged {after[0]} messages, {after[1]} orders,"
        f" {after[2]} bookings, lost 0; {len(load.failures)} requests failed and were retried"
        f" ({sorted(set(load.failures))}); {len(victims)} visitors back through node 2 after"
        f" {', '.join(f'{t:.2f}' for t in sorted(back_after))} s"
    )
