"""Ledger benchmarks: signed appends, offline verification of a million entries, proofs.

    python -m bench.ledger appends [--entries 5000] [--database-url URL]
    python -m bench.ledger verify [--entries 1000000] [--file PATH] [--full]
    python -m bench.ledger proofs [--entries 1000000]
    python -m bench.ledger node-proofs [--entries 4000] [--database-url URL]

`appends` appends signed entries through `ledger.append` on a fresh migrated SQLite
database (or the given PostgreSQL URL): in transactions of 100 and of one entry each,
with and without a person's commitment. `verify` generates a ledger file of that many
entries once (kept at --file, default /tmp/vitrina-ledger-<n>.jsonl) and times
`vitrina ledger verify --fast` on it, and with `--full` every signature as well, on one
core. `proofs` times inclusion proofs: the path computed from stored nodes in a tree of
that size. `appends` (after its appends) and `node-proofs` (after appending that many
entries in transactions of 100) time proofs of random entries with their median, p99 and
this process's CPU per proof: `ledger.inclusion_proof` against the database, and a node's
`ProofCache` cold (its first proof), filling, warm, and warm over HTTP (in process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vitrina.app import create_app
from vitrina.brands import service as brands
from vitrina.brands.demo import ensure_demo_brand
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.ledger import canonical as fmt
from vitrina.ledger import merkle
from vitrina.ledger import service as ledger
from vitrina.ledger import verify as verifier
from vitrina.ledger.proof_cache import ProofCache
from vitrina.migrations import runner
from vitrina.privacy import keys


def _settings(work: Path, url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=work,
        database_url=url,
        redis_url=None,
        secret_key=secrets.token_hex(32),
        master_key=secrets.token_hex(32),  # type: ignore[arg-type]
        log_json=False,
        log_level="WARNING",
    )


async def _appends(url: str, work: Path, entries: int) -> None:
    settings = _settings(work, url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
    try:
        async with transaction(sessions) as db:
            brand, _ = await ensure_demo_brand(db)
            slug = brand.slug
            await ledger.append(db, brand=slug, kind="bench.warm_up")
        facts = {"order": "ord_123", "amount": "1200.00", "currency": "EUR"}

        async def run(batch: int, people: bool) -> tuple[float, float]:
            start, cpu = time.perf_counter(), time.process_time()
            done = 0
            while done < entries:
                async with transaction(sessions) as db:
                    for _ in range(min(batch, entries - done)):
                        await ledger.append(
                            db,
                            brand=slug,
                            kind="order.paid",
                            facts=facts,
                            subjects={"owner": f"cust-{done % 500}"} if people else None,
                        )
                        done += 1
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            return entries / wall, cpu / entries

        for batch, people in ((100, False), (100, True), (1, False), (1, True)):
            rate, cpu_each = await run(batch, people)
            who = "with a commitment to a person" if people else "facts only"
            print(
                f"append, {batch} per transaction, {who}: {rate:,.0f} signed entries/s "
                f"(this process's CPU {cpu_each * 1e6:,.0f} us per entry, "
                f"load average {os.getloadavg()[0]:.1f})"
            )
        await _proof_latency(settings, engine, sessions, slug)
    finally:
        await engine.dispose()


def _figures(times: list[float], cpu: float) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"median {statistics.median(ordered) * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms, "
        f"CPU {cpu / len(times) * 1000:.3f} ms per proof"
    )


async def _proof_latency(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    slug: str,
    *,
    warm_proofs: int = 3000,
) -> None:
    """Inclusion proofs of random entries: straight from the database, from a node's cache
    when cold (a fresh node's first proof), while it fills (the head kept, the entry's line
    and nodes read once) and when warm, and over HTTP from a running app (in process)."""
    statements: list[str] = []

    def counted(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa_event.listen(engine.sync_engine, "before_cursor_execute", counted)
    async with sessions() as db:
        brand_row = await brands.get_by_slug_or_raise(db, slug=slug)
        size = (await ledger.head_state(db, brand_id=brand_row.id)).size
    load = os.getloadavg()[0]
    print(f"inclusion proofs, {size:,} entries, {engine.dialect.name}, load average {load:.1f}:")

    def some(runs: int) -> list[int]:
        return [random.randrange(size) for _ in range(runs)]

    async def timed(
        label: str, seqs: list[int], prove: Callable[[int], Awaitable[dict[str, Any]]]
    ) -> None:
        times, runs = [], len(seqs)
        statements.clear()
        cpu = time.process_time()
        for seq in seqs:
            t = time.perf_counter()
            proof = await prove(seq)
            times.append(time.perf_counter() - t)
            assert proof["seq"] == seq
        cpu = time.process_time() - cpu
        print(f"  {label}: {_figures(times, cpu)}, {len(statements):,} queries in {runs:,} proofs")

    async with sessions() as db:
        await timed(
            "from the database (ledger.inclusion_proof)",
            some(300),
            lambda seq: ledger.inclusion_proof(db, brand=slug, seq=seq),
        )

    async def cold(seq: int) -> dict[str, Any]:
        async with sessions() as fresh:
            return await ProofCache().inclusion_proof(fresh, brand=slug, seq=seq)

    await timed("cold node, its first proof (new cache, new session)", some(100), cold)
    cache = ProofCache(head_max_age_s=3600.0, max_nodes=4 * size, max_entries=2 * size)
    async with sessions() as db:
        # Every entry once, in random order: the head kept, the entry's line and the nodes
        # not yet seen read in one query.
        order = list(range(size))
        random.shuffle(order)
        await timed(
            "filling node, each entry's first proof (head kept)",
            order,
            lambda seq: cache.inclusion_proof(db, brand=slug, seq=seq),
        )
        await timed(
            "warm node (head, lines and nodes in memory)",
            some(warm_proofs),
            lambda seq: cache.inclusion_proof(db, brand=slug, seq=seq),
        )
        default = ProofCache()  # as a node runs it: the head read again every second
        for seq in range(size):
            await default.inclusion_proof(db, brand=slug, seq=seq)
        await timed(
            "warm node, default bound (head read again after 1 s), 20 x as many proofs",
            some(20 * warm_proofs),
            lambda seq: default.inclusion_proof(db, brand=slug, seq=seq),
        )
    sa_event.remove(engine.sync_engine, "before_cursor_execute", counted)

    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as http,
    ):

        async def over_http(seq: int) -> dict[str, Any]:
            got = await http.get(f"/api/ledger/brands/{slug}/proofs/{seq}")
            assert got.status_code == 200, got.text
            body: dict[str, Any] = got.json()
            return body

        for seq in range(size):
            await over_http(seq)
        # The floor of any request in this harness: the client, middleware and routing.
        times, cpu = [], time.process_time()
        for _ in range(warm_proofs):
            t = time.perf_counter()
            assert (await http.get("/healthz")).status_code == 200
            times.append(time.perf_counter() - t)
        cpu = time.process_time() - cpu
        print(
            "  for comparison, GET /healthz in the same harness: "
            + _figures(times, cpu).replace(" per proof", " per request")
        )
        await timed(
            "warm node over HTTP (GET .../proofs/{seq}, ASGI in process, client included)",
            some(warm_proofs),
            over_http,
        )


async def _node_proofs(url: str, work: Path, entries: int) -> None:
    settings = _settings(work, url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
    try:
        async with transaction(sessions) as db:
            brand, _ = await ensure_demo_brand(db)
            slug = brand.slug
        facts = {"order": "ord_123", "amount": "1200.00", "currency": "EUR"}
        done = 0
        while done < entries:
            async with transaction(sessions) as db:
                for _ in range(min(100, entries - done)):
                    await ledger.append(db, brand=slug, kind="order.paid", facts=facts)
                    done += 1
        await _proof_latency(settings, engine, sessions, slug)
    finally:
        await engine.dispose()


def node_proofs(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
        runner.upgrade(url)
        asyncio.run(_node_proofs(url, work, args.entries))


def appends(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
        runner.upgrade(url)
        asyncio.run(_appends(url, work, args.entries))


def generate(path: Path, entries: int) -> None:
    """A valid ledger file of `entries` entries (one key, no rotation), written as the
    export writes it."""
    private = Ed25519PrivateKey.generate()
    public = fmt.b64(fmt.public_raw(private))
    kid = fmt.key_id(fmt.public_raw(private))
    brand = "00000000-0000-4000-8000-000000000000"
    prev = fmt.GENESIS_PREV
    frontier: list[str | None] = []
    tmp = path.with_suffix(".tmp")
    started = time.perf_counter()
    with tmp.open("wb") as out:
        header = {
            "format": fmt.FORMAT,
            "brand": {"id": brand, "slug": "bench"},
            "keys": [{"key": kid, "public_key": public, "algorithm": "Ed25519", "from_seq": 0}],
        }
        out.write(fmt.canonical(header) + b"\n")
        at = fmt.timestamp(__import__("datetime").datetime.now(__import__("datetime").UTC))
        for seq in range(entries):
            if seq == 0:
                kind = fmt.KIND_GENESIS
                facts: dict[str, object] = {
                    "key": kid,
                    "public_key": public,
                    "algorithm": "Ed25519",
                }
                commitments: dict[str, str] = {}
            else:
                kind = "order.paid"
                facts = {"order": f"ord_{seq}", "amount": f"{seq % 5000}.00", "currency": "EUR"}
                commitments = {"owner": os.urandom(32).hex()} if seq % 2 else {}
            body = fmt.entry_body(
                brand=brand,
                seq=seq,
                prev=prev,
                kind=kind,
                at=at,
                facts=facts,
                commitments=commitments,
                key=kid,
            )
            line = fmt.sign_entry(private, body)
            prev = fmt.entry_hash(line)
            frontier, _ = merkle.push(frontier, seq, merkle.leaf_hash(line))
            out.write(line + b"\n")
        head = fmt.sign_tree_head(
            private,
            brand=brand,
            slug="bench",
            size=entries,
            root=merkle.root_of(frontier),
            at=at,
            key=kid,
        )
        out.write(fmt.canonical({"tree_head": head}) + b"\n")
    tmp.replace(path)
    print(f"generated {entries:,} entries in {time.perf_counter() - started:.0f} s: {path}")


def _time_verify(path: Path, *, full: bool) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as fh:
        report = verifier.verify_lines(fh, all_signatures=full)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert report.ok, report.fault
    mode = "every signature" if full else "--fast (tree head + genesis/rotations)"
    print(
        f"verify {report.entries:,} entries, {mode}: wall {wall:.1f} s, CPU {cpu:.1f} s "
        f"({report.signatures_checked:,} entry signatures)"
    )


def verify(args: argparse.Namespace) -> None:
    path = Path(args.file or Path(tempfile.gettempdir()) / f"vitrina-ledger-{args.entries}.jsonl")
    if not path.exists():
        generate(path, args.entries)
    print(f"file: {path.stat().st_size / 1e6:,.0f} MB")
    _time_verify(path, full=False)
    if args.full:
        _time_verify(path, full=True)


def proofs(args: argparse.Namespace) -> None:
    n = args.entries
    nodes: dict[merkle.Node, bytes] = {}
    frontier: list[str | None] = []
    for i in range(n):
        frontier, made = merkle.push(frontier, i, merkle.leaf_hash(i.to_bytes(8, "big")))
        for level, idx, h in made:
            nodes[(level, idx)] = bytes.fromhex(h)
    root = merkle.root_of(frontier)
    times = []
    for _ in range(2000):
        index = random.randrange(n)
        t = time.perf_counter()
        wanted = merkle.nodes_for_proof(index, n)
        path = merkle.inclusion_path(index, n, {k: nodes[k] for k in wanted})
        times.append(time.perf_counter() - t)
        assert merkle.root_from_path(index, n, nodes[(0, index)], path) == root
    print(
        f"inclusion proof path from stored nodes, tree of {n:,}: median "
        f"{statistics.median(times) * 1e6:.0f} us, max {max(times) * 1e6:.0f} us "
        f"({len(path)} hashes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger")
    sub = parser.add_subparsers(dest="what", required=True)
    a = sub.add_parser("appends")
    a.add_argument("--entries", type=int, default=5000)
    a.add_argument("--database-url")
    v = sub.add_parser("verify")
    v.add_argument("--entries", type=int, default=1_000_000)
    v.add_argument("--file")
    v.add_argument("--full", action="store_true")
    p = sub.add_parser("proofs")
    p.add_argument("--entries", type=int, default=1_000_000)
    n = sub.add_parser("node-proofs")
    n.add_argument("--entries", type=int, default=4000)
    n.add_argument("--database-url")
    args = parser.parse_args()
    commands = {"appends": appends, "verify": verify, "proofs": proofs, "node-proofs": node_proofs}
    commands[args.what](args)


if __name__ == "__main__":
    main()
