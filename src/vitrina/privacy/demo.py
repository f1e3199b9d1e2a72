"""Demo content: the consent wording of the demo brand, published once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.privacy import service


async def seed_consent_texts(db: AsyncSession) -> str:
    brand = await brands.get_by_slug(db, slug="aurora-motors")
    if brand is None:
        return "consent texts skipped: no demo brand"
    await service.ensure_texts(db, brand_id=brand.id)
    return "consent purposes published for aurora-motors (en, fr, it)"
