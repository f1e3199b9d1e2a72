"""Shared steps of the training tests: the demo brand, advisors, a started session."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import login, make_staff

BRAND = "aurora-motors"


async def advisor(
    client: AsyncClient,
    db: AsyncSession,
    email: str,
    *,
    roles: list[str] | None = None,
    brands: list[str] | None = None,
) -> tuple[str, dict[str, str]]:
    """A member of staff's user id and bearer headers."""
    user = await make_staff(db, email=email, roles=roles or ["agent"], brand_slugs=brands)
    return user.id, await login(client, email)


async def ok(
    client: AsyncClient, method: str, path: str, headers: dict[str, str], **kw: Any
) -> Any:
    resp = await client.request(method, path, headers=headers, **kw)
    assert resp.status_code in (200, 201), f"{method} {path}: {resp.status_code} {resp.text}"
    return resp.json()


async def started(
    client: AsyncClient,
    headers: dict[str, str],
    *,
    scenario: str = "late-delivery",
    language: str = "en",
) -> dict[str, Any]:
    made = await ok(
        client,
        "POST",
        "/api/training/sessions",
        headers,
        json={"brand": BRAND, "scenario": scenario, "language": language},
    )
    return dict(await ok(client, "POST", f"/api/training/sessions/{made['id']}/start", headers))


async def say(
    client: AsyncClient, headers: dict[str, str], session_id: str, text: str
) -> dict[str, Any]:
    return dict(
        await ok(
            client,
            "POST",
            f"/api/training/sessions/{session_id}/replies",
            headers,
            json={"text": text},
        )
    )
