"""CRM and customer sign-in benchmarks.

    .venv/bin/python -m bench.crm siwe [--count 3000]
        SIWE verifications per second on one core (parse, field checks, EIP-191 recovery).
    scripts/with-test-services.sh .venv/bin/python -m bench.crm lookup --postgres test \
        [--customers 1000000] [--samples 2000]
        Generates the data set (customers, 3 identities each, timeline entries), sealed
        per customer as the application stores it, in a fresh PostgreSQL database with COPY, then measures lookup by any identifier and the
        customer 360 view, one request at a time, each in its own session.

`--postgres` takes an admin URL (postgresql+asyncpg://user@host:port/postgres) or `test`
for VITRINA_TEST_POSTGRES_URL. Targets (issue 6): lookup p99 <= 5 ms and 360 p99 <= 50 ms
with 1,000,000 customers and 3,000,000 identities; SIWE >= 500 verifications/s per core.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.address import to_checksum_address
from pydantic import SecretStr

from vitrina.brands.demo import ensure_demo_brand
from vitrina.core.config import Settings
from vitrina.core.crypto import Keyring, blind_with, seal_with
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.core.security import Principal, Role
from vitrina.crm import routes as crm_routes
from vitrina.crm import service as crm
from vitrina.identity import siwe
from vitrina.migrations import runner
from vitrina.privacy import keys

ADMIN = Principal(
    kind="staff", session_id="bench", display_name="bench", roles=frozenset({Role.ADMIN})
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def bench_siwe(count: int) -> None:
    now = datetime.now(UTC)
    signers = [Account.from_key(hashlib.sha256(f"k{i}".encode()).digest()) for i in range(20)]
    cases = []
    for i in range(count):
        signer = signers[i % len(signers)]
        nonce = uuid.uuid4().hex
        text = siwe.build_message(
            domain="shop.example",
            address=signer.address,
            uri="https://shop.example",
            chain_id=1,
            nonce=nonce,
            issued_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            statement="Sign in to the virtual store.",
            expiration_time=(now + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        signature = "0x" + signer.sign_message(encode_defunct(text=text)).signature.hex()
        cases.append((text, signature, nonce))
    started_cpu, started = time.process_time(), time.perf_counter()
    for text, signature, nonce in cases:
        expected = siwe.Expectations(
            domain="shop.example",
            origin="https://shop.example",
            chain_ids=frozenset({1}),
            nonce=nonce,
            now=now,
        )
        siwe.verify(text, signature, expected)
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"siwe verifications: {count}")
    print(f"  per second of CPU (one core): {count / cpu:.0f}")
    print(f"  per second of wall time:      {count / wall:.0f}")
    print(f"  mean CPU per verification:    {cpu / count * 1e3:.2f} ms")


def _address(n: int) -> str:
    return to_checksum_address("0x" + hashlib.sha256(n.to_bytes(8, "big")).hexdigest()[:40])


def _phone(n: int) -> str:
    return f"+336{10_000_000 + n:08d}"


class Sealing:
    """Seals generated rows as the application would: a data key per customer, wrapped by
    the master key; values sealed under it; identity values with their blind index."""

    def __init__(self, ring: Keyring, index_key: bytes) -> None:
        self.ring = ring
        self.index_key = index_key

    def customer(self, subject: str) -> tuple[tuple[object, ...], Callable[[str], str]]:
        key_id = os.urandom(6).hex()
        data_key = AESGCM.generate_key(bit_length=256)
        aead = AESGCM(data_key)
        row = (subject, key_id, self.ring.master_id, self.ring.wrap(subject, key_id, data_key))
        return row, lambda value: seal_with(aead, subject, key_id, value)

    def blind(self, value: str) -> str:
        return blind_with(self.index_key, value)


async def generate(url: str, brand_id: str, customers: int, sealing: Sealing) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        now = datetime.now(UTC)
        batch = 100_000
        for start in range(0, customers, batch):
            stop = min(customers, start + batch)
            ids = [str(uuid.UUID(int=n + 1)) for n in range(start, stop)]
            keys, profiles, identities, timeline = [], [], [], []
            for pid, n in zip(ids, range(start, stop), strict=True):
                subject = f"customer:{pid}"
                key, seal = sealing.customer(subject)
                keys.append((*key, now))
                profiles.append(
                    (pid, brand_id, seal(f"Customer {n}"), "en", "[]", None, now, now, subject)
                )
                for kind, value, chain in (
                    ("email", f"c{n}@bench.example", None),
                    ("phone", _phone(n), None),
                    ("wallet", _address(n), 1),
                ):
                    identities.append(
                        (
                            str(uuid.uuid4()),
                            brand_id,
                            pid,
                            kind,
                            seal(value),
                            sealing.blind(value),
                            chain,
                            now,
                            "bench",
                            now,
                            subject,
                        )
                    )
                for k in range(n % 3):
                    timeline.append(
                        (
                            str(uuid.uuid4()),
                            brand_id,
                            pid,
                            "world.presence_joined",
                            "world",
                            seal("Entered the virtual store (showroom)"),
                            json.dumps(seal(json.dumps({"k": k}))),
                            now - timedelta(days=k),
                            subject,
                        )
                    )
            await conn.copy_records_to_table(
                "privacy_data_key",
                records=keys,
                columns=["subject", "key_id", "master_id", "wrapped", "created_at"],
            )
            await conn.copy_records_to_table(
                "crm_profile",
                records=profiles,
                columns=[
                    "id",
                    "brand_id",
                    "display_name",
                    "locale",
                    "tags",
                    "merged_into_id",
                    "created_at",
                    "updated_at",
                    "sealed_for",
                ],
            )
            await conn.copy_records_to_table(
                "crm_identity",
                records=identities,
                columns=[
                    "id",
                    "brand_id",
                    "profile_id",
                    "kind",
                    "value",
                    "value_hash",
                    "chain_id",
                    "verified_at",
                    "source",
                    "created_at",
                    "sealed_for",
                ],
            )
            await conn.copy_records_to_table(
                "crm_timeline",
                records=timeline,
                columns=[
                    "id",
                    "brand_id",
                    "profile_id",
                    "kind",
                    "channel",
                    "summary",
                    "data",
                    "occurred_at",
                    "sealed_for",
                ],
            )
            print(f"  {stop} customers, {3 * stop} identities", flush=True)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def bench_lookup(admin_url: str, customers: int, samples: int) -> None:
    name = f"vitrina_bench_{uuid.uuid4().hex[:8]}"
    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    await asyncio.to_thread(runner.upgrade, url)
    engine = create_engine(url)
    settings = Settings(database_url=url, master_key=SecretStr("bench master key " + "x" * 32))
    sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
    try:
        await keys.ensure_index_key(sessions, settings)
        async with transaction(sessions) as db:
            brand, _ = await ensure_demo_brand(db)
            index_key = await db.run_sync(keys.keyring(settings).index_key)
        started = time.perf_counter()
        await generate(url, brand.id, customers, Sealing(keys.keyring(settings), index_key))
        print(f"generated in {time.perf_counter() - started:.0f} s")
        rng = random.Random(7)
        spellings = [
            lambda n: f"C{n}@Bench.Example",
            lambda n: _phone(n)[:4] + " " + _phone(n)[4:],
            lambda n: _address(n).lower(),
        ]
        lookups: list[float] = []
        views: list[float] = []
        cpu = {"lookup": 0.0, "360": 0.0}
        for i in range(samples):
            n = rng.randrange(customers)
            query = spellings[i % 3](n)
            async with sessions() as db:
                t0, c0 = time.perf_counter(), time.process_time()
                found, _ = await crm.search(db, principal=ADMIN, query=query, limit=10)
                lookups.append((time.perf_counter() - t0) * 1e3)
                cpu["lookup"] += time.process_time() - c0
            assert [p.display_name for p in found] == [f"Customer {n}"], query
            async with sessions() as db:
                t0, c0 = time.perf_counter(), time.process_time()
                view = await crm_routes.customer_360(found[0].id, ADMIN, db)
                views.append((time.perf_counter() - t0) * 1e3)
                cpu["360"] += time.process_time() - c0
            assert len(view.identities) == 3
        for label, key, values in (
            ("lookup by identifier", "lookup", lookups),
            ("customer 360", "360", views),
        ):
            print(
                f"{label}: n={len(values)} p50={statistics.median(values):.2f} ms "
                f"p95={pct(values, 95):.2f} ms p99={pct(values, 99):.2f} ms "
                f"max={max(values):.2f} ms; app CPU {cpu[key] / len(values) * 1e3:.2f} ms/request"
            )
    finally:
        await engine.dispose()
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("siwe")
    s.add_argument("--count", type=int, default=3000)
    lk = sub.add_parser("lookup")
    lk.add_argument("--postgres", required=True)
    lk.add_argument("--customers", type=int, default=1_000_000)
    lk.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    if args.what == "siwe":
        bench_siwe(args.count)
    else:
        url = os.environ["VITRINA_TEST_POSTGRES_URL"] if args.postgres == "test" else args.postgres
        asyncio.run(bench_lookup(url, args.customers, args.samples))
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
