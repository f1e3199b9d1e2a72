"""`vitrina demo`: seeds the demo brand and what each domain adds to it, idempotently.

A domain that brings demo content appends its seeder to SEEDERS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot.demo import check_bot_content
from vitrina.brands.demo import ensure_demo_brand
from vitrina.catalog.demo import seed_catalog
from vitrina.commerce.demo import seed_commerce
from vitrina.core.security import Role
from vitrina.crm.demo import seed_demo_customer
from vitrina.identity import service as identity
from vitrina.insights.demo import seed_personas
from vitrina.privacy.demo import seed_consent_texts
from vitrina.routing.demo import seed_service_desk
from vitrina.scheduling.demo import seed_scheduling
from vitrina.training.demo import seed_training

Seeder = Callable[[AsyncSession], Awaitable[str]]

DEMO_PASSWORD = "aurora-demo-password"  # noqa: S105 - published demo credentials, development only
DEMO_STAFF = [
    ("admin@aurora-motors.example", "Alex Admin", [Role.ADMIN, Role.SUPERVISOR]),
    ("supervisor@aurora-motors.example", "Sam Supervisor", [Role.SUPERVISOR]),
    ("agent@aurora-motors.example", "Ava Advisor", [Role.AGENT]),
    ("dpo@aurora-motors.example", "Dana DPO", [Role.DPO]),
]


async def seed_brand(db: AsyncSession) -> str:
    brand, created = await ensure_demo_brand(db)
    return f"brand {brand.name} ({brand.slug}) {'created' if created else 'up to date'}"


async def seed_staff(db: AsyncSession) -> str:
    made = 0
    for email, name, roles in DEMO_STAFF:
        if await identity.get_user_by_email(db, email=email) is None:
            await identity.create_user(
                db,
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                roles=list(roles),
                brand_slugs=["aurora-motors"],
            )
            made += 1
    return (
        f"{made} demo staff accounts created (password: {DEMO_PASSWORD})"
        if made
        else "demo staff up to date"
    )


SEEDERS: list[tuple[str, Seeder]] = [
    ("brand", seed_brand),
    ("staff", seed_staff),
    ("demo customer", seed_demo_customer),
    ("consent texts", seed_consent_texts),
    ("catalog", seed_catalog),
    ("personas", seed_personas),
    ("commerce", seed_commerce),
    ("scheduling", seed_scheduling),
    ("bot content", check_bot_content),
    ("service desk", seed_service_desk),
    ("training scenarios", seed_training),
]
