"""Scheduling benchmarks: availability search latency, booking throughput, the booking race.

    .venv/bin/python -m bench.scheduling                       # SQLite file in a temp dir
    .venv/bin/python -m bench.scheduling --postgres URL        # a throwaway PostgreSQL database
    ... --processes 2                                          # book from 2 processes
    scripts/with-test-services.sh .venv/bin/python -m bench.scheduling --postgres test

`URL` is an admin URL (postgresql+asyncpg://user@host:port/postgres); `test` takes
VITRINA_TEST_POSTGRES_URL. Targets (issue 8): search over 50 resources and 30 days
p99 <= 30 ms; >= 300 bookings/s on distinct slots; 200 clients racing for 10 slots on
PostgreSQL: exactly 10 bookings, every other client told the slot is gone, 0 overlaps.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands.demo import ensure_demo_brand
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.core.errors import AppError
from vitrina.migrations import runner
from vitrina.privacy import keys
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Allocation
from vitrina.scheduling.schemas import AppointmentTypeCreate, RequirementIn, ResourceCreate

BRAND = "aurora-motors"
TZ = "Europe/Paris"
HOURS = {d: [("09:00", "19:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
MONTH_START = datetime(2031, 3, 3, 6, tzinfo=UTC)  # a Monday; the month spans a DST change
# SQLite has one writer at a time and its lock is not fair: many waiting writers on a
# loaded machine can starve one past the busy timeout, so it gets fewer at once.
CONCURRENCY = {"PostgreSQL": 24, "SQLite": 4}


async def setup(sessions: async_sessionmaker[AsyncSession], resources: int) -> list[str]:
    async with transaction(sessions) as db:
        await ensure_demo_brand(db)
        ids = []
        for n in range(resources):
            r = await scheduling.create_resource(
                db,
                data=ResourceCreate(
                    brand_slug=BRAND,
                    kind="advisor",
                    name=f"Advisor {n:03d}",
                    skills=["sales"],
                    timezone=TZ,
                    weekly_hours=HOURS,
                    buffer_after_min=10,
                ),
            )
            ids.append(r.id)
        await scheduling.create_resource(
            db,
            data=ResourceCreate(
                brand_slug=BRAND, kind="desk", name="Desk", timezone=TZ, weekly_hours=HOURS
            ),
        )
        for slug, kind in (("consult", "advisor"), ("race", "desk")):
            await scheduling.create_type(
                db,
                data=AppointmentTypeCreate(
                    brand_slug=BRAND,
                    slug=slug,
                    name=slug,
                    duration_min=30,
                    requirements=[RequirementIn(kind=kind)],
                    lead_time_min=0,
                    horizon_days=120,
                    slot_step_min=15,
                    timezone=TZ,
                ),
            )
    return ids


def booking_jobs(resource_ids: list[str], per_day: int) -> list[tuple[str, datetime]]:
    """`per_day` distinct 30-minute slots per resource per open day of the month."""
    rng = random.Random(8)
    jobs: list[tuple[str, datetime]] = []
    for rid in resource_ids:
        for d in range(30):
            day = MONTH_START.date() + timedelta(days=d)
            if day.weekday() == 6:
                continue
            # Slots an hour apart, so that the 10-minute buffer never makes them clash.
            for hour in rng.sample(range(9, 19), per_day):
                start = datetime.combine(day, datetime.min.time()).replace(hour=hour)
                jobs.append((rid, start))
    return jobs


async def book_jobs(
    sessions: async_sessionmaker[AsyncSession],
    jobs: list[tuple[str, datetime]],
    concurrency: int,
) -> tuple[float, float, float]:
    """Book every job, `concurrency` at a time; (wall start, wall end, CPU seconds)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(rid: str, local_start: datetime) -> None:
        async with gate, transaction(sessions) as db:
            await scheduling.book(
                db,
                brand_slug=BRAND,
                type_slug="consult",
                start=local_start,  # naive: wall-clock time in Paris
                resource_ids=[rid],
                customer=scheduling.Customer(email=f"{uuid.uuid4().hex[:8]}@example.org"),
                now=MONTH_START,
            )

    began, cpu = time.time(), time.process_time()
    await asyncio.gather(*(one(rid, start) for rid, start in jobs))
    return began, time.time(), time.process_time() - cpu


