"""Many customers racing for the same slot: the database lets exactly one per resource in."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import BRAND, Shop, paris
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Allocation
from vitrina.services import services_of

MONDAY = date(2030, 1, 7)
NOW = datetime(2030, 1, 5, 12, tzinfo=UTC)
RACERS = 24


async def overlapping_pairs(db: AsyncSession) -> list[tuple[str, str]]:
    rows = (
        await db.execute(
            select(
                Allocation.id, Allocation.resource_id, Allocation.block_start, Allocation.block_end
            )
            .where(Allocation.active.is_(True))
            .order_by(Allocation.resource_id, Allocation.block_start)
        )
    ).all()
    pairs: list[tuple[str, str]] = []
    latest: dict[str, tuple[str, datetime]] = {}
    for row_id, resource_id, block_start, block_end in rows:
        previous = latest.get(resource_id)
        if previous is not None and block_start < previous[1]:
            pairs.append((previous[0], row_id))
        if previous is None or block_end > previous[1]:
            latest[resource_id] = (row_id, block_end)
    return pairs


async def test_parallel_bookings_of_one_slot_never_double_book(
    app: FastAPI, db: AsyncSession, shop: Shop
) -> None:
    start = asyncio.Event()

    async def racer(n: int) -> str:
        await start.wait()
        try:
            async with transaction(services_of(app).sessions) as session:
                await scheduling.book(
                    session,
                    brand_slug=BRAND,
                    type_slug="advice",
                    start=paris(MONDAY, 10),
                    customer=scheduling.Customer(email=f"racer{n}@example.org"),
                    now=NOW,
                )
            return "booked"
        except AppError as exc:
            return str(exc.code)

    tasks = [asyncio.create_task(racer(n)) for n in range(RACERS)]
    await asyncio.sleep(0)
    start.set()
    outcomes = await asyncio.gather(*tasks)

    # Two advisors: two bookings, every other racer told the slot is gone.
    assert outcomes.count("booked") == 2, outcomes
    assert set(outcomes) <= {"booked", "slot_taken", "slot_unavailable"}
    assert await overlapping_pairs(db) == []


async def test_parallel_bookings_of_different_slots_all_succeed(
    app: FastAPI, db: AsyncSession, shop: Shop
) -> None:
    async def book(hour: int, advisor: str) -> None:
        async with transaction(services_of(app).sessions) as session:
            await scheduling.book(
                session,
                brand_slug=BRAND,
                type_slug="advice",
                start=paris(MONDAY, hour),
                resource_ids=[shop[advisor]],
                customer=scheduling.Customer(email=f"{advisor}{hour}@example.org"),
                now=NOW,
            )

    await asyncio.gather(*(book(h, a) for h in range(9, 19) for a in ("Ava", "Bruno")))
    assert len((await db.execute(select(Allocation.id))).all()) == 20
    assert await overlapping_pairs(db) == []
