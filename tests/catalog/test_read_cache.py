"""The storefront's reads (brands, products) come from memory with an ETag, and a write is
seen by the very next read: through a route, through a service, or on another node."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from tests.catalog.conftest import ADMIN, BRAND, PRODUCTS, guest_headers
from tests.catalog.test_admin_api import _upsert_of
from tests.conftest import REDIS_URL
from vitrina.app import create_app
from vitrina.brands.models import Brand
from vitrina.catalog.models import Product
from vitrina.core.config import Settings
from vitrina.core.readcache import ReadCache

READS = ["/api/brands", f"/api/brands/{BRAND}", PRODUCTS, f"{PRODUCTS}/aurora-e1"]


async def test_reads_carry_an_etag_and_answer_304_until_something_changes(
    client: AsyncClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    first = {path: await client.get(path) for path in READS}
    for path, resp in first.items():
        assert resp.status_code == 200, path
        assert resp.headers["cache-control"] == "public, no-cache"
        again = await client.get(path, headers={"If-None-Match": resp.headers["etag"]})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["etag"] == resp.headers["etag"]
    body = _upsert_of(first[f"{PRODUCTS}/aurora-e1"].json())
    changed = copy.deepcopy(body)
    changed["base_price"] = "35490.50"
    put = await client.put(f"{ADMIN}/products/aurora-e1", json=changed, headers=admin_headers)
    assert put.status_code == 200, put.text
    for path in (PRODUCTS, f"{PRODUCTS}/aurora-e1"):
        stale = first[path].headers["etag"]
        resp = await client.get(path, headers={"If-None-Match": stale})
        assert resp.status_code == 200, path
        assert resp.headers["etag"] != stale
    one = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    assert one["base_price"]["amount"] == "35490.50"


async def test_a_brand_edit_is_seen_by_the_next_read(
    client: AsyncClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    assert (await client.get(f"/api/brands/{BRAND}")).json()["name"] == "Aurora Motors"
    await client.get("/api/brands")
    resp = await client.patch(
        f"/api/admin/brands/{BRAND}", json={"name": "Aurora Motors Milano"}, headers=admin_headers
    )
    assert resp.status_code == 200, resp.text
    assert (await client.get(f"/api/brands/{BRAND}")).json()["name"] == "Aurora Motors Milano"
    names = [b["name"] for b in (await client.get("/api/brands")).json()]
    assert "Aurora Motors Milano" in names


async def test_a_write_outside_the_routes_is_seen_by_the_next_read(
    client: AsyncClient, seeded: None, db: AsyncSession
) -> None:
    """Imports, seeders and any future write path: the cache hears the statement itself."""
    before = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    await db.execute(
        update(Product).where(Product.slug == "aurora-e1").values(base_price_minor=1_234_500)
    )
    await db.commit()
    after = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    assert after["base_price"]["amount"] != before["base_price"]["amount"]
    assert after["base_price"]["amount"] == "12345.00"


async def test_a_rolled_back_write_keeps_the_cache(
    client: AsyncClient, seeded: None, db: AsyncSession
) -> None:
    first = await client.get(f"/api/brands/{BRAND}")
    await db.execute(update(Brand).where(Brand.slug == BRAND).values(name="Never"))
    await db.rollback()
    again = await client.get(f"/api/brands/{BRAND}")
    assert again.json()["name"] == "Aurora Motors"
    assert again.headers["etag"] == first.headers["etag"]


@pytest.mark.skipif(not REDIS_URL, reason="needs VITRINA_TEST_REDIS_URL (make test starts Redis)")
async def test_a_write_on_one_node_is_seen_on_another(
    settings: Settings, client: AsyncClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    """Two processes on one database and one Redis: the writer's node tells the other."""
    import asyncio

    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    nodes = [create_app(shared), create_app(shared)]
    async with (
        nodes[0].router.lifespan_context(nodes[0]),
        nodes[1].router.lifespan_context(nodes[1]),
        AsyncClient(transport=ASGITransport(app=nodes[0]), base_url="http://testserver") as one,
        AsyncClient(transport=ASGITransport(app=nodes[1]), base_url="http://testserver") as two,
    ):
        path = f"{PRODUCTS}/aurora-e1"
        body: dict[str, Any] = _upsert_of((await two.get(path)).json())  # cached on node two
        body["base_price"] = "40100.00"
        put = await one.put(f"{ADMIN}/products/aurora-e1", json=body, headers=admin_headers)
        assert put.status_code == 200, put.text
        seen = None
        for _ in range(50):  # the broker's message takes a moment, far below MAX_AGE_S
            seen = (await two.get(path)).json()["base_price"]["amount"]
            if seen == "40100.00":
                break
            await asyncio.sleep(0.02)
        assert seen == "40100.00"


