"""Booking, holds, idempotency, rescheduling and cancelling, at the service level."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import BRAND, Shop, paris
from vitrina.core.errors import AppError
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Allocation, Notification

MONDAY = date(2030, 1, 7)
NOW = datetime(2030, 1, 5, 12, tzinfo=UTC)


def customer(n: int) -> scheduling.Customer:
    return scheduling.Customer(email=f"c{n}@example.org", name=f"Customer {n}")


async def book_advice(db: AsyncSession, n: int, hour: int = 10, **kw: object) -> str:
    appointment = await scheduling.book(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=paris(MONDAY, hour),
        customer=customer(n),
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )
    await db.commit()
    return appointment.id


async def test_each_advisor_takes_one_booking_and_the_third_is_refused(
    db: AsyncSession, shop: Shop
) -> None:
    await book_advice(db, 1)
    await book_advice(db, 2)
    with pytest.raises(AppError) as exc:
        await book_advice(db, 3)
    await db.rollback()
    assert exc.value.code == "slot_unavailable" and exc.value.status == 409
    assert "Ava is already booked then" in exc.value.data["reasons"][0]
    assert "Bruno is already booked then" in exc.value.data["reasons"][0]


async def test_the_database_refuses_an_overlap_the_application_did_not_check(
    db: AsyncSession, shop: Shop
) -> None:
    appointment_id = await book_advice(db, 1)
    db.add(
        Allocation(
            appointment_id=appointment_id,
            resource_id=shop["Ava"],
            block_start=paris(MONDAY, 10, 15),
            block_end=paris(MONDAY, 10, 45),
            active=True,
        )
    )
    with pytest.raises(IntegrityError, match="scheduling_allocation_no_overlap"):
        await db.flush()
    await db.rollback()
    # Touching intervals do not overlap: [10:00, 10:40) then [10:40, 11:00).
    db.add(
        Allocation(
            appointment_id=appointment_id,
            resource_id=shop["Ava"],
            block_start=paris(MONDAY, 10, 40),
            block_end=paris(MONDAY, 11),
            active=True,
        )
    )
    await db.flush()
    await db.rollback()


async def test_an_idempotency_key_replays_the_first_answer(db: AsyncSession, shop: Shop) -> None:
    first = await book_advice(db, 1, idempotency_key="k-1")
    again = await book_advice(db, 1, idempotency_key="k-1")
    assert again == first
    with pytest.raises(AppError) as exc:
        await book_advice(db, 1, hour=11, idempotency_key="k-1")
    await db.rollback()
    assert exc.value.code == "idempotency_key_reused"
    rows = (await db.execute(select(Allocation).where(Allocation.active.is_(True)))).all()
    assert len(rows) == 1


async def test_a_hold_blocks_until_it_expires(db: AsyncSession, shop: Shop) -> None:
    holds = []
    for n in (1, 2):
        held = await scheduling.hold(
            db,
            brand_slug=BRAND,
            type_slug="advice",
            start=paris(MONDAY, 10),
            customer=customer(n),
            ttl=timedelta(minutes=10),
            now=NOW,
        )
        holds.append(held.id)
    await db.commit()
    with pytest.raises(AppError) as taken:
        await scheduling.book(
            db,
            brand_slug=BRAND,
            type_slug="advice",
            start=paris(MONDAY, 10),
            customer=customer(3),
            now=NOW + timedelta(minutes=5),
        )
    await db.rollback()
    assert taken.value.code == "slot_unavailable"

    confirmed = await scheduling.confirm(
        db, appointment_id=holds[0], now=NOW + timedelta(minutes=9)
    )
    await db.commit()
    assert confirmed.status == "confirmed"
    later = NOW + timedelta(minutes=11)
    with pytest.raises(AppError) as expired:
        await scheduling.confirm(db, appointment_id=holds[1], now=later)
    await db.rollback()
    assert expired.value.code == "hold_expired"

    booked = await scheduling.book(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=paris(MONDAY, 10),
        customer=customer(3),
        now=later,
    )
    await db.commit()
    [read] = await scheduling.describe(db, [booked])
    assert read.status == "confirmed" and len(read.resources) == 1
    # The confirmed hold kept its advisor; the expired one gave its advisor away.
    kept_appointment = await scheduling.get_or_raise(db, appointment_id=holds[0])
    [kept] = await scheduling.describe(db, [kept_appointment])
    assert {kept.resources[0].id, read.resources[0].id} == {shop["Ava"], shop["Bruno"]}


async def test_reschedule_keeps_the_uid_and_frees_the_old_time(
    db: AsyncSession, shop: Shop
) -> None:
    appointment_id = await book_advice(db, 1)
    await book_advice(db, 2)
    before = await scheduling.get_or_raise(db, appointment_id=appointment_id)
    uid = before.ics_uid
    moved = await scheduling.reschedule(
        db,
        appointment_id=appointment_id,
        start=paris(MONDAY, 15),
        idempotency_key="move-1",
        now=NOW,
    )
    await db.commit()
    assert moved.ics_uid == uid and moved.sequence == 1
    assert moved.start_at == paris(MONDAY, 15)
    again = await scheduling.reschedule(
        db,
        appointment_id=appointment_id,
        start=paris(MONDAY, 15),
        idempotency_key="move-1",
        now=NOW,
    )
    assert again.sequence == 1
    await book_advice(db, 3)  # 10:00 is free again for a second advisor
    kinds = (
        await db.execute(
            select(Notification.kind, Notification.obsolete)
            .where(Notification.appointment_id == appointment_id)
            .order_by(Notification.due_at)
        )
    ).all()
    assert sorted(kinds) == [
        ("confirmation", False),
        ("reminder", False),
        ("reminder", True),
        ("update", False),
    ]


async def test_a_move_onto_its_own_time_range_is_allowed(db: AsyncSession, shop: Shop) -> None:
    appointment_id = await book_advice(db, 1)
    await book_advice(db, 2)
    # Both advisors are busy at 10:00; moving by 15 minutes overlaps only itself.
    moved = await scheduling.reschedule(
        db,
        appointment_id=appointment_id,
        start=paris(MONDAY, 10, 15),
        resource_ids=[
            (
                await scheduling.describe(
                    db, [await scheduling.get_or_raise(db, appointment_id=appointment_id)]
                )
            )[0]
            .resources[0]
            .id
        ],
        now=NOW,
    )
    await db.commit()
    assert moved.start_at == paris(MONDAY, 10, 15)


async def test_cancel_frees_the_slot_and_is_repeatable(db: AsyncSession, shop: Shop) -> None:
    first = await book_advice(db, 1)
    await book_advice(db, 2)
    cancelled = await scheduling.cancel(db, appointment_id=first, reason="ill", now=NOW)
    await db.commit()
    assert cancelled.status == "cancelled" and cancelled.sequence == 1
    again = await scheduling.cancel(db, appointment_id=first, now=NOW)
    assert again.status == "cancelled" and again.sequence == 1
    await book_advice(db, 3)
    with pytest.raises(AppError) as exc:
        await scheduling.reschedule(db, appointment_id=first, start=paris(MONDAY, 12), now=NOW)
    await db.rollback()
    assert exc.value.code == "invalid_appointment_state"


async def test_naive_times_are_local_and_gaps_are_refused(db: AsyncSession, shop: Shop) -> None:
    appointment = await scheduling.book(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=datetime(2030, 1, 7, 10, 0),
        customer=customer(1),
        now=NOW,
    )
    await db.commit()
    assert appointment.start_at == datetime(2030, 1, 7, 9, tzinfo=UTC)
    with pytest.raises(AppError) as gap:
        await scheduling.book(
            db,
            brand_slug=BRAND,
            type_slug="advice",
            start=datetime(2030, 3, 31, 2, 30),
            customer=customer(2),
            now=NOW,
        )
    assert gap.value.code == "nonexistent_local_time"


async def test_a_customer_is_required(db: AsyncSession, shop: Shop) -> None:
    with pytest.raises(AppError) as exc:
        await scheduling.book(
            db,
            brand_slug=BRAND,
            type_slug="advice",
            start=paris(MONDAY, 10),
            customer=scheduling.Customer(),
            now=NOW,
        )
    assert exc.value.code == "customer_required"
