"""Bookings counted for a supervisor's dashboard (no personal value leaves here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.scheduling.models import Appointment, AppointmentStatus


async def bookings(
    db: AsyncSession, *, brands: set[str] | None, since: datetime, until: datetime
) -> int:
    """Confirmed appointments made in [since, until)."""
    q = select(func.count()).where(
        Appointment.status == AppointmentStatus.CONFIRMED,
        Appointment.created_at >= since,
        Appointment.created_at < until,
    )
    if brands is not None:
        q = q.where(Appointment.brand_slug.in_(sorted(brands)))
    return int((await db.execute(q)).scalar_one())
