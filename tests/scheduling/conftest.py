"""Scheduling fixtures: the demo brand with a small shop, and mail to a real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.smtp import SmtpCapture
from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data, ensure_demo_brand
from vitrina.brands.schemas import BrandCreate
from vitrina.core.config import Settings
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.schemas import (
    AppointmentTypeCreate,
    HoursException,
    RequirementIn,
    ResourceCreate,
)

PARIS = ZoneInfo("Europe/Paris")
BRAND = "aurora-motors"
OTHER_BRAND = "other-brand"
WEEKDAYS = {day: [("09:00", "19:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCapture) -> Settings:
    """The app sends to the test SMTP server and its worker looks for due mail often."""
    return smtp_server.configure(settings).model_copy(update={"scheduling_worker_interval_s": 0.2})


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def next_weekday(weekday: int, *, after: date | None = None, min_days: int = 3) -> date:
    """The first date with `weekday` (0 = Monday) at least `min_days` after `after`."""
    day = (after or datetime.now(UTC).date()) + timedelta(days=min_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


class Shop:
    """Aurora Motors with two advisors, one bay, two cars and four appointment types."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


async def build_shop(db: AsyncSession) -> Shop:
    await ensure_demo_brand(db)
    ids: dict[str, str] = {}
    specs = [
        ("advisor", "Ava", ["sales", "test_drive"], 0, 10),
        ("advisor", "Bruno", ["sales", "test_drive"], 0, 10),
        ("bay", "Bay 1", [], 0, 0),
        ("demo_car", "E1", ["e1"], 0, 15),
        ("demo_car", "GT", ["gt"], 0, 15),
    ]
    for kind, name, skills, before, after in specs:
        resource = await scheduling.create_resource(
            db,
            data=ResourceCreate(
                brand_slug=BRAND,
                kind=kind,
                name=name,
                skills=skills,
                timezone="Europe/Paris",
                weekly_hours=WEEKDAYS,
                exceptions=[HoursException(start=date(2030, 12, 25), reason="Christmas")],
                buffer_before_min=before,
                buffer_after_min=after,
            ),
        )
        ids[name] = resource.id
    for slug, duration, requirements, lead in [
        (
            "test-drive",
            60,
            [RequirementIn(kind="demo_car"), RequirementIn(kind="advisor", skills=["test_drive"])],
            120,
        ),
        (
            "showroom-visit",
            45,
            [RequirementIn(kind="bay"), RequirementIn(kind="advisor", skills=["sales"])],
            0,
        ),
        ("advice", 30, [RequirementIn(kind="advisor", skills=["sales"])], 0),
    ]:
        await scheduling.create_type(
            db,
            data=AppointmentTypeCreate(
                brand_slug=BRAND,
                slug=slug,
                name=slug.replace("-", " ").capitalize(),
                location="Showroom, Paris",
                duration_min=duration,
                requirements=requirements,
                lead_time_min=lead,
                horizon_days=60,
                slot_step_min=30,
                reminder_before_min=24 * 60,
                timezone="Europe/Paris",
            ),
        )
    await db.commit()
    return Shop(ids)


@pytest.fixture
async def shop(db: AsyncSession) -> Shop:
    return await build_shop(db)


async def make_other_brand(db: AsyncSession) -> None:
    data = demo_brand_data().model_dump()
    data.update(slug=OTHER_BRAND, name="Other Brand")
    await brands.create(db, data=BrandCreate.model_validate(data))
    await scheduling.create_resource(
        db,
        data=ResourceCreate(
            brand_slug=OTHER_BRAND,
            kind="advisor",
            name="Olga",
            skills=["sales"],
            timezone="Europe/Rome",
            weekly_hours=WEEKDAYS,
        ),
    )
    await db.commit()


async def guest_client(app: FastAPI, name: str = "Mia") -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        resp = await c.post("/api/auth/guest", json={"display_name": name})
        assert resp.status_code == 201, resp.text
        c.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
        yield c


@pytest.fixture
async def guest(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async for c in guest_client(app, "Mia"):
        yield c


@pytest.fixture
async def other_guest(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async for c in guest_client(app, "Noah"):
        yield c
