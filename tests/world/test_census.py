"""Visitors in a brand's store, counted across nodes: each visitor once, whichever node
holds their connection, whichever nodes mirror their room; bots and private rooms apart."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.world.conftest import make_settings, open_client, run_node
from tests.world.test_nodes import REDIS_URL, needs_redis
from vitrina.core.broker import InProcessBroker, RedisBroker
from vitrina.core.events import EventBus
from vitrina.world import service as world
from vitrina.world.census import STALE_S, VisitorCensus
from vitrina.world.hub import WorldHub


async def settles(read: Callable[[], object], expected: object, within: float = 2.0) -> None:
    """The figure reaches `expected` within `within` seconds (the dashboard's promise)."""
    deadline = time.monotonic() + within
    while read() != expected:
        assert time.monotonic() < deadline, f"{read()!r} != {expected!r} after {within} s"
        await asyncio.sleep(0.02)


async def test_each_visitor_counts_once_on_every_node(tmp_path: Path) -> None:
    broker = InProcessBroker()
    await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            run_node(make_settings(tmp_path / "b"), broker) as nb,
        ):
            a, b = na.hub.census, nb.hub.census

            def both(brand: str | None = "acme") -> tuple[int, int]:
                return a.count(brand), b.count(brand)

            assert both() == (0, 0)
            # The greeter is not a visitor.
            await world.join_bot(nb.hub, brand="acme", zone="showroom", display_name="Nova")
            async with open_client(na.url, sid="one") as one:
                await one.join(zone="showroom")
                # Node B has no connection of this visitor and learns of them in time.
                await settles(both, (1, 1))
                async with open_client(nb.url, sid="two") as two:
                    await two.join(zone="showroom")
                    await one.expect("enter")
                    # Both nodes mirror the room with both visitors: still two, not four.
                    await settles(both, (2, 2))
                    async with open_client(nb.url, sid="other") as other:
                        await other.join(brand="globex", zone="showroom")
                        await settles(lambda: both("globex"), (1, 1))
                        await settles(lambda: both(None), (3, 3))
                        assert both() == (2, 2)
                        await other.send("leave")
                    await settles(lambda: both("globex"), (0, 0))
                    await two.send("leave")
                    await settles(both, (1, 1))
                await one.send("leave")
                await settles(both, (0, 0))
    finally:
        await broker.close()


async def test_a_stopped_node_is_forgotten_at_once_and_a_dead_one_after_silence(
    tmp_path: Path,
) -> None:
    broker = InProcessBroker()
    await broker.start()
    now = [1000.0]
    listener = VisitorCensus(
        WorldHub(make_settings(tmp_path / "l"), broker, EventBus()), clock=lambda: now[0]
    )
    await listener.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            open_client(na.url, sid="one") as one,
        ):
            await one.join(zone="showroom")
            await settles(lambda: listener.count("acme"), 1)
            # Silence (a node killed without a word) longer than STALE_S: forgotten.
            now[0] += STALE_S + 0.1
            assert listener.count("acme") == 0
            # Its next heartbeat brings it back.
            await settles(lambda: listener.count("acme"), 1, within=5.0)
        # A node that stops says so: no waiting for STALE_S.
        await settles(lambda: listener.count("acme"), 0)
    finally:
        await listener.stop()
        await broker.close()


@pytest.mark.redis
@needs_redis
async def test_nodes_share_their_counts_through_redis(tmp_path: Path) -> None:
    brand = f"census-{secrets.token_hex(3)}"  # other tests' nodes share this Redis
    brokers = [RedisBroker(str(REDIS_URL)), RedisBroker(str(REDIS_URL))]
    for broker in brokers:
        await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), brokers[0]) as na,
            run_node(make_settings(tmp_path / "b"), brokers[1]) as nb,
            open_client(na.url, sid="one") as one,
            open_client(nb.url, sid="two") as two,
        ):
            await one.join(brand=brand, zone="showroom")
            await two.join(brand=brand, zone="showroom")
            await settles(lambda: (na.hub.census.count(brand), nb.hub.census.count(brand)), (2, 2))
            await one.send("leave")
            await settles(lambda: (na.hub.census.count(brand), nb.hub.census.count(brand)), (1, 1))
    finally:
        for broker in brokers:
            await broker.close()
