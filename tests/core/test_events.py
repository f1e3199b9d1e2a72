from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.app import create_app
from vitrina.brands.demo import ensure_demo_brand
from vitrina.brands.service import BrandChanged
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, transaction
from vitrina.core.events import DomainEvent, EventBus
from vitrina.services import services_of


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
    bus: EventBus = services_of(app).bus
    got: list[str] = []
    bus.subscribe(BrandChanged, lambda e: got.append(e.slug))
    async with services_of(app).sessions() as db:
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


async def test_stopping_the_app_lets_a_delivery_finish_its_write(settings: Settings) -> None:
    """A subscriber still writing when the app stops completes its transaction before the
    engine goes, instead of being cut off holding a connection (and SQLite's write lock)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with services_of(app).sessions() as db:
            await db.execute(text("CREATE TABLE delivered_note (slug VARCHAR(64))"))
            await db.commit()

        async def note(event: BrandChanged) -> None:
            async with transaction(services_of(app).sessions) as db:
                await db.execute(
                    text("INSERT INTO delivered_note (slug) VALUES (:slug)"), {"slug": event.slug}
                )
                await asyncio.sleep(0.5)  # mid-transaction when the app stops

        services_of(app).bus.subscribe(BrandChanged, note)
        async with transaction(services_of(app).sessions) as db:
            await ensure_demo_brand(db, bus=services_of(app).bus)
        await asyncio.sleep(0.05)  # the delivery has started
    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.begin() as conn:
            rows = (await conn.execute(text("SELECT slug FROM delivered_note"))).scalars().all()
            await conn.execute(text("DROP TABLE delivered_note"))
    finally:
        await engine.dispose()
    assert rows == ["aurora-motors"]
