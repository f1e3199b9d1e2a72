"""No sequence of holds, bookings, moves, cancellations and expiries overlaps a resource."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import BRAND, Shop, paris
from tests.scheduling.test_concurrency import overlapping_pairs
from vitrina.core.errors import AppError
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Allocation, Appointment

MONDAY = date(2030, 1, 7)
START = datetime(2030, 1, 5, 12, tzinfo=UTC)

slot = st.tuples(st.integers(0, 2), st.integers(16, 40)).map(
    lambda d_q: paris(MONDAY + timedelta(days=d_q[0]), 0) + timedelta(minutes=15 * d_q[1])
)
operation = st.one_of(
    st.tuples(st.just("book"), st.sampled_from(["advice", "test-drive", "showroom-visit"]), slot),
    st.tuples(st.just("hold"), st.sampled_from(["advice", "showroom-visit"]), slot),
    st.tuples(st.just("confirm"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 50), slot),
    st.tuples(st.just("cancel"), st.integers(0, 50)),
    st.tuples(st.just("wait"), st.integers(1, 20)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=25))
async def test_no_sequence_of_operations_overlaps_a_resource(
    db: AsyncSession, shop: Shop, operations: list[tuple[object, ...]]
) -> None:
    now = START
    made: list[str] = []
    for op in operations:
        try:
            match op:
                case ("book" | "hold" as kind, str(type_slug), datetime() as start):
                    create = scheduling.book if kind == "book" else scheduling.hold
                    appointment = await create(
                        db,
                        brand_slug=BRAND,
                        type_slug=type_slug,
                        start=start,
                        customer=scheduling.Customer(email="p@example.org"),
                        now=now,
                    )
                    made.append(appointment.id)
                case ("confirm", int(i)) if made:
                    await scheduling.confirm(db, appointment_id=made[i % len(made)], now=now)
                case ("move", int(i), datetime() as start) if made:
                    await scheduling.reschedule(
                        db, appointment_id=made[i % len(made)], start=start, now=now
                    )
                case ("cancel", int(i)) if made:
                    await scheduling.cancel(db, appointment_id=made[i % len(made)], now=now)
                case ("wait", int(minutes)):
                    now += timedelta(minutes=minutes)
                    await scheduling.release_expired_holds(db, now=now)
            await db.commit()
        except AppError:
            await db.rollback()
    assert await overlapping_pairs(db) == []
    active = (
        await db.execute(
            select(Appointment.status, Allocation.id)
            .join(Allocation, Allocation.appointment_id == Appointment.id)
            .where(Allocation.active.is_(True), Allocation.expires_at.is_(None))
        )
    ).all()
    assert {status for status, _ in active} <= {"confirmed"}
