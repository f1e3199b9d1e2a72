"""Aurora Motors' commerce rules: Italian VAT included in prices, a 1,000 EUR deposit,
and its two cars sold as phygital items (a digital twin token with each car)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.commerce import rules

DEMO_BRAND = "aurora-motors"
PHYGITAL = ["aurora-e1", "aurora-gt"]


async def seed_commerce(db: AsyncSession) -> str:
    brand = await brands.get_by_slug(db, slug=DEMO_BRAND)
    if brand is None:
        return "commerce skipped: the demo brand does not exist yet"
    await rules.put(
        db,
        brand=brand,
        tax_rate=Decimal("0.22"),
        prices_include_tax=True,
        tax_label="IVA",
        deposit_minor=100_000,
        phygital_products=PHYGITAL,
        reservation_ttl_s=900,
    )
    return "commerce: 22 % IVA included, 1,000 EUR deposit, two phygital cars"