def _booking_process(
    url: str, jobs: list[tuple[str, datetime]], concurrency: int
) -> tuple[float, float, float]:
    """One app process's share of the load, on its own engine and connection pool."""

    async def go() -> tuple[float, float, float]:
        engine = create_engine(url)
        gc.collect()
        gc.freeze()
        try:
            sealer = keys.sealer(Settings(database_url=url))
            return await book_jobs(create_sessionmaker(engine, sealer=sealer), jobs, concurrency)
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def book_many(
    url: str,
    sessions: async_sessionmaker[AsyncSession],
    resource_ids: list[str],
    per_day: int,
    concurrency: int,
    processes: int,
) -> tuple[int, float, float]:
    """Book the jobs from `processes` processes (as `vitrina serve --workers N` would
    serve them), each `concurrency` at a time; (bookings, wall seconds, CPU seconds)."""
    jobs = booking_jobs(resource_ids, per_day)
    if processes == 1:
        began, ended, cpu = await book_jobs(sessions, jobs, concurrency)
        return len(jobs), ended - began, cpu
    # Each process takes whole resources, so that their bookings never meet.
    shares: list[list[tuple[str, datetime]]] = [[] for _ in range(processes)]
    for job in jobs:
        shares[resource_ids.index(job[0]) % processes].append(job)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        results = await asyncio.gather(
            *(
                loop.run_in_executor(pool, _booking_process, url, share, concurrency)
                for share in shares
            )
        )
    # From the first booking to the last: process start-up is not booking time.
    began = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    return len(jobs), ended - began, sum(r[2] for r in results)


