"""The broker contract, run against the in-process broker and (when configured) Redis."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from vitrina.core.broker import Broker, BrokerError, InProcessBroker, RedisBroker, create_broker

REDIS_URL = os.environ.get("VITRINA_TEST_REDIS_URL")


def _params() -> list[object]:
    return [
        pytest.param("inprocess", id="inprocess"),
        pytest.param(
            "redis",
            id="redis",
            marks=[
                pytest.mark.redis,
                pytest.mark.skipif(
                    not REDIS_URL, reason="VITRINA_TEST_REDIS_URL is not set (no Redis server)"
                ),
            ],
        ),
    ]


@pytest.fixture(params=_params())
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[Broker]:
    b: Broker = InProcessBroker() if request.param == "inprocess" else RedisBroker(str(REDIS_URL))
    await b.start()
    try:
        yield b
    finally:
        await b.close()


async def _next(queue: asyncio.Queue[bytes]) -> bytes:
    return await asyncio.wait_for(queue.get(), timeout=5)


async def test_publish_reaches_subscribers_in_order(broker: Broker) -> None:
    got: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(payload: bytes) -> None:
        await got.put(payload)

    unsubscribe = await broker.subscribe("t:order", handler)
    for i in range(20):
        await broker.publish("t:order", b"m%d" % i)
    assert [await _next(got) for _ in range(20)] == [b"m%d" % i for i in range(20)]
    await unsubscribe()


async def test_channels_are_isolated_and_unsubscribe_stops_delivery(broker: Broker) -> None:
    a: asyncio.Queue[bytes] = asyncio.Queue()
    b: asyncio.Queue[bytes] = asyncio.Queue()

    async def on_a(payload: bytes) -> None:
        await a.put(payload)

    async def on_b(payload: bytes) -> None:
        await b.put(payload)

    unsub_a = await broker.subscribe("t:a", on_a)
    unsub_b = await broker.subscribe("t:b", on_b)
    await broker.publish("t:a", b"for-a")
    assert await _next(a) == b"for-a"
    await unsub_a()
    await broker.publish("t:a", b"lost")
    await broker.publish("t:b", b"for-b")
    assert await _next(b) == b"for-b"
    assert a.empty()
    await unsub_b()


async def test_failing_handler_does_not_stop_others(broker: Broker) -> None:
    got: asyncio.Queue[bytes] = asyncio.Queue()

    async def bad(payload: bytes) -> None:
        raise RuntimeError("boom")

    async def good(payload: bytes) -> None:
        await got.put(payload)

    await broker.subscribe("t:err", bad)
    await broker.subscribe("t:err", good)
    await broker.publish("t:err", b"x")
    await broker.publish("t:err", b"y")
    assert [await _next(got), await _next(got)] == [b"x", b"y"]


async def test_ping(broker: Broker) -> None:
    await broker.ping()


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="VITRINA_TEST_REDIS_URL is not set (no Redis server)")
async def test_two_redis_brokers_talk_to_each_other() -> None:
    one, two = RedisBroker(str(REDIS_URL)), RedisBroker(str(REDIS_URL))
    await one.start()
    await two.start()
    try:
        got: asyncio.Queue[bytes] = asyncio.Queue()

        async def handler(payload: bytes) -> None:
            await got.put(payload)

        await two.subscribe("t:nodes", handler)
        await one.publish("t:nodes", b"\x00\xffbinary")
        assert await _next(got) == b"\x00\xffbinary"
    finally:
        await one.close()
        await two.close()


async def test_unstarted_or_closed_broker_fails_ping() -> None:
    b = InProcessBroker()
    with pytest.raises(BrokerError):
        await b.ping()
    await b.start()
    await b.close()
    with pytest.raises(BrokerError):
        await b.ping()


async def test_unreachable_redis_fails_to_start() -> None:
    b = RedisBroker("redis://127.0.0.1:1/0")
    with pytest.raises(Exception):  # noqa: B017, PT011 - connection errors vary by platform
        await b.start()


def test_create_broker_picks_by_url() -> None:
    assert isinstance(create_broker(None), InProcessBroker)
    assert isinstance(create_broker("redis://localhost:6379/0"), RedisBroker)


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="VITRINA_TEST_REDIS_URL is not set (no Redis server)")
async def test_redis_subscription_survives_a_dropped_connection() -> None:
    broker = RedisBroker(str(REDIS_URL), reconnect_delay_s=0.1)
    await broker.start()
    admin = aioredis.Redis.from_url(str(REDIS_URL))
    try:
        got: asyncio.Queue[bytes] = asyncio.Queue()

        async def handler(payload: bytes) -> None:
            await got.put(payload)

        await broker.subscribe("t:reconnect", handler)
        await broker.publish("t:reconnect", b"before")
        assert await _next(got) == b"before"
        assert await admin.client_kill_filter(_type="pubsub") >= 1
        # Pub/sub is at most once: publish until the resubscribed connection hears one.
        for _ in range(100):
            await broker.publish("t:reconnect", b"after")
            try:
                assert await asyncio.wait_for(got.get(), 0.1) == b"after"
                break
            except TimeoutError:
                continue
        else:
            pytest.fail("no message after the connection was dropped")
    finally:
        await admin.aclose()
        await broker.close()
