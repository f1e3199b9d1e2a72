"""Test data built through the services, as users would create it."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.demo import SEEDERS
from vitrina.identity import service as identity
from vitrina.identity.models import StaffUser

PASSWORD = "correct horse battery staple"
DEMO_BRAND = "aurora-motors"


async def make_staff(
    db: AsyncSession,
    *,
    email: str = "staff@example.com",
    roles: list[str] | None = None,
    brand_slugs: list[str] | None = None,
    name: str = "Staff Member",
) -> StaffUser:
    """A member of staff; of the demo brand unless `brand_slugs` says otherwise (a
    super-admin serves every brand whatever it lists)."""
    user = await identity.create_user(
        db,
        email=email,
        display_name=name,
        password=PASSWORD,
        roles=roles or ["agent"],
        brand_slugs=[DEMO_BRAND] if brand_slugs is None else brand_slugs,
    )
    await db.commit()
    return user


async def login(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Signs in and returns bearer headers for the new session."""
    resp = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {resp.json()['token']}"}


async def staff_headers(
    client: AsyncClient,
    db: AsyncSession,
    *,
    roles: list[str],
    email: str | None = None,
    brand_slugs: list[str] | None = None,
) -> dict[str, str]:
    email = email or f"{'-'.join(roles)}@example.com"
    await make_staff(db, email=email, roles=roles, brand_slugs=brand_slugs)
    return await login(client, email)


async def seed_demo(db: AsyncSession) -> None:
    """The demo brand with everything each domain seeds for it, as `vitrina demo` does."""
    for _name, seeder in SEEDERS:
        await seeder(db)
    await db.commit()
