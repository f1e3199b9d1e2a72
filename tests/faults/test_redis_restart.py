"""Redis restarts: rooms that span both nodes work again within 5 s; HTTP never stops."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx

from tests.faults.clients import BRAND, World, guest
from vitrina.cluster import Cluster


async def test_rooms_spanning_nodes_recover_within_5_s_of_a_redis_restart(whole: Cluster) -> None:
    cluster = whole
    http = [await guest(cluster.url, "Ana"), await guest(cluster.url, "Ben")]
    # One visitor on each node, in one room: what one does reaches the other through Redis.
    a, b = (
        World(
            ws_url=f"ws://127.0.0.1:{cluster.node_port(i)}/ws/world",
            token=c.token,  # type: ignore[attr-defined]
            origin=cluster.url,
            name=name,
        )
        for i, (c, name) in enumerate(zip(http, ("a", "b"), strict=True))
    )
    try:
        await a.join(zone="lounge", shard=9)
        await b.join(zone="lounge", shard=9)
        assert a.node != b.node
        await a.send("chat", text="before")
        await b.chats({"before"}, timeout=5)

        await asyncio.to_thread(cluster.stop_redis)
        await asyncio.sleep(1.0)
        # Customers' HTTP requests do not need Redis (rate limits fall back to each node).
        answered = await http[0].post("/api/conversations", json={"brand": BRAND, "body": "hi"})
        assert answered.status_code == 201, answered.text
        await asyncio.to_thread(cluster.start_redis)
        back_at = time.monotonic()

        async def say_until_heard() -> float:
            n = 0
            while True:
                n += 1
                await a.send("chat", text=f"after {n}")
                with contextlib.suppress(AssertionError):
                    await b.chats({f"after {n}"}, timeout=0.25)
                    return time.monotonic() - back_at

        heard_after = await asyncio.wait_for(say_until_heard(), timeout=15)
        # And B sees A in the room: A is not gone, or came back in.
        presence = [
            f["t"]
            for f in b.frames
            if (f["t"] == "exit" and f.get("id") == a.avatar)
            or (f["t"] == "enter" and any(p["id"] == a.avatar for p in f["who"]))
        ]
        if presence and presence[-1] == "exit":
            await b.until("enter", timeout=5)
        ready = httpx.get(f"{cluster.node_url(0)}/readyz", timeout=5).json()
    finally:
        for w in (a, b):
            with contextlib.suppress(Exception):
                await w.close()
        for c in http:
            await c.aclose()
    assert heard_after < 5.0, f"the room worked again {heard_after:.1f} s after Redis restarted"
    assert ready["checks"]["broker"] == "ok"
    print(
        f"\nredis restart: a room spanning both nodes carried chat again {heard_after:.2f} s after Redis was back"
    )
