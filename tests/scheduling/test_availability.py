"""Availability search: hours, lead time, buffers, exceptions, stability and explanations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import BRAND, Shop, paris
from vitrina.brands.demo import ensure_demo_brand
from vitrina.core.errors import AppError
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.demo import seed_scheduling

MONDAY = date(2030, 1, 7)
EARLY = datetime(2030, 1, 7, 6, tzinfo=UTC)  # 07:00 in Paris


async def test_first_slots_start_at_opening_on_the_step_grid(db: AsyncSession, shop: Shop) -> None:
    search = await scheduling.find_slots(
        db, brand_slug=BRAND, type_slug="advice", limit=4, now=EARLY
    )
    assert [s.start for s in search.slots] == [
        paris(MONDAY, 9),
        paris(MONDAY, 9, 30),
        paris(MONDAY, 10),
        paris(MONDAY, 10, 30),
    ]
    assert all(s.resource_ids == (shop["Ava"],) for s in search.slots)


async def test_lead_time_pushes_the_first_slot(db: AsyncSession, shop: Shop) -> None:
    now = paris(MONDAY, 9, 30)
    search = await scheduling.find_slots(
        db, brand_slug=BRAND, type_slug="test-drive", limit=1, now=now
    )
    assert search.slots[0].start == paris(MONDAY, 11, 30)


async def test_a_search_ends_at_closing_time_and_skips_sunday(db: AsyncSession, shop: Shop) -> None:
    saturday = date(2030, 1, 12)
    search = await scheduling.find_slots(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=paris(saturday, 18),
        end=paris(saturday, 18) + timedelta(days=2),
        limit=3,
        now=EARLY,
    )
    assert [s.start for s in search.slots] == [
        paris(saturday, 18),
        paris(saturday, 18, 30),
        paris(date(2030, 1, 14), 9),
    ]


async def test_buffers_move_the_next_booking_to_other_resources(
    db: AsyncSession, shop: Shop
) -> None:
    await scheduling.book(
        db,
        brand_slug=BRAND,
        type_slug="test-drive",
        start=paris(MONDAY, 10),
        customer=scheduling.Customer(email="a@example.org"),
        resource_ids=[shop["E1"], shop["Ava"]],
        now=EARLY,
    )
    await db.commit()
    search = await scheduling.find_slots(
        db,
        brand_slug=BRAND,
        type_slug="test-drive",
        start=paris(MONDAY, 11),
        limit=1,
        now=EARLY,
    )
    # E1 is cleaned for 15 minutes and Ava rests for 10 after the drive.
    assert search.slots[0].start == paris(MONDAY, 11)
    assert search.slots[0].resource_ids == (shop["GT"], shop["Bruno"])
    pinned = await scheduling.find_slots(
        db,
        brand_slug=BRAND,
        type_slug="test-drive",
        start=paris(MONDAY, 11),
        resource_id=shop["E1"],
        limit=1,
        now=EARLY,
    )
    assert pinned.slots[0].start == paris(MONDAY, 11, 30)
    reasons = await scheduling.explain(
        db,
        brand_slug=BRAND,
        type_slug="test-drive",
        start=paris(MONDAY, 11),
        resource_ids=[shop["E1"]],
        now=EARLY,
    )
    assert reasons == ["no demo car is free: E1 needs a break between appointments (buffer)"]
    busy = await scheduling.explain(
        db,
        brand_slug=BRAND,
        type_slug="test-drive",
        start=paris(MONDAY, 10, 30),
        resource_ids=[shop["E1"]],
        now=EARLY,
    )
    assert busy == ["no demo car is free: E1 is already booked then"]


async def test_explanations_name_the_rule_that_refuses_a_slot(db: AsyncSession, shop: Shop) -> None:
    async def why(start: datetime, now: datetime = EARLY) -> list[str]:
        return await scheduling.explain(
            db, brand_slug=BRAND, type_slug="advice", start=start, now=now
        )

    assert await why(paris(MONDAY, 9)) == []
    evening = await why(paris(MONDAY, 18, 45))
    assert evening[0].startswith("no advisor with sales is free: Ava is open 09:00-19:00")
    sunday = await why(paris(date(2030, 1, 13), 10))
    assert "Ava is closed on 2030-01-13" in sunday[0]
    assert "lead time, or the past" in (await why(paris(MONDAY, 9), now=paris(MONDAY, 12)))[0]
    assert "booking horizon" in (await why(paris(date(2030, 6, 3), 10)))[0]
    christmas = await why(paris(date(2030, 12, 25), 10), now=datetime(2030, 12, 1, tzinfo=UTC))
    assert "Ava is closed on 2030-12-25: Christmas" in christmas[0]


async def test_the_same_data_gives_the_same_slots(db: AsyncSession, shop: Shop) -> None:
    first = await scheduling.find_slots(
        db, brand_slug=BRAND, type_slug="showroom-visit", limit=50, now=EARLY
    )
    second = await scheduling.find_slots(
        db, brand_slug=BRAND, type_slug="showroom-visit", limit=50, now=EARLY
    )
    assert first.slots == second.slots
    assert [s.start for s in first.slots] == sorted(s.start for s in first.slots)


async def test_slots_follow_the_clock_change(db: AsyncSession, shop: Shop) -> None:
    now = datetime(2030, 3, 29, 6, tzinfo=UTC)  # Friday before summer time (31 March 2030)
    search = await scheduling.find_slots(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=datetime(2030, 3, 29, tzinfo=UTC),
        end=datetime(2030, 4, 2, tzinfo=UTC),
        limit=200,
        now=now,
    )
    firsts: dict[date, datetime] = {}
    for slot in search.slots:
        firsts.setdefault(slot.start.astimezone(UTC).date(), slot.start)
    assert firsts[date(2030, 3, 29)] == datetime(2030, 3, 29, 8, tzinfo=UTC)  # 09:00 CET
    assert firsts[date(2030, 4, 1)] == datetime(2030, 4, 1, 7, tzinfo=UTC)  # 09:00 CEST
    assert date(2030, 3, 31) not in firsts


async def test_bad_windows_and_unknown_types_are_refused(db: AsyncSession, shop: Shop) -> None:
    with pytest.raises(AppError) as backwards:
        await scheduling.find_slots(
            db,
            brand_slug=BRAND,
            type_slug="advice",
            start=paris(MONDAY, 12),
            end=paris(MONDAY, 10),
            now=EARLY,
        )
    assert backwards.value.code == "invalid_window"
    with pytest.raises(AppError) as unknown:
        await scheduling.find_slots(db, brand_slug=BRAND, type_slug="yoga", now=EARLY)
    assert unknown.value.code == "appointment_type_not_found"


async def test_long_searches_neither_drop_nor_repeat_slots(db: AsyncSession, shop: Shop) -> None:
    start = paris(MONDAY, 10)  # the search looks at 2 days first: Wednesday 10:00 is the seam
    search = await scheduling.find_slots(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=start,
        end=start + timedelta(days=12),
        limit=1000,
        now=EARLY,
    )
    starts = [s.start for s in search.slots]
    assert len(starts) == len(set(starts))
    wednesday = [s for s in starts if s.date() == date(2030, 1, 9)]
    assert len(wednesday) == 20  # 09:00 to 18:30, every half hour
    # Monday from 10:00, ten full days (Sundays closed), Saturday the 19th up to 10:00.
    assert len(starts) == 18 + 10 * 20 + 3


async def test_the_demo_seeder_is_idempotent_and_bookable(db: AsyncSession) -> None:
    await ensure_demo_brand(db)
    assert "7 resources and 4 appointment types created" in await seed_scheduling(db)
    assert await seed_scheduling(db) == "scheduling up to date"
    await db.commit()
    search = await scheduling.find_slots(
        db, brand_slug=BRAND, type_slug="test-drive", limit=2, now=EARLY
    )
    # 07:00 in Paris plus two hours of lead time: the first drive starts at 09:00.
    assert [s.start for s in search.slots] == [paris(MONDAY, 9), paris(MONDAY, 9, 30)]
    assert len(search.slots[0].resource_ids) == 2
