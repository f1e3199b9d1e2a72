"""Paths that cross nodes, on the real cluster: each node is called directly, so that
what one node does must reach the other through Redis or PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from websockets.asyncio.client import connect

from tests.faults.clients import BRAND, guest
from vitrina.cluster import Cluster
from vitrina.demo import DEMO_PASSWORD


async def _staff(base: str, email: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=20)
    r = await c.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["authorization"] = f"Bearer {r.json()['token']}"
    c.token = r.json()["token"]  # type: ignore[attr-defined]
    return c


async def test_a_console_on_one_node_follows_a_handoff_made_on_the_other_and_one_accept_wins(
    cluster: Cluster,
) -> None:
    node1, node2 = cluster.node_url(0), cluster.node_url(1)
    agent = await _staff(node1, "agent@aurora-motors.example")
    supervisor = await _staff(node2, "admin@aurora-motors.example")
    customer = await guest(node2, "Carla")
    try:
        async with connect(
            f"ws://127.0.0.1:{cluster.node_port(0)}/ws/console?token={agent.token}",  # type: ignore[attr-defined]
            open_timeout=10,
        ) as console:
            hello = json.loads(await asyncio.wait_for(console.recv(), 10))
            assert hello["type"] == "hello", hello
            # On node 2: a customer writes and asks for a person.
            r = await customer.post("/api/conversations", json={"brand": BRAND, "body": "help"})
            assert r.status_code == 201, r.text
            conversation = r.json()["id"]
            r = await customer.post(f"/api/conversations/{conversation}/handoff", json={})
            assert r.status_code == 200, r.text
            # On node 1: the agent's console hears of it.
            frames: list[dict[str, Any]] = []
            deadline = time.monotonic() + 5
            while not any(
                f.get("conversation_id") == conversation and f["type"] != "message" for f in frames
            ):
                left = deadline - time.monotonic()
                assert left > 0, f"the console on node 1 heard nothing of it: {frames[-3:]}"
                frames.append(json.loads(await asyncio.wait_for(console.recv(), left)))
        # Two advisors accept it at once, one on each node: exactly one gets it.
        path = f"/api/console/conversations/{conversation}/accept"
        answers = await asyncio.gather(agent.post(path), supervisor.post(path))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert loser.json()["code"] == "already_claimed"
        winner = next(a for a in answers if a.status_code == 200).json()
        for c in (agent, supervisor):
            seen = (await c.get(f"/api/console/conversations/{conversation}")).json()
            assert seen["assigned_agent_id"] == winner["assigned_agent_id"]
    finally:
        for c in (agent, supervisor, customer):
            await c.aclose()