async def search_latency(
    sessions: async_sessionmaker[AsyncSession], limit: int, runs: int
) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds per search (CPU: all threads of this process, so it
    includes SQLite's work but not PostgreSQL's, and leaves out time other processes
    took from us on a shared machine)."""
    walls, cpus, found = [], [], 0
    async with sessions() as db:
        for _ in range(runs):
            began, cpu = time.perf_counter(), time.process_time()
            result = await scheduling.find_slots(
                db,
                brand_slug=BRAND,
                type_slug="consult",
                start=MONTH_START,
                end=MONTH_START + timedelta(days=30),
                limit=limit,
                now=MONTH_START,
            )
            walls.append((time.perf_counter() - began) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            found = len(result.slots)
    return sorted(walls), sorted(cpus), found


def p50_p99(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.1f} ms, p99 {samples[int(len(samples) * 0.99) - 1]:.1f} ms"


async def race(
    sessions: async_sessionmaker[AsyncSession], clients: int, slots: int
) -> tuple[Counter[str], float]:
    day = date(2031, 4, 1)
    starts = [
        datetime.combine(day, datetime.min.time()).replace(hour=9 + i % 10, minute=0)
        for i in range(slots)
    ]
    go = asyncio.Event()

    async def client(n: int) -> str:
        await go.wait()
        try:
            async with transaction(sessions) as db:
                await scheduling.book(
                    db,
                    brand_slug=BRAND,
                    type_slug="race",
                    start=starts[n % slots],
                    customer=scheduling.Customer(email=f"racer{n}@example.org"),
                    now=MONTH_START,
                )
            return "booked"
        except AppError as exc:
            return str(exc.code)

    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    await asyncio.sleep(0)
    began = time.perf_counter()
    go.set()
    outcomes = Counter(await asyncio.gather(*tasks))
    return outcomes, time.perf_counter() - began


async def overlaps(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as db:
        rows = (
            await db.execute(
                select(Allocation.resource_id, Allocation.block_start, Allocation.block_end)
                .where(Allocation.active.is_(True))
                .order_by(Allocation.resource_id, Allocation.block_start)
            )
        ).all()
    count, latest_end = 0, {}
    for rid, start, end in rows:
        if rid in latest_end and start < latest_end[rid]:
            count += 1
        latest_end[rid] = max(end, latest_end.get(rid, end))
    return count


async def run(url: str, backend: str, resources: int, per_day: int, processes: int) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine, sealer=keys.sealer(Settings(database_url=url)))
    try:
        ids = await setup(sessions, resources)
        # A served node freezes its start-up heap (vitrina.core.heap); so does the benchmark,
        # or the oldest-generation collections of its own set-up would be measured.
        gc.collect()
        gc.freeze()
        concurrency = CONCURRENCY[backend]
        server_before = await postgres_cpu(sessions) if backend == "PostgreSQL" else None
        made, seconds, cpu = await book_many(url, sessions, ids, per_day, concurrency, processes)
        server_after = await postgres_cpu(sessions) if server_before is not None else None
        print(
            f"bookings on distinct slots: {made} in {seconds:.1f} s = {made / seconds:.0f}/s "
            f"({processes} process(es), {concurrency} concurrent each); CPU of the booking "
            f"process(es): {cpu / made * 1000:.1f} ms per booking, i.e. {made / cpu:.0f}/s per core"
        )
        if server_before is not None and server_after is not None:
            server = server_after - server_before
            print(
                f"PostgreSQL server CPU: {server / made * 1000:.1f} ms per booking; app and "
                f"database together: {(cpu + server) / made * 1000:.1f} ms, i.e. "
                f"{2 * made / (cpu + server):.0f}/s if they had two cores to themselves"
            )
        for limit in (20, 1000):
            walls, cpus, found = await search_latency(sessions, limit, runs=100)
            print(
                f"availability search, {resources} resources, 30 days, limit {limit}: "
                f"{found} slots; wall {p50_p99(walls)}; CPU {p50_p99(cpus)}"
            )
        outcomes, seconds = await race(sessions, clients=200, slots=10)
        print(f"race: 200 clients, 10 slots, one desk: {dict(outcomes)} in {seconds:.2f} s")
        print(f"overlapping allocations: {await overlaps(sessions)}")
    finally:
        await engine.dispose()


def _proc_cpu(pid: int) -> tuple[int, float]:
    """(parent pid, CPU seconds of the process and of its children it has reaped)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return int(fields[1]), ticks / os.sysconf("SC_CLK_TCK")


def _server_cpu(postmaster: int) -> float:
    total = _proc_cpu(postmaster)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent, seconds = _proc_cpu(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
            if parent == postmaster:
                total += seconds
    return total


async def postgres_cpu(sessions: async_sessionmaker[AsyncSession]) -> float | None:
    """CPU seconds used so far by the local PostgreSQL server: the postmaster, every
    process it runs now, and those that have ended (backends of closed connections).
    None when the server is not on this machine or /proc cannot be read."""
    from sqlalchemy import text

    try:
        async with sessions() as db:
            backend = int((await db.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        return _server_cpu(_proc_cpu(backend)[0])
    except (OSError, ValueError, IndexError):
        return None


def _postgres_database(admin_url: str) -> tuple[str, str]:
    import asyncpg

    name = f"vitrina_bench_{uuid.uuid4().hex[:8]}"
    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")

    async def create() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="admin URL, or 'test' for VITRINA_TEST_POSTGRES_URL")
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--per-day", type=int, default=4, help="bookings per resource per day")
    parser.add_argument(
        "--processes", type=int, default=1, help="booking processes, like serve --workers"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            admin = (
                os.environ["VITRINA_TEST_POSTGRES_URL"]
                if args.postgres == "test"
                else args.postgres
            )
            url, _ = _postgres_database(admin)
            backend = "PostgreSQL"
        else:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            backend = "SQLite"
        runner.upgrade(url)
        print(f"backend: {backend}; load: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        asyncio.run(run(url, backend, args.resources, args.per_day, args.processes))


if __name__ == "__main__":
    main()
