"""PostgreSQL restarts: requests meanwhile get a clear 503 problem+json, then work again;
the world's rooms go on, and visitors can still enter them."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx

from tests.faults.clients import BRAND, World, guest, is_problem
from vitrina.cluster import Cluster


async def test_requests_fail_with_503_while_postgres_restarts_then_recover(
    whole: Cluster,
) -> None:
    cluster = whole
    client = await guest(cluster.url, "Paula")
    visitors: list[World] = []
    try:
        started = await client.post("/api/conversations", json={"brand": BRAND, "body": "hello"})
        assert started.status_code == 201, started.text
        conversation = started.json()["id"]
        answers: list[tuple[float, int, bool, float]] = []
        stop = asyncio.Event()

        async def keep_asking() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                t0 = time.monotonic()
                try:
                    r = await client.post(
                        f"/api/conversations/{conversation}/messages", json={"body": f"m{n}"}
                    )
                    answers.append((t0, r.status_code, is_problem(r, 503), time.monotonic() - t0))
                except httpx.TransportError as exc:
                    raise AssertionError(f"the proxy or a node dropped a request: {exc!r}") from exc
                await asyncio.sleep(0.05)

        ws_url = cluster.url.replace("http", "ws") + "/ws/world"
        visitors += [
            World(ws_url=ws_url, token=g.token, origin=cluster.url, name=f"v{n}")  # type: ignore[attr-defined]
            for n, g in enumerate([client, client, client])
        ]
        for i, v in enumerate(visitors[:2]):  # the room is open on both nodes
            v.ws_url = f"ws://127.0.0.1:{cluster.node_port(i)}/ws/world"
            await v.join(zone="lounge", shard=11)
        asker = asyncio.create_task(keep_asking())
        await asyncio.sleep(1.0)
        down_at = time.monotonic()
        await asyncio.to_thread(cluster.stop_postgres)
        # The world goes on: a visitor comes in, and the others see it talk.
        late = visitors[2]
        await late.join(zone="lounge", shard=11)
        await late.send("chat", text="no database needed")
        for v in visitors[:2]:
            await v.chats({"no database needed"}, timeout=5)
        await asyncio.sleep(2.0)
        ready_during = httpx.get(f"{cluster.node_url(0)}/readyz", timeout=5)
        up_from = time.monotonic()
        await asyncio.to_thread(cluster.start_postgres_server)
        up_at = time.monotonic()
        # Recovery: the first success after PostgreSQL accepts connections again.
        deadline = up_at + 15
        while time.monotonic() < deadline:
            if any(t >= up_at and status == 201 for t, status, _, _ in answers):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(asker, 10)
    finally:
        for v in visitors:
            with contextlib.suppress(Exception):
                await v.close()
        await client.aclose()

    during = [
        (status, problem, took) for t, status, problem, took in answers if down_at <= t < up_from
    ]
    assert during, "no request was made while PostgreSQL was down"
    assert all(status == 503 and problem for status, problem, _ in during), (
        f"while PostgreSQL was down every answer must be 503 problem+json: {during[:5]}"
    )
    slowest = max(took for _, _, took in during)
    assert slowest < 3.0, f"a request waited {slowest:.1f} s for a database that is down"
    assert ready_during.status_code == 503
    assert ready_during.json()["checks"]["database"].startswith("error")
    recovered = [t for t, status, _, _ in answers if t >= up_at and status == 201]
    assert recovered, "requests did not succeed again after PostgreSQL came back"
    recovery_s = recovered[0] - up_at
    assert recovery_s < 5.0, f"requests recovered {recovery_s:.1f} s after PostgreSQL restarted"
    print(
        f"\npostgres restart: {len(during)} requests while down, all 503 problem+json "
        f"(slowest {slowest * 1000:.0f} ms); first success {recovery_s:.2f} s after it was back"
    )
