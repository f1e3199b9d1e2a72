"""Insights fixtures: the demo brand with a small catalog, another brand with its own."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL, Guest, brand, make_guest, other_brand
from vitrina.brands.models import Brand
from vitrina.catalog import service as catalog
from vitrina.catalog.schemas import ProductUpsert
from vitrina.insights import recommend

__all__ = ["ALL_OPTIONAL", "Guest", "brand", "make_guest", "other_brand"]

SLUG = "aurora-motors"
OTHER = "borealis-bikes"

# slug -> (EN name, EN description, stock)
CARS = {
    "city-e": ("City E", "Compact electric city car, easy parking, short commute", 5),
    "city-s": ("City S", "Compact electric city car with parking camera for the commute", 5),
    "family-x": ("Family X", "Seven seats, large boot and isofix for the whole family", 5),
    "family-y": ("Family Y", "Family estate with large boot, seats for five, isofix", 5),
    "sport-r": ("Sport R", "Track ready: acceleration, carbon brakes and a sport chassis", 5),
    "sport-gone": ("Sport Gone", "Track ready sport coupe with acceleration and brakes", 0),
    "wallbox": ("Wallbox", "Home charging wallbox with cable and solar scheduling", 5),
}


def upsert(slug: str, name: str, text: str, stock: int) -> ProductUpsert:
    return ProductUpsert(
        slug=slug,
        name={"en": name, "fr": name, "it": name},
        description={"en": text, "fr": text, "it": text},
        base_price="10000.00",
        stock=stock,
    )


@pytest.fixture
async def cars(db: AsyncSession, brand: Brand) -> Brand:
    for slug, (name, text, stock) in CARS.items():
        await catalog.upsert(db, brand=brand, data=upsert(slug, name, text, stock))
    await db.commit()
    recommend.forget()
    return brand


@pytest.fixture
async def bikes(db: AsyncSession, other_brand: Brand) -> Brand:
    await catalog.upsert(
        db,
        brand=other_brand,
        data=upsert("city-bike", "City Bike", "Compact electric city bike for the commute", 9),
    )
    await db.commit()
    recommend.forget()
    return other_brand
