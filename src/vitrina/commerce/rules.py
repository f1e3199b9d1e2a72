"""A brand's commerce rules: tax, the deposit it offers, which products are phygital."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.commerce.models import BrandRules
from vitrina.commerce.pricing import TaxRule, parse_rate


async def get(db: AsyncSession, *, brand: Brand) -> BrandRules:
    """The brand's rules; a brand that set none sells tax-free, without deposit."""
    row = await db.get(BrandRules, brand.id)
    if row is None:
        row = BrandRules(
            brand_id=brand.id,
            tax_rate="0",
            prices_include_tax=True,
            tax_label="VAT",
            deposit_minor=None,
            phygital_products=[],
            reservation_ttl_s=900,
        )
    return row


async def put(
    db: AsyncSession,
    *,
    brand: Brand,
    tax_rate: Decimal,
    prices_include_tax: bool,
    tax_label: str,
    deposit_minor: int | None,
    phygital_products: list[str],
    reservation_ttl_s: int,
) -> BrandRules:
    row = await db.get(BrandRules, brand.id)
    if row is None:
        row = BrandRules(brand_id=brand.id)
        db.add(row)
    row.tax_rate = str(tax_rate)
    row.prices_include_tax = prices_include_tax
    row.tax_label = tax_label
    row.deposit_minor = deposit_minor
    row.phygital_products = sorted(set(phygital_products))
    row.reservation_ttl_s = reservation_ttl_s
    await db.flush()
    return row


def tax_rule(rules: BrandRules) -> TaxRule:
    return TaxRule(parse_rate(rules.tax_rate), rules.prices_include_tax, rules.tax_label)
