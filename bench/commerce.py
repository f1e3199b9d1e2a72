"""Checkout end to end through the HTTP API, on one node: cart to paid with the sandbox.

    .venv/bin/python -m bench.commerce [--orders 200] [--concurrency 1]
    scripts/with-test-services.sh .venv/bin/python -m bench.commerce --postgres test

One iteration is what a storefront does: start a cart, add a configured wallbox, check out
(stock held, payment intent opened), pay with the sandbox's success card, then wait for the
order's `commerce.order_changed` event saying "paid" (published once the transaction
applying the sandbox's signed webhook has committed). The app
runs in process (ASGI, its lifespan started: the webhook loop, the ledger), on a fresh
migrated database (a temporary SQLite file, or a throwaway PostgreSQL database with
`--postgres URL|test`). Prints p50/p95/p99 of the whole iteration and of each step.
Target: p99 <= 150 ms for the whole checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event

from vitrina.app import create_app
from vitrina.brands import service as brands
from vitrina.brands.demo import ensure_demo_brand
from vitrina.catalog import assets
from vitrina.catalog import service as catalog
from vitrina.catalog.demo import seed_catalog
from vitrina.commerce import stock
from vitrina.commerce.demo import seed_commerce
from vitrina.commerce.events import OrderChanged
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.migrations import runner
from vitrina.services import services_of

BRAND = "aurora-motors"
SHOP = f"/api/brands/{BRAND}/commerce"
ITEM = {"product": "aurora-wallbox", "option_ids": ["wb-power-11", "wb-cable-7", "wb-white"]}
CARD = {"card": {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
ADDRESS = {"line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}
STEPS = ("cart", "item", "checkout", "confirm", "paid")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


PAID: dict[str, asyncio.Event] = {}
STATEMENTS: list[str] = []


def count_statements(conn: object, cursor: object, statement: str, *args: object) -> None:
    STATEMENTS.append(statement)


def on_order(event: OrderChanged) -> None:
    if event.to_status == "paid" and event.order_id in PAID:
        PAID[event.order_id].set()


async def one(c: AsyncClient) -> tuple[dict[str, float], dict[str, int]]:
    times: dict[str, float] = {}
    t0 = last = time.perf_counter()

    counts: dict[str, int] = {}
    seen = len(STATEMENTS)

    def mark(step: str) -> None:
        nonlocal last, seen
        now = time.perf_counter()
        times[step] = now - last
        last = now
        counts[step] = len(STATEMENTS) - seen
        seen = len(STATEMENTS)

    cart = (await c.post(f"{SHOP}/carts", headers=key())).json()
    mark("cart")
    r = await c.post(f"{SHOP}/carts/{cart['id']}/items", json=ITEM, headers=key())
    assert r.status_code == 200, r.text
    mark("item")
    body = {"name": "Bench", "email": "bench@example.com", "shipping_address": ADDRESS}
    r = await c.post(f"{SHOP}/carts/{cart['id']}/checkout", json=body, headers=key())
    assert r.status_code == 201, r.text
    placed = r.json()
    mark("checkout")
    order, payment = placed["order"]["id"], placed["payment"]["id"]
    PAID[order] = asyncio.Event()
    r = await c.post(f"{SHOP}/orders/{order}/payments/{payment}/confirm", json=CARD, headers=key())
    assert r.status_code == 200, r.text
    mark("confirm")
    # The webhook's transaction has committed when the event is delivered.
    await asyncio.wait_for(PAID[order].wait(), timeout=30)
    del PAID[order]
    mark("paid")
    times["total"] = time.perf_counter() - t0
    counts["total"] = sum(counts.values())
    return times, counts


async def run(settings: Settings, orders: int, concurrency: int) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        sessions = services_of(app).sessions
        services_of(app).bus.subscribe(OrderChanged, on_order)
        event.listen(services_of(app).engine.sync_engine, "before_cursor_execute", count_statements)
        async with transaction(sessions) as db:
            await ensure_demo_brand(db)
            await seed_catalog(db, store=assets.asset_store(settings.data_dir))
            await seed_commerce(db)
        async with transaction(sessions) as db:
            brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
            product = await catalog.get_product_or_raise(db, brand=brand, slug="aurora-wallbox")
            await stock.set_on_hand(db, product=product, configuration_id="", on_hand=1_000_000)
        clients = []
        for n in range(concurrency):
            c = AsyncClient(transport=ASGITransport(app=app), base_url="http://bench")
            r = await c.post("/api/auth/guest", json={"display_name": f"B{n}", "brand_slug": BRAND})
            c.headers["x-csrf-token"] = r.json()["csrf_token"]
            clients.append(c)
        for c in clients:  # warm-up
            for _ in range(5):
                await one(c)
        results: list[dict[str, float]] = []
        statements: list[dict[str, int]] = []

        async def worker(c: AsyncClient, count: int) -> None:
            for _ in range(count):
                times, counts = await one(c)
                results.append(times)
                statements.append(counts)

        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        started, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        await asyncio.gather(*(worker(c, orders // concurrency) for c in clients))
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        for c in clients:
            await c.aclose()
    print(
        f"checkout end to end, {len(results)} orders, {concurrency} at a time, "
        f"{settings.resolved_database_url.split(':')[0]}: {len(results) / wall:.1f} orders/s, "
        f"process CPU {cpu / len(results) * 1000:.1f} ms per order , "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for step in (*STEPS, "total"):
        values = [r[step] for r in results]
        sql = statistics.mean(s[step] for s in statements)
        print(
            f"  {step:9s} p50 {pct(values, 0.5):6.1f} ms   p95 {pct(values, 0.95):6.1f} ms"
            f"   p99 {pct(values, 0.99):6.1f} ms   mean {statistics.mean(values) * 1000:6.1f} ms"
            f"   SQL statements {sql:5.1f}"
        )
    if os.environ.get("BENCH_SQL"):
        for text in STATEMENTS[-statements[-1]["total"] :]:
            print("   ", " ".join(text.split())[:150])


async def _pg_database(admin_url: str) -> str:
    name = "bench_commerce_" + secrets.token_hex(4)
    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--postgres", help="admin URL, or 'test' for VITRINA_TEST_POSTGRES_URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = None
        if args.postgres:
            admin = (
                os.environ["VITRINA_TEST_POSTGRES_URL"]
                if args.postgres == "test"
                else args.postgres
            )
            url = asyncio.run(_pg_database(admin))
        settings = Settings(
            environment="test",
            data_dir=Path(tmp),
            database_url=url,
            redis_url=None,
            secret_key=secrets.token_hex(32),
            log_json=False,
            log_level="WARNING",
            public_write_rate_per_minute=1_000_000,
        )
        runner.upgrade(settings.resolved_database_url)
        asyncio.run(run(settings, args.orders, args.concurrency))


if __name__ == "__main__":
    main()
