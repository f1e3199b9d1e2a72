"""The storefront's reads over HTTP: a real `vitrina serve` on loopback, the demo seeded,
and N keep-alive connections asking for a brand, its catalogue and a product in turn.

    python -m bench.http_reads [--connections 200] [--seconds 10] [--workers 1]
                               [--redis-url redis://...] [--path /api/...]

Prints requests per second, p50 and p99 latency and errors. The load generator is a
plain asyncio HTTP/1.1 client (uvloop when installed) in this process, so on a small
machine it takes its share of the cores from the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BRAND = "aurora-motors"
PATHS = [
    f"/api/brands/{BRAND}/products",
    f"/api/brands/{BRAND}",
    f"/api/brands/{BRAND}/products/aurora-e1",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _one_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    port: int, paths: list[str], stop_at: float, measure_from: float, out: dict[str, list]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n".encode()
        for p in paths
    ]
    i = 0
    try:
        while (now := time.perf_counter()) < stop_at:
            try:
                status = await _one_request(reader, writer, requests[i % len(requests)])
            except (OSError, asyncio.IncompleteReadError, ValueError):
                out["errors"].append(1)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            i += 1
            if now >= measure_from:
                out["latencies"].append(time.perf_counter() - now)
                if status != 200:
                    out["errors"].append(status)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _load(port: int, paths: list[str], connections: int, seconds: float) -> None:
    warm_up = 2.0
    start = time.perf_counter()
    measure_from, stop_at = start + warm_up, start + warm_up + seconds
    out: dict[str, list] = {"latencies": [], "errors": []}
    await asyncio.gather(
        *(_connection(port, paths, stop_at, measure_from, out) for _ in range(connections))
    )
    latencies = sorted(out["latencies"])
    if not latencies:
        print("no answers")
        return
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{connections} connections, {seconds:.0f} s: {len(latencies) / seconds:,.0f} req/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {len(out['errors'])} "
        f"(of {len(latencies):,} answers)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _vitrina(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "vitrina", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis-url", default=os.environ.get("VITRINA_REDIS_URL"))
    parser.add_argument("--path", action="append", help="read only these paths")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-") as work:
        env = {
            **os.environ,
            "VITRINA_DATA_DIR": work,
            "VITRINA_ENVIRONMENT": "development",
            "VITRINA_PUBLIC_URL": "http://127.0.0.1",
        }
        env.pop("VITRINA_DATABASE_URL", None)
        if args.redis_url:
            env["VITRINA_REDIS_URL"] = args.redis_url
        _vitrina(env, "migrate")
        _vitrina(env, "demo")
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vitrina",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(work) / "server.log", "w"),  # noqa: SIM115 - closed with the dir
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        if b" 200 " in s.recv(64):
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not become ready")
                time.sleep(0.5)
            with contextlib.suppress(ImportError):
                import uvloop

                asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
            print(f"vitrina serve --workers {args.workers}; paths: {', '.join(args.path or PATHS)}")
            asyncio.run(_load(port, args.path or PATHS, args.connections, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
