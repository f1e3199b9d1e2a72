"""Recommendation latency on a large brand, on PostgreSQL.

    VITRINA_DATABASE_URL=postgresql+asyncpg://... python -m bench.insights \
        [--customers 100000] [--products 10000] [--events 10000000] [--requests 2000]

Makes a fresh database (migrated to head), one brand with `--products` products (texts
from twelve themes in EN/FR/IT words, 5 % out of stock) and `--events` consented
interaction events from `--customers` customers (COPY, themed tastes, last 60 days), vacuumed and analysed, then
asks for ten recommendations `--requests` times, for a random consented customer each
time (one in ten a guest with nothing), each in its own session as a request would.

Prints the generation time, the brand model's build time (once per MODEL_TTL per
process), and the p50 / p99 / max latency of one call (profile read with consent, persona,
ranking, MMR, surprise and explanations). Target: p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text

from vitrina.brands.demo import ensure_demo_brand
from vitrina.catalog.models import Product
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker, new_id, transaction, utcnow
from vitrina.insights import recommend
from vitrina.migrations import runner
from vitrina.privacy import keys
from vitrina.privacy import service as privacy
from vitrina.privacy.texts import Purpose

THEMES = [
    "city compact parking urbain città",
    "family seats boot famille famiglia",
    "sport track acceleration sportive sportiva",
    "range battery motorway autonomie autonomia",
    "offroad traction towing toutterrain fuoristrada",
    "luxury leather quiet luxe lusso",
    "cargo payload racks utilitaire furgone",
    "budget price lease économique economica",
    "home wallbox solar maison casa",
    "tech screen assist techno tecnologia",
    "winter heated snow hiver inverno",
    "travel roofbox comfort voyage viaggio",
]
KINDS = ["view"] * 6 + ["click"] * 3 + ["configure", "ask", "book"]


async def generate(args: argparse.Namespace, settings: Settings) -> tuple[str, list[str]]:
    url = settings.resolved_database_url
    engine = create_engine(url)
    sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
    rnd = random.Random(11)
    async with transaction(sessions) as db:
        brand, _ = await ensure_demo_brand(db)
        brand_id = brand.id
        rows = []
        for i in range(args.products):
            theme = THEMES[i % len(THEMES)].split()
            words = " ".join(rnd.sample(theme, 3))
            rows.append(
                {
                    "id": new_id(),
                    "brand_id": brand_id,
                    "slug": f"p{i:05d}",
                    "name": {"en": f"Model {i}", "fr": f"Modèle {i}", "it": f"Modello {i}"},
                    "description": {"en": words, "fr": words, "it": words},
                    "currency": "EUR",
                    "base_price_minor": 1_000_000 + i,
                    "stock": 0 if rnd.random() < 0.05 else 5,
                    "active": True,
                    "position": i,
                    "option_groups": [],
                    "rules": [],
                    "explainers": [],
                }
            )
        for start in range(0, len(rows), 2000):
            await db.execute(insert(Product), rows[start : start + 2000])
    by_theme: list[list[str]] = [[] for _ in THEMES]
    for i in range(args.products):
        by_theme[i % len(THEMES)].append(f"p{i:05d}")
    now = utcnow()
    per = max(1, args.events // args.customers)
    chunk: list[tuple[object, ...]] = []
    written = 0
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        pg = raw.driver_connection
        assert pg is not None
        for c in range(args.customers):
            subject = f"customer:c{c:06d}"
            liked = rnd.sample(range(len(THEMES)), 2)
            for n in range(per):
                pool = by_theme[rnd.choice(liked)] if rnd.random() < 0.8 else by_theme[n % 12]
                product = pool[min(int(rnd.paretovariate(1.2)) - 1, len(pool) - 1)]
                at = now - timedelta(seconds=rnd.uniform(60, 60 * 86400))
                chunk.append((new_id(), brand_id, subject, rnd.choice(KINDS), product, "", at))
            if len(chunk) >= 200_000 or c == args.customers - 1:
                await pg.copy_records_to_table(
                    "insights_event",
                    records=chunk,
                    columns=["id", "brand_id", "subject", "kind", "product", "part", "occurred_at"],
                )
                written += len(chunk)
                chunk = []
                print(f"  {written:,} events", end="\r", file=sys.stderr)
        await conn.commit()
    print(file=sys.stderr)
    consented = [f"customer:c{c:06d}" for c in rnd.sample(range(args.customers), 300)]
    async with transaction(sessions) as db:
        for subject in consented:
            await privacy.record_choices(
                db,
                brand_id=brand_id,
                subject=subject,
                choices={Purpose.ANALYTICS: True, Purpose.PERSONALISATION: True},
                channel="bench",
            )
    # As autovacuum leaves a live table: statistics, and the visibility map that lets a
    # visitor's signals come from the index alone.
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))
    await engine.dispose()
    return brand_id, consented


async def measure(args: argparse.Namespace, settings: Settings, consented: list[str]) -> None:
    engine = create_engine(settings.resolved_database_url)
    sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
    rnd = random.Random(5)
    async with sessions() as db:
        from vitrina.brands import service as brands

        brand = await brands.get_by_slug_or_raise(db, slug="aurora-motors")
        t0 = time.perf_counter()
        await recommend.model_for(db, brand=brand)
        print(
            f"model build: {time.perf_counter() - t0:.1f} s (once per {recommend.MODEL_TTL:.0f} s)"
        )
    times: list[float] = []
    sizes: list[int] = []
    for n in range(args.requests + 50):
        subject = f"guest:g{n}" if rnd.random() < 0.1 else rnd.choice(consented)
        t = time.perf_counter()
        async with sessions() as db:
            out = await recommend.recommend(db, brand=brand, subject=subject, limit=10)
        if n >= 50:  # warm-up
            times.append((time.perf_counter() - t) * 1000)
            sizes.append(len(out.items))
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(
        f"recommendations: {len(times)} calls, p50 {statistics.median(times):.1f} ms, "
        f"p99 {p99:.1f} ms, max {times[-1]:.1f} ms, {min(sizes)}-{max(sizes)} items each"
    )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    url = os.environ.get("VITRINA_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("error: set VITRINA_DATABASE_URL to an empty PostgreSQL database")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=url)
        runner.upgrade(settings.resolved_database_url)
        t0 = time.perf_counter()
        _, consented = asyncio.run(generate(args, settings))
        print(
            f"generated {args.customers:,} customers, {args.products:,} products, "
            f"{args.events:,} events in {time.perf_counter() - t0:.0f} s"
        )
        asyncio.run(measure(args, settings, consented))


if __name__ == "__main__":
    main()
