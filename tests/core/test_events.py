from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.demo import ensure_demo_brand
from vitrina.brands.service import BrandChanged
from vitrina.core.events import DomainEvent, EventBus


class Ping(DomainEvent):
    type = "test.ping"
    n: int


class LoudPing(Ping):
    type = "test.loud_ping"


async def test_subscribers_receive_typed_events_in_order() -> None:
    bus = EventBus()
    got: list[tuple[str, int]] = []

    async def on_async(e: Ping) -> None:
        got.append(("async", e.n))

    bus.subscribe(Ping, lambda e: got.append(("sync", e.n)))
    bus.subscribe(Ping, on_async)
    await bus.publish(Ping(n=1))
    await bus.publish(LoudPing(n=2))
    assert got == [("sync", 1), ("async", 1), ("sync", 2), ("async", 2)]


async def test_a_failing_handler_does_not_stop_the_others() -> None:
    bus = EventBus()
    got: list[int] = []

    def broken(_: Ping) -> None:
        raise RuntimeError("boom")

    bus.subscribe(Ping, broken)
    bus.subscribe(Ping, lambda e: got.append(e.n))
    await bus.publish(Ping(n=7))
    assert got == [7]


async def test_unsubscribe() -> None:
    bus = EventBus()
    got: list[int] = []
    off = bus.subscribe(Ping, lambda e: got.append(e.n))
    await bus.publish(Ping(n=1))
    off()
    await bus.publish(Ping(n=2))
    assert got == [1]


async def test_events_raised_in_a_transaction_wait_for_its_commit(app: FastAPI) -> None:
    bus: EventBus = app.state.bus
    got: list[str] = []
    bus.subscribe(BrandChanged, lambda e: got.append(e.slug))
    async with app.state.sessions() as db:
        db: AsyncSession
        await ensure_demo_brand(db, bus=bus)
        await asyncio.sleep(0)
        assert got == []
        await db.rollback()
        await asyncio.sleep(0.01)
        assert got == []
        await ensure_demo_brand(db, bus=bus)
        await db.commit()
    for _ in range(100):
        if got:
            break
        await asyncio.sleep(0.01)
    assert got == ["aurora-motors"]