async def test_an_answer_from_memory_has_the_headers_of_any_other(
    client: AsyncClient, seeded: None
) -> None:
    built = await client.get(f"{PRODUCTS}/aurora-e1")
    remembered = await client.get(f"{PRODUCTS}/aurora-e1")
    assert remembered.content == built.content
    assert remembered.json() == built.json()
    for name in ("etag", "cache-control", "content-type", "content-security-policy"):
        assert remembered.headers[name] == built.headers[name], name
    assert remembered.headers["x-request-id"] != built.headers["x-request-id"]
    unknown = await client.get(f"{PRODUCTS}/no-such-car")
    assert unknown.status_code == 404
    assert (await client.get(f"{PRODUCTS}/no-such-car")).status_code == 404


async def test_writes_to_other_tables_keep_the_cache(
    app: FastAPI, client: AsyncClient, seeded: None
) -> None:
    """A saved configuration or a guest session names the brand but changes no answer."""
    cache = app.components.get(ReadCache)  # type: ignore[attr-defined]
    await client.get(f"{PRODUCTS}/aurora-e1")
    before = cache.generation
    headers = await guest_headers(client)
    saved = await client.post(
        f"{PRODUCTS}/aurora-e1/configurations", json={"option_ids": []}, headers=headers
    )
    assert saved.status_code in (201, 422), saved.text
    assert cache.generation == before
    assert cache.lookup(f"{PRODUCTS}/aurora-e1") is not None


async def test_requests_that_miss_together_share_one_build() -> None:
    """A crowd arriving as an answer expires runs its queries once, not once each; a
    request that comes after a write never gets an answer started before it."""
    cache = ReadCache()
    builds: list[int] = []
    release = asyncio.Event()

    async def build() -> dict[str, int]:
        builds.append(len(builds) + 1)
        number = builds[-1]
        await release.wait()
        return {"build": number}

    request = Request({"type": "http", "method": "GET", "headers": [], "path": "/"})
    crowd = [asyncio.create_task(cache.respond(request, "k", build)) for _ in range(50)]
    await asyncio.sleep(0.01)
    assert len(builds) == 1
    cache.clear()  # a write commits while the first build runs
    late = asyncio.create_task(cache.respond(request, "k", build))
    await asyncio.sleep(0.01)
    assert len(builds) == 2
    release.set()
    # The crowd asked before the write: the first build's answer; the late one its own.
    assert [json.loads((await task).body) for task in crowd] == [{"build": 1}] * 50
    assert json.loads((await late).body) == {"build": 2}
    assert len(builds) == 2


async def test_a_failed_shared_build_lets_the_others_build_for_themselves() -> None:
    cache = ReadCache()
    calls = 0
    started = asyncio.Event()

    async def build() -> dict[str, int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            started.set()
            await asyncio.sleep(0.01)
            raise RuntimeError("database went away")
        return {"ok": calls}

    request = Request({"type": "http", "method": "GET", "headers": [], "path": "/"})
    first = asyncio.create_task(cache.respond(request, "k", build))
    await started.wait()
    second = asyncio.create_task(cache.respond(request, "k", build))
    with pytest.raises(RuntimeError):
        await first
    assert json.loads((await second).body) == {"ok": 2}
