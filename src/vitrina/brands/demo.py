"""The demo brand, Aurora Motors: a car showroom with English, French and Italian content."""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service
from vitrina.brands.models import Brand
from vitrina.brands.schemas import BrandCreate, BrandUpdate
from vitrina.core.events import EventBus

DEMO_SLUG = "aurora-motors"


def demo_brand_data() -> BrandCreate:
    raw = (
        resources.files("vitrina.brands").joinpath("aurora_motors.json").read_text(encoding="utf-8")
    )
    return BrandCreate.model_validate(json.loads(raw))


async def ensure_demo_brand(db: AsyncSession, *, bus: EventBus | None = None) -> tuple[Brand, bool]:
    """Create the demo brand, or bring it back to its reference content; returns (brand, created)."""
    data = demo_brand_data()
    brand = await service.get_by_slug(db, slug=data.slug)
    if brand is None:
        return await service.create(db, data=data, bus=bus), True
    update = BrandUpdate(
        name=data.name,
        locales=data.locales,
        timezone=data.timezone,
        content=data.content,
        layout=data.layout,
        theme=data.theme,
    )
    return await service.update(db, brand=brand, data=update, bus=bus), False
