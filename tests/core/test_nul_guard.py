"""NUL characters are refused before any route runs, on every backend alike."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import seed_demo, staff_headers
from vitrina.crm.models import CustomerProfile


async def _profiles(db: AsyncSession) -> int:
    await db.rollback()
    return await db.scalar(select(func.count()).select_from(CustomerProfile)) or 0


async def test_a_nul_in_a_body_or_query_is_a_422_and_nothing_is_stored(
    client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    staff = await staff_headers(client, db, roles=["admin", "agent"])
    before = await _profiles(db)

    nul = await client.post(
        "/api/crm/customers",
        json={"brand": "aurora-motors", "display_name": "Mia\u0000Rossi"},
        headers=staff,
    )
    assert nul.status_code == 422
    assert nul.headers["content-type"] == "application/problem+json"
    assert "U+0000" in nul.json()["detail"]
    assert await _profiles(db) == before

    searched = await client.get("/api/crm/customers", params={"q": "Mia\u0000"}, headers=staff)
    assert searched.status_code == 422

    # A backslash followed by "u0000" is ordinary text, kept as typed.
    typed = await client.post(
        "/api/crm/customers",
        json={"brand": "aurora-motors", "display_name": "Mia \\u0000 Rossi"},
        headers=staff,
    )
    assert typed.status_code == 201, typed.text
    assert typed.json()["display_name"] == "Mia \\u0000 Rossi"
    assert await _profiles(db) == before + 1
