"""A request's transaction is committed before its answer leaves the server."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import staff_headers
from vitrina.brands.models import Brand
from vitrina.demo import SEEDERS

Message = MutableMapping[str, Any]


async def test_a_saved_change_is_visible_to_others_when_the_reply_arrives(
    app: FastAPI, db: AsyncSession
) -> None:
    """A console that reloads the moment "saved" arrives must read the saved data."""
    for _name, seeder in SEEDERS:
        await seeder(db)
    await db.commit()
    seen_when_replied: list[str] = []

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def send_and_look(message: Message) -> None:
            last_chunk = message["type"] == "http.response.body" and not message.get("more_body")
            if last_chunk and scope["method"] == "PATCH":
                async with app.state.sessions() as other:
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
