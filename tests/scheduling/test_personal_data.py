"""A person's appointments are in their access export, and erasure frees and blanks them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import BRAND, Shop, paris
from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.privacy import registry
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Allocation, Appointment

MONDAY = date(2030, 1, 7)
NOW = datetime(2030, 1, 5, 12, tzinfo=UTC)


def source() -> registry.PersonalDataSource:
    [found] = [s for s in registry.sources() if s.name == "scheduling.appointments"]
    return found


async def test_export_then_erase_a_guests_appointments(
    db: AsyncSession, shop: Shop, settings: Settings
) -> None:
    booked = await scheduling.book(
        db,
        brand_slug=BRAND,
        type_slug="advice",
        start=paris(MONDAY, 10),
        customer=scheduling.Customer(email="lea@example.org", name="Léa", guest_session_id="g-123"),
        notes="Bring the trade-in papers",
        now=NOW,
    )
    booked_id = booked.id
    await db.commit()
    brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
    request = registry.DataRequest(brand_id=brand.id, subject="guest:g-123", settings=settings)

    [row] = await source().export(db, request)
    assert row["email"] == "lea@example.org" and row["notes"] == "Bring the trade-in papers"
    other = registry.DataRequest(brand_id=brand.id, subject="guest:someone", settings=settings)
    assert await source().export(db, other) == []

    assert await source().erase(db, request) == 1
    await db.commit()
    assert await source().export(db, request) == []
    db.expire_all()
    erased = await db.get(Appointment, booked_id)
    assert erased is not None
    assert erased.status == "cancelled" and erased.customer_email is None
    assert erased.customer_ref.startswith("erased:") and erased.notes == ""
    active = (await db.execute(select(Allocation.id).where(Allocation.active.is_(True)))).all()
    assert active == []
