"""The timeline records what other domains announce on the bus about a known customer."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import AURORA, account, guest, make_brands, siwe_sign_in
from vitrina.core.events import DomainEvent
from vitrina.crm.models import TimelineEntry
from vitrina.services import services_of
from vitrina.world.events import ChatPosted, PresenceJoined


class AppointmentBooked(DomainEvent):
    type: ClassVar[str] = "scheduling.appointment_booked"
    customer_id: str
    summary: str
    channel: str = "world"


async def _entries(db: AsyncSession, count: int) -> list[TimelineEntry]:
    for _ in range(100):
        await db.rollback()
        rows = list(
            (await db.execute(select(TimelineEntry).order_by(TimelineEntry.occurred_at))).scalars()
        )
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} timeline entries")


async def test_world_visits_and_other_events_land_on_the_timeline(
    app: FastAPI, db: AsyncSession
) -> None:
    await make_brands(db)
    async with guest(app) as client:
        customer_id = (await siwe_sign_in(client, account())).json()["customer_id"]
        session_id = (await client.get("/api/auth/me")).json()["session_id"]
    world = {
        "room": "r1",
        "brand": AURORA,
        "zone": "showroom",
        "avatar_id": 7,
        "session_id": session_id,
        "user_id": None,
        "display_name": "Mia",
        "badge": "customer",
    }
    bus = services_of(app).bus
    await bus.publish(PresenceJoined(**world))
    await bus.publish(ChatPosted(**world, text="Do you have the Vela in blue?"))
    await bus.publish(PresenceJoined(**{**world, "session_id": "an-unverified-guest"}))
    await bus.publish(
        AppointmentBooked(customer_id=customer_id, summary="Test drive on Friday 15:00")
    )
    entries = await _entries(db, 3)
    assert [(e.kind, e.summary, e.channel) for e in entries] == [
        ("world.presence_joined", "Entered the virtual store (showroom)", "world"),
        ("world.chat_posted", "Said in the store: Do you have the Vela in blue?", "world"),
        ("scheduling.appointment_booked", "Test drive on Friday 15:00", "world"),
    ]
    assert {e.profile_id for e in entries} == {customer_id}
