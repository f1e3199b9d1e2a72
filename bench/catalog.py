"""Catalog benchmarks: configurator pricing + rules, and serving a 5 MiB twin over HTTP.

    .venv/bin/python -m bench.catalog            # both
    .venv/bin/python -m bench.catalog rules      # 40 options, 100 rules: p50/p99 per quote
    .venv/bin/python -m bench.catalog serve      # real uvicorn on loopback, GET/Range/ETag

Targets (issue 9): rules + pricing p99 <= 2 ms; serving >= 200 MiB/s.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from vitrina.catalog import assets, service
from vitrina.catalog.glb import inspect_glb
from vitrina.catalog.gltf_writer import GlbWriter, Material, sphere
from vitrina.catalog.models import Product
from vitrina.catalog.rules import Configurator
from vitrina.catalog.schemas import ProductUpsert

GROUPS, PER_GROUP, RULES = 8, 5, 100


def big_product(seed: int = 7) -> ProductUpsert:
    """40 options in 8 groups and 100 rules over them, priced in EUR."""
    rng = random.Random(seed)
    option_ids = [f"g{g}-o{o}" for g in range(GROUPS) for o in range(PER_GROUP)]
    groups = [
        {
            "id": f"g{g}",
            "name": {"en": f"Group {g}"},
            "min_choices": 1 if g < 4 else 0,
            "max_choices": 1 if g < 4 else PER_GROUP,
            "options": [
                {
                    "id": f"g{g}-o{o}",
                    "name": {"en": f"Option {g}.{o}"},
                    "price_delta": f"{rng.randint(0, 400000) / 100:.2f}",
                }
                for o in range(PER_GROUP)
            ],
        }
        for g in range(GROUPS)
    ]
    # Like a real configurator: extras (groups 4-7) require or need other options, and
    # options of any group may exclude each other.
    extras = option_ids[4 * PER_GROUP :]
    rules = []
    for r in range(RULES):
        kind = ("requires", "excludes", "only_with")[r % 3]
        option = rng.choice(option_ids if kind == "excludes" else extras)
        others = [o for o in option_ids if o != option]
        targets = rng.sample(others, 1 if kind == "requires" else rng.randint(1, 3))
        rules.append({"id": f"r{r}", "kind": kind, "option": option, "targets": targets})
    return ProductUpsert.model_validate(
        {
            "slug": "bench",
            "name": {"en": "Bench"},
            "description": {"en": "Bench"},
            "base_price": "45000.00",
            "option_groups": groups,
            "rules": rules,
        }
    )


def _stored_product(data: ProductUpsert) -> Product:
    fields = service.stored_fields(data)
    return Product(id="bench", brand_id="bench", slug=data.slug, **fields)


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": statistics.median(samples) * 1e3,
        "p99_ms": samples[int(len(samples) * 0.99) - 1] * 1e3,
        "max_ms": samples[-1] * 1e3,
    }


def bench_rules(iterations: int = 20_000) -> None:
    data = big_product()
    product = _stored_product(data)
    rng = random.Random(1)
    option_ids = [o.id for g in data.option_groups for o in g.options]
    compiled: Configurator = service.configurator_of(product)

    def draw() -> list[str]:
        # One choice in each single-choice group and a few extras: what customers send.
        return [f"g{g}-o{rng.randrange(PER_GROUP)}" for g in range(4)] + rng.sample(
            option_ids[4 * PER_GROUP :], rng.randint(0, 6)
        )

    # Half accepted configurations (found by sampling), half refused ones with violations.
    selections: list[list[str]] = []
    for _ in range(100_000):
        candidate = draw()
        if compiled.evaluate(candidate).valid:
            selections.append(candidate)
            if len(selections) == 250:
                break
    selections += [draw() for _ in range(500 - len(selections))]

    warm = [compiled.evaluate(s) for s in selections]
    valid = sum(1 for e in warm if e.valid)
    engine: list[float] = []
    engine_cpu: list[float] = []
    per_request: list[float] = []
    per_request_cpu: list[float] = []
    for i in range(iterations):
        selection = selections[i % len(selections)]
        t0, c0 = time.perf_counter(), time.thread_time()
        evaluation = compiled.evaluate(selection)
        service.breakdown_of(evaluation)
        service.violations_of(evaluation, locale="fr")
        engine.append(time.perf_counter() - t0)
        engine_cpu.append(time.thread_time() - c0)
    for i in range(iterations // 4):
        selection = selections[i % len(selections)]
        t0, c0 = time.perf_counter(), time.thread_time()
        # What POST .../quote does per request: compile the stored configurator, then evaluate.
        evaluation = service.quote(product, option_ids=selection)
        service.breakdown_of(evaluation)
        service.violations_of(evaluation, locale="fr")
        per_request.append(time.perf_counter() - t0)
        per_request_cpu.append(time.thread_time() - c0)
    print(
        f"rules: {GROUPS * PER_GROUP} options, {RULES} rules, {len(selections)} selections ({valid} valid)"
    )
    # Wall time includes preemption by other processes on a shared machine; CPU time does not.
    for name, samples in (
        ("evaluate+price, wall", engine),
        ("evaluate+price, CPU", engine_cpu),
        ("compile+evaluate+price, wall", per_request),
        ("compile+evaluate+price, CPU", per_request_cpu),
    ):
        stats = _percentiles(samples)
        print(
            f"  {name:30s} n={len(samples):6d}  p50={stats['p50_ms']:.3f} ms  p99={stats['p99_ms']:.3f} ms  max={stats['max_ms']:.3f} ms"
        )


def five_mib_glb() -> bytes:
    writer = GlbWriter("Vitrina benchmark sphere")
    mesh = writer.mesh(
        "sphere", [(sphere(1.0, rings=330, sectors=330), Material("paint", (0.8, 0.1, 0.1, 1.0)))]
    )
    writer.node("sphere", mesh=mesh, root=True)
    return writer.to_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Connection:
    """A keep-alive HTTP/1.1 client that reads bodies into one reused buffer.

    The load generator shares the machine's two cores with the server, so it must cost
    as little as possible: no per-response bytes objects, unless the body is kept.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray(1024 * 1024)
        self.view = memoryview(self.buffer)
        self.pending = b""

    @classmethod
    async def open(cls, port: int) -> _Connection:
        sock = socket.socket()
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        return cls(sock)

    async def get(
        self, path: str, headers: dict[str, str], *, keep: bool = False
    ) -> tuple[int, dict[str, str], int, bytes]:
        lines = [
            f"GET {path} HTTP/1.1",
            "Host: 127.0.0.1",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        await self.loop.sock_sendall(self.sock, ("\r\n".join(lines) + "\r\n\r\n").encode())
        data = self.pending
        while b"\r\n\r\n" not in data:
            n = await self.loop.sock_recv_into(self.sock, self.buffer)
            if not n:
                raise ConnectionError("the server closed the connection")
            data += self.view[:n]
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parsed = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        length = int(parsed.get("content-length", "0"))
        body = bytearray(rest[:length]) if keep else bytearray()
        received = min(len(rest), length)
        self.pending = rest[length:]
        while received < length:
            n = await self.loop.sock_recv_into(
                self.sock, self.view[: min(len(self.buffer), length - received)]
            )
            if not n:
                raise ConnectionError("the server closed the connection")
            if keep:
                body += self.view[:n]
            received += n
        return int(status_line.split()[1]), parsed, received, bytes(body)

    def close(self) -> None:
        self.sock.close()


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(f"unexpected response: {what}")


async def _client(
    port: int, path: str, size: int, etag: str, until: float, totals: dict[str, int]
) -> None:
    conn = await _Connection.open(port)
    rng = random.Random()
    chunk = 1024 * 1024
    try:
        while time.perf_counter() < until:
            kind = rng.random()
            if kind < 0.5:
                status, headers, length, _ = await conn.get(path, {})
                _expect(status == 200 and headers["etag"] == etag and length == size, "full body")
                totals["full"] += 1
            elif kind < 0.95:
                start = rng.randrange(0, size - chunk)
                byte_range = f"bytes={start}-{start + chunk - 1}"
                status, headers, length, _ = await conn.get(
                    path, {"Range": byte_range, "If-Range": etag}
                )
                _expect(status == 206 and length == chunk, "range")
                totals["range"] += 1
            else:
                status, headers, length, _ = await conn.get(path, {"If-None-Match": etag})
                _expect(status == 304 and length == 0, "not modified")
                totals["not_modified"] += 1
            totals["bytes"] += length
    finally:
        conn.close()


def bench_serve(seconds: float = 10.0, connections: int = 4) -> None:
    data = five_mib_glb()
    summary = inspect_glb(data)
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-") as tmp:
        data_dir = Path(tmp)
        sha = assets.asset_store(data_dir).put(data)
        url = f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
        from vitrina.migrations import runner

        runner.upgrade(url)
        port = _free_port()
        env = {
            **os.environ,
            "VITRINA_DATA_DIR": str(data_dir),
            "VITRINA_DATABASE_URL": url,
            "VITRINA_SECRET_KEY": "bench-secret-key-0123456789-0123456789",
            "VITRINA_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "vitrina.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            _wait_for(port)
            path = f"/api/assets/{sha}.glb"
            etag = f'"{sha}"'

            async def run() -> dict[str, Any]:
                # One checked download first: the bytes served are the bytes stored.
                conn = await _Connection.open(port)
                status, headers, _, body = await conn.get(path, {}, keep=True)
                conn.close()
                _expect(status == 200 and hashlib.sha256(body).hexdigest() == sha, "checked body")
                _expect(headers["content-type"] == "model/gltf-binary", "content type")
                _expect("immutable" in headers["cache-control"], "cache-control")
                totals = {"full": 0, "range": 0, "not_modified": 0, "bytes": 0}
                until = time.perf_counter() + seconds
                t0 = time.perf_counter()
                await asyncio.gather(
                    *(
                        _client(port, path, len(data), etag, until, totals)
                        for _ in range(connections)
                    )
                )
                return totals | {"elapsed": time.perf_counter() - t0}

            totals = asyncio.run(run())
        finally:
            server.terminate()
            server.wait(timeout=10)
    mib = totals["bytes"] / (1024 * 1024)
    print(
        f"serve: {len(data) / 2**20:.2f} MiB .glb ({summary.triangles} triangles), {connections} keep-alive connections, {seconds:.0f} s"
    )
    print(
        f"  requests: {totals['full']} full (200), {totals['range']} 1 MiB ranges (206), {totals['not_modified']} If-None-Match (304)"
    )
    print(f"  body throughput: {mib / totals['elapsed']:.0f} MiB/s")


def _wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def main(argv: list[str]) -> None:
    which = argv[1:] or ["rules", "serve"]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    if "rules" in which:
        bench_rules()
    if "serve" in which:
        bench_serve()


if __name__ == "__main__":
    main(sys.argv)
