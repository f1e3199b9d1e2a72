"""A request's transaction: committed before the answer leaves, a lost race a conflict."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import seed_demo, staff_headers
from vitrina.api.problems import install_problem_handlers
from vitrina.brands.demo import demo_brand_data
from vitrina.brands.models import Brand
from vitrina.core.db import create_engine
from vitrina.services import services_of

Message = MutableMapping[str, Any]


async def test_a_saved_change_is_visible_to_others_when_the_reply_arrives(
    app: FastAPI, db: AsyncSession
) -> None:
    """A console that reloads the moment "saved" arrives must read the saved data."""
    await seed_demo(db)
    seen_when_replied: list[str] = []

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def send_and_look(message: Message) -> None:
            last_chunk = message["type"] == "http.response.body" and not message.get("more_body")
            if last_chunk and scope["method"] == "PATCH":
                async with services_of(app).sessions() as other:
                    seen_when_replied.append(
                        await other.scalar(select(Brand.name).where(Brand.slug == "aurora-motors"))
                    )
            await send(message)

        await app(scope, receive, send_and_look)

    transport = ASGITransport(app=watching)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        admin = await staff_headers(client, db, roles=["admin"])
        resp = await client.patch(
            "/api/admin/brands/aurora-motors", json={"name": "Aurora Motors Milano"}, headers=admin
        )
    assert resp.status_code == 200, resp.text
    assert seen_when_replied == ["Aurora Motors Milano"]


async def test_two_admins_creating_the_same_brand_at_once_get_one_brand_and_one_conflict(
    client: AsyncClient, db: AsyncSession
) -> None:
    """Both pass the "already exists?" check before either writes; the unique slug decides."""
    admin = await staff_headers(client, db, roles=["superadmin"])
    body = demo_brand_data().model_dump(mode="json")
    for attempt in range(3):
        body["slug"] = f"twin-{attempt}"
        first, second = await asyncio.gather(
            *(client.post("/api/admin/brands", json=body, headers=admin) for _ in range(2))
        )
        assert sorted([first.status_code, second.status_code]) == [201, 409]
        loser = second if first.status_code == 201 else first
        assert loser.headers["content-type"] == "application/problem+json"
        assert loser.json()["code"] in {"conflict", "brand_exists"}
    listed = (await client.get("/api/brands")).json()
    assert sorted(b["slug"] for b in listed) == ["twin-0", "twin-1", "twin-2"]


@pytest.mark.postgres
async def test_a_lock_held_elsewhere_is_a_503_to_retry_not_a_500(postgres_database: str) -> None:
    engine = create_engine(postgres_database)
    api = FastAPI()
    install_problem_handlers(api)

    @api.post("/reprice")
    async def reprice() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("LOCK TABLE brand IN ACCESS EXCLUSIVE MODE NOWAIT"))

    try:
        async with engine.connect() as reader:
            await reader.execute(text("SELECT count(*) FROM brand"))  # holds a share lock
            transport = ASGITransport(app=api)
            async with AsyncClient(transport=transport, base_url="http://testserver") as client:
                busy = await client.post("/reprice")
            await reader.rollback()
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["code"] == "unavailable"
    finally:
        await engine.dispose()
