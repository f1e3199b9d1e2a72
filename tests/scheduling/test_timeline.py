"""Appointments of a customer known to the CRM appear on that customer's timeline."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import account, guest, siwe_sign_in
from tests.scheduling.conftest import BRAND, Shop, next_weekday, paris
from vitrina.crm.models import TimelineEntry


async def _scheduling_entries(db: AsyncSession, count: int) -> list[TimelineEntry]:
    # The feed records events after their transaction commits, on the bus's own time.
    for _ in range(200):
        await db.rollback()
        rows = list(
            (
                await db.execute(
                    select(TimelineEntry)
                    .where(TimelineEntry.kind.like("scheduling.%"))
                    .order_by(TimelineEntry.occurred_at)
                )
            ).scalars()
        )
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} scheduling entries on the timeline")


async def test_a_verified_customers_booking_move_and_cancellation_reach_the_timeline(
    app: FastAPI, db: AsyncSession, shop: Shop
) -> None:
    day = next_weekday(1)
    async with guest(app) as client:
        customer_id = (await siwe_sign_in(client, account())).json()["customer_id"]
        booked = await client.post(
            f"/api/brands/{BRAND}/appointments",
            json={"type": "advice", "start": paris(day, 10).isoformat()},
        )
        assert booked.status_code == 201, booked.text
        appointment_id = booked.json()["id"]
        moved = await client.post(
            f"/api/appointments/{appointment_id}/reschedule",
            json={"start": paris(day, 11).isoformat()},
        )
        assert moved.status_code == 200, moved.text
        cancelled = await client.post(f"/api/appointments/{appointment_id}/cancel", json={})
        assert cancelled.status_code == 200, cancelled.text

    entries = await _scheduling_entries(db, 3)
    tz = paris(day, 10).tzname()
    assert {e.profile_id for e in entries} == {customer_id}
    assert [(e.kind, e.summary) for e in entries] == [
        ("scheduling.appointment_booked", f"Booked: Advice on {day} 10:00 ({tz})"),
        ("scheduling.appointment_rescheduled", f"Moved: Advice to {day} 11:00 ({tz})"),
        ("scheduling.appointment_cancelled", f"Cancelled: Advice on {day} 11:00 ({tz})"),
    ]
    assert all(e.data["appointment_id"] == appointment_id for e in entries)


async def test_an_anonymous_guests_booking_stays_off_every_timeline(
    app: FastAPI, db: AsyncSession, shop: Shop
) -> None:
    day = next_weekday(2)
    async with guest(app, "Noah") as client:
        booked = await client.post(
            f"/api/brands/{BRAND}/appointments",
            json={"type": "advice", "start": paris(day, 10).isoformat()},
        )
        assert booked.status_code == 201, booked.text
    await asyncio.sleep(0.3)
    await db.rollback()
    kinds = (await db.execute(select(TimelineEntry.kind))).scalars().all()
    assert not [k for k in kinds if k.startswith("scheduling.")]
