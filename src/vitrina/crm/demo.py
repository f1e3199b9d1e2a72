"""The demo customer of Aurora Motors, with a financing contract and a car.

The built-in demo wallet of the web client signs with DEMO_WALLET_KEY, a published test
key (it is the example key of the eth-account documentation): anyone can sign with it, so
it must never hold anything of value. Its address is DEMO_WALLET_ADDRESS.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core.db import new_id
from vitrina.crm import service
from vitrina.crm.account_models import FinancingContract, OwnedVehicle, ServiceRecord
from vitrina.crm.identifiers import IdentityKind, normalise

DEMO_BRAND = "aurora-motors"
DEMO_WALLET_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
DEMO_WALLET_ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
DEMO_EMAIL = "giulia.bianchi@example.com"
DEMO_NAME = "Giulia Bianchi"
CONTRACT = "AM-FIN-2024-000731"
# Instalments fall on the 5th; demo dates are computed from the day the demo is seeded.
PAYMENT_DAY = 5


async def seed_demo_customer(db: AsyncSession, *, today: date | None = None) -> str:
    brand = await brands.get_by_slug(db, slug=DEMO_BRAND)
    if brand is None:
        return "demo customer skipped (no demo brand)"
    email = normalise(IdentityKind.EMAIL, DEMO_EMAIL)
    known = await service.find_identity(db, brand_id=brand.id, identifier=email)
    if known is not None:
        await _keep_contract_current(db, profile_id=known.profile_id, today=today or date.today())
        return "demo customer up to date"
    today = today or date.today()
    profile = await service.create(
        db,
        bus=None,
        brand_id=brand.id,
        display_name=DEMO_NAME,
        locale="it",
        tags=["demo", "aurora-owner"],
        identities=[
            (email, None),
            (normalise(IdentityKind.WALLET, DEMO_WALLET_ADDRESS), 1),
            (normalise(IdentityKind.PHONE, "+39 02 1234 5678"), None),
        ],
        source="demo",
    )
    db.add(
        FinancingContract(
            id=new_id(),
            brand_id=brand.id,
            profile_id=profile.id,
            number=CONTRACT,
            product="Aurora Flex 48 months",
            currency="EUR",
            balance_minor=1_274_350,
            monthly_payment_minor=41_990,
            next_payment_on=next_due(today),
            ends_on=_months_after(next_due(today), 18),
        )
    )
    vehicle = OwnedVehicle(
        id=new_id(),
        brand_id=brand.id,
        profile_id=profile.id,
        vin="WAURZZZ8V4A000731",
        model="Aurora Vela Hybrid",
        year=2024,
        registration="GB 731 AM",
    )
    db.add(vehicle)
    await db.flush()
    for when, km, what in [
        (_months_after(today, -18), 15_200, "First service: oil, filters, software update"),
        (_months_after(today, -6), 31_050, "Annual service, front brake pads replaced"),
    ]:
        db.add(
            ServiceRecord(
                id=new_id(),
                vehicle_id=vehicle.id,
                performed_on=when,
                mileage_km=km,
                description=what,
            )
        )
    await db.flush()
    return f"demo customer {DEMO_NAME} created ({DEMO_EMAIL}, wallet {DEMO_WALLET_ADDRESS})"


def next_due(today: date) -> date:
    """The demo contract's next instalment: the coming 5th of a month, never in the past."""
    due = today.replace(day=PAYMENT_DAY)
    return due if due >= today else _months_after(due, 1)


def _months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=min(day.day, 28))


async def _keep_contract_current(db: AsyncSession, *, profile_id: str, today: date) -> None:
    """A demo seeded months ago still shows a payment to come, not one long past."""
    # By its owner: the contract number is sealed at rest, so no query can match it.
    contract = (
        await db.execute(
            select(FinancingContract).where(FinancingContract.profile_id == profile_id)
        )
    ).scalar_one_or_none()
    if contract is not None and (contract.next_payment_on or today) < today:
        contract.next_payment_on = next_due(today)
        contract.ends_on = _months_after(contract.next_payment_on, 18)
        await db.flush()
