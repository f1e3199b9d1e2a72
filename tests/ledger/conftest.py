"""Ledger fixtures: the demo brand and a second one, committed so requests see them."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data, ensure_demo_brand
from vitrina.brands.models import Brand

OTHER_SLUG = "borealis-bikes"


@pytest.fixture
async def brand(db: AsyncSession) -> Brand:
    made, _ = await ensure_demo_brand(db)
    await db.commit()
    return made


@pytest.fixture
async def other_brand(db: AsyncSession, brand: Brand) -> Brand:
    data = demo_brand_data().model_copy(update={"slug": OTHER_SLUG, "name": "Borealis Bikes"})
    made = await brands.create(db, data=data)
    await db.commit()
    return made
