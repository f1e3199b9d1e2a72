"""Catalog fixtures: the demo brand with its seeded catalog, admins of one brand or all."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import login, make_staff
from vitrina.brands.demo import ensure_demo_brand
from vitrina.catalog import assets
from vitrina.catalog.demo import seed_catalog
from vitrina.catalog.storage import AssetStore
from vitrina.core.config import Settings

BRAND = "aurora-motors"
PRODUCTS = f"/api/brands/{BRAND}/products"
ADMIN = f"/api/admin/brands/{BRAND}/catalog"


@pytest.fixture
def store(settings: Settings) -> AssetStore:
    return assets.asset_store(settings.data_dir)


@pytest.fixture
async def seeded(db: AsyncSession, store: AssetStore) -> None:
    await ensure_demo_brand(db)
    await seed_catalog(db, store=store)
    await db.commit()


@pytest.fixture
async def admin_headers(client: AsyncClient, db: AsyncSession) -> dict[str, str]:
    await make_staff(db, email="content@aurora.example", roles=["admin"], brand_slugs=[BRAND])
    return await login(client, "content@aurora.example")


async def guest_headers(client: AsyncClient, name: str = "Mia") -> dict[str, str]:
    """Starts a guest session (cookies kept by the client) and returns the CSRF header."""
    resp = await client.post("/api/auth/guest", json={"display_name": name})
    assert resp.status_code == 201, resp.text
    return {"X-CSRF-Token": client.cookies["vitrina_csrf"]}


def assets_on_disk(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
