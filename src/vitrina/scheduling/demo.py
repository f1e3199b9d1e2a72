"""Demo content for Aurora Motors: advisors, showroom bays, demo cars, appointment types."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.scheduling import catalog
from vitrina.scheduling.schemas import AppointmentTypeCreate, RequirementIn, ResourceCreate

BRAND = "aurora-motors"
TIMEZONE = "Europe/Paris"
SHOP_HOURS = {day: [("09:00", "19:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}

RESOURCES = [
    ("advisor", "Camille Laurent", ["sales", "test_drive", "video"], 10),
    ("advisor", "Marco Bianchi", ["sales", "service", "test_drive", "video"], 10),
    ("advisor", "Sophie Martin", ["sales", "service"], 10),
    ("bay", "Showroom bay 1", [], 0),
    ("bay", "Showroom bay 2", [], 0),
    # Cars are cleaned and charged between drives.
    ("demo_car", "Aurora E1 demo car", ["e1"], 15),
    ("demo_car", "Aurora GT demo car", ["gt"], 15),
]

TYPES = [
    AppointmentTypeCreate(
        brand_slug=BRAND,
        slug="test-drive",
        name="Test drive",
        description="An hour at the wheel of an Aurora E1 or GT, with an advisor.",
        location="Aurora Motors showroom, 12 rue de la Paix, Paris",
        duration_min=60,
        requirements=[
            RequirementIn(kind="demo_car"),
            RequirementIn(kind="advisor", skills=["test_drive"]),
        ],
        lead_time_min=120,
        timezone=TIMEZONE,
    ),
    AppointmentTypeCreate(
        brand_slug=BRAND,
        slug="showroom-visit",
        name="Showroom visit",
        description="A guided tour of the range with an advisor.",
        location="Aurora Motors showroom, 12 rue de la Paix, Paris",
        duration_min=45,
        requirements=[RequirementIn(kind="bay"), RequirementIn(kind="advisor", skills=["sales"])],
        timezone=TIMEZONE,
    ),
    AppointmentTypeCreate(
        brand_slug=BRAND,
        slug="video-consultation",
        name="Video consultation",
        description="A video call with an advisor; the link comes with the invitation.",
        location="Video call",
        duration_min=30,
        requirements=[RequirementIn(kind="advisor", skills=["video"])],
        lead_time_min=30,
        slot_step_min=15,
        timezone=TIMEZONE,
    ),
    AppointmentTypeCreate(
        brand_slug=BRAND,
        slug="service-visit",
        name="Service visit",
        description="Maintenance or a check-up of your Aurora in a service bay.",
        location="Aurora Motors service centre, Paris",
        duration_min=60,
        requirements=[RequirementIn(kind="bay"), RequirementIn(kind="advisor", skills=["service"])],
        lead_time_min=24 * 60,
        horizon_days=90,
        timezone=TIMEZONE,
    ),
]


async def seed_scheduling(db: AsyncSession) -> str:
    """Create what is missing (matched by name and slug); never touches existing data."""
    existing = {r.name for r in await catalog.list_resources(db, brand_slug=BRAND)}
    made_resources = 0
    for kind, name, skills, buffer_after in RESOURCES:
        if name not in existing:
            await catalog.create_resource(
                db,
                data=ResourceCreate(
                    brand_slug=BRAND,
                    kind=kind,
                    name=name,
                    skills=skills,
                    timezone=TIMEZONE,
                    weekly_hours=SHOP_HOURS,
                    buffer_after_min=buffer_after,
                ),
            )
            made_resources += 1
    made_types = 0
    for data in TYPES:
        if await catalog.get_type(db, brand_slug=BRAND, slug=data.slug) is None:
            await catalog.create_type(db, data=data)
            made_types += 1
    if not made_resources and not made_types:
        return "scheduling up to date"
    return f"scheduling: {made_resources} resources and {made_types} appointment types created"
