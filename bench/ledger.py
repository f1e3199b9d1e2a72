"""Ledger benchmarks: signed appends, offline verification of a million entries, proofs.

    python -m bench.ledger appends [--entries 5000] [--database-url URL]
    python -m bench.ledger verify [--entries 1000000] [--file PATH] [--full]
    python -m bench.ledger proofs [--entries 1000000]

`appends` appends signed entries through `ledger.append` on a fresh migrated SQLite
database (or the given PostgreSQL URL): in transactions of 100 and of one entry each,
with and without a person's commitment. `verify` generates a ledger file of that many
entries once (kept at --file, default /tmp/vitrina-ledger-<n>.jsonl) and times
`vitrina ledger verify --fast` on it, and with `--full` every signature as well, on one
core. `proofs` times inclusion proofs: the path computed from stored nodes in a tree of
that size, and `ledger.inclusion_proof` against the database (read + sign the tree head).
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
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vitrina.brands import service as brands
from vitrina.brands.demo import ensure_demo_brand
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.ledger import canonical as fmt
from vitrina.ledger import merkle
from vitrina.ledger import service as ledger
from vitrina.ledger import verify as verifier
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
        async with sessions() as db:
            brand_row = await brands.get_by_slug_or_raise(db, slug=slug)
            state = await ledger.head_state(db, brand_id=brand_row.id)
            times = []
            for _ in range(300):
                seq = random.randrange(state.size)
                t = time.perf_counter()
                await ledger.inclusion_proof(db, brand=slug, seq=seq)
                times.append(time.perf_counter() - t)
        print(
            f"ledger.inclusion_proof on the database ({state.size:,} entries, read nodes + sign "
            f"the tree head): median {statistics.median(times) * 1000:.2f} ms, "
            f"p95 {sorted(times)[int(len(times) * 0.95)] * 1000:.2f} ms"
        )
    finally:
        await engine.dispose()


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
    args = parser.parse_args()
    {"appends": appends, "verify": verify, "proofs": proofs}[args.what](args)


if __name__ == "__main__":
    main()
