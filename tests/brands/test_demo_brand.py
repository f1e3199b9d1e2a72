from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.demo import SEEDERS


async def test_demo_is_idempotent_and_trilingual(client: AsyncClient, db: AsyncSession) -> None:
    for _ in range(2):
        for _name, seeder in SEEDERS:
            await seeder(db)
        await db.commit()
    brands = (await client.get("/api/brands")).json()
    assert [b["slug"] for b in brands] == ["aurora-motors"]
    brand = brands[0]
    assert set(brand["content"]) == {"en", "fr", "it"}
    assert {z["name"] for z in brand["layout"]["zones"]} == {"entrance", "showroom", "lounge"}
    for zone in brand["layout"]["zones"]:
        assert set(zone["title"]) == {"en", "fr", "it"}


async def test_unknown_brand_is_a_problem(client: AsyncClient) -> None:
    resp = await client.get("/api/brands/nope")
    assert resp.status_code == 404 and resp.json()["code"] == "brand_not_found"
