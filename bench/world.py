"""World server benchmark: real WebSocket clients against a world server, with figures.

Run from the repository root: `python -m bench.world --clients 500 --rooms 10 --hz 20`
(`--help` lists the options; bench/world_scenarios.sh runs the recorded scenarios).

Clients are spread over several generator processes (`bench/world_worker.py`). Each sends its
transform at `hz` with its wall-clock time in `ts`; the server relays `ts` in the
snapshot entries, so receipt time minus `ts` at the other clients is the end-to-end
latency (sender, server tick, fan-out, receiver), all on this machine's clock.

Without `url` the bench starts its own server process (uvicorn on a free loopback
port, a temporary data directory, the world's standalone ASGI app).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import psutil
import typer

_REPO = Path(__file__).resolve().parents[1]  # the workers run as `python -m bench.world_worker`

# The server's WebSocket protocol: `direct` is what `vitrina serve` uses.
WS_STACKS = {
    "direct": "vitrina.world.direct:DirectWebSocketProtocol",
    "websockets-sansio": "websockets-sansio",
    "websockets": "websockets",
    "wsproto": "wsproto",
}
SATURATED_CORES = 0.9  # a generator process busier than this distorts the figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("server did not start listening")


@contextlib.contextmanager
def own_server(
    *, capacity: int, area: float, zone: str, tick_hz: float, radius: float | None,
    port: int | None = None, stack: str = "direct",
) -> Iterator[tuple[str, int]]:  # fmt: skip
    """A world server process on a free port; yields (ws url, pid)."""
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-") as tmp:
        half = max(area / 2 + 2.0, 20.0)
        layout = {zone: {"min": [-half, 0, -half], "max": [half, 6, half], "spawn": [0, 0, 0]}}
        (Path(tmp) / "layout.json").write_text(json.dumps(layout))
        env = {
            **os.environ,
            "VITRINA_DATA_DIR": tmp,
            "VITRINA_REDIS_URL": "",
            "VITRINA_WORLD_LAYOUT_FILE": str(Path(tmp) / "layout.json"),
            "VITRINA_WORLD_ROOM_CAPACITY": str(min(500, max(50, capacity))),
            "VITRINA_WORLD_TICK_HZ": str(tick_hz),
            "VITRINA_LOG_LEVEL": "WARNING",
        }
        if radius is not None:
            env["VITRINA_WORLD_INTEREST_RADIUS_M"] = str(radius)
        port = port or _free_port()
        cmd = [
            sys.executable, "-m", "uvicorn", "--factory", "vitrina.world.standalone:app_factory",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log", "--ws-max-size", "65536", "--backlog", "4096",
            "--ws", WS_STACKS[stack], "--ws-per-message-deflate", "false",
        ]  # fmt: skip
        with (Path(tmp) / "server.log").open("wb") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        try:
            _wait_port("127.0.0.1", port, proc, 30)
            yield f"ws://127.0.0.1:{port}/ws/world", proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _percentile(hist: Counter[int], total: int, q: float) -> float | None:
    if total == 0:
        return None
    rank = math.ceil(q * total)
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= rank:
            return round(bucket / 10.0 + 0.05, 2)
    return None


def run_bench(
    *,
    clients: int,
    rooms: int,
    hz: float = 20.0,
    duration: float = 20.0,
    url: str | None = None,
    workers: int | None = None,
    warmup: float | None = None,
    area: float = 30.0,
    zone: str = "showroom",
    tick_hz: float = 20.0,
    interest_radius: float | None = None,
    observer_fraction: float = 0.25,
    server_pid: int | None = None,
    attackers: int = 0,
    port: int | None = None,
    stack: str = "direct",
) -> dict[str, Any]:
    """Run the load and return the figures (see the module docstring for the method)."""
    if clients < 1 or rooms < 1 or hz <= 0 or duration <= 0:
        raise ValueError("clients, rooms, hz and duration must be positive")
    if workers is None:
        workers = max(2, min(4, math.ceil(clients / 200)))
    workers = min(workers, clients)
    if warmup is None:
        warmup = 3.0 + area * 0.75 / 6.0  # time to run from the spawn point to a spot
    load_before = os.getloadavg()
    with contextlib.ExitStack() as exits:
        if url is None:
            url, server_pid = exits.enter_context(
                own_server(
                    capacity=math.ceil((clients + attackers) / rooms), area=area, zone=zone,
                    tick_hz=tick_hz, radius=interest_radius, port=port, stack=stack,
                )
            )  # fmt: skip
        result = _drive(
            url=url, clients=clients, rooms=rooms, hz=hz, duration=duration, workers=workers,
            warmup=warmup, area=area, zone=zone, observer_fraction=observer_fraction,
            server_pid=server_pid, tick_hz=tick_hz, attackers=attackers,
        )  # fmt: skip
    result["load_avg_before"] = [round(x, 2) for x in load_before]
    return result


def _python_worker(cfg: dict[str, Any]) -> list[str]:
    return [sys.executable, "-m", "bench.world_worker", json.dumps(cfg)]


def _drive(
    *, url: str, clients: int, rooms: int, hz: float, duration: float, workers: int,
    warmup: float, area: float, zone: str, observer_fraction: float, server_pid: int | None,
    tick_hz: float, attackers: int,
    worker_argv: Callable[[dict[str, Any]], list[str]] = _python_worker, cwd: Path = _REPO,
) -> dict[str, Any]:  # fmt: skip
    """Start `workers` generator processes (`worker_argv(config)`: the stdio protocol of
    bench/world_worker.py), measure the window, and merge their figures."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    procs: list[subprocess.Popen[str]] = []
    for w in range(workers):
        cfg = {
            "worker": w, "host": host, "port": port, "path": parts.path or "/ws/world",
            "zone": zone, "hz": hz, "area": area, "observer_fraction": observer_fraction,
            "clients": [[i, i % rooms] for i in range(w, clients, workers)],
            "attackers": [[i, i % rooms] for i in range(w, attackers, workers)],
        }  # fmt: skip
        procs.append(
            subprocess.Popen(
                worker_argv(cfg), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=cwd
            )
        )
    try:
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"generator process failed to start ({line!r})")
        server = psutil.Process(server_pid) if server_pid else None
        t0 = time.time() + warmup
        t1 = t0 + duration
        for p in procs:
            assert p.stdin is not None
            p.stdin.write(f"go {t0} {t1}\n")
            p.stdin.flush()
        time.sleep(max(0.0, t0 - time.time()))
        cpu0 = server.cpu_times() if server else None
        psutil.cpu_percent(None)
        time.sleep(max(0.0, t1 - time.time()))
        machine_cpu = psutil.cpu_percent(None)
        cpu1 = server.cpu_times() if server else None
        rss = server.memory_info().rss if server else None
        outs = []
        for p in procs:
            assert p.stdout is not None
            outs.append(json.loads(p.stdout.readline()))
    finally:
        for p in procs:
            with contextlib.suppress(Exception):
                p.wait(timeout=30)
            if p.poll() is None:
                p.kill()
    hist: Counter[int] = Counter()
    for o in outs:
        hist.update({int(k): v for k, v in o["latency_hist"].items()})
    samples = sum(hist.values())
    connected = sum(o["connected"] for o in outs)
    frames_out = sum(o["frames_out"] for o in outs)
    frames_in = sum(o["frames_in"] for o in outs)
    gen_cpu = [round(o["cpu_cores"], 3) for o in outs]
    server_cores = None
    if cpu0 is not None and cpu1 is not None:
        busy = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        server_cores = round(busy / duration, 3)
    sent_ratio = frames_out / (connected * hz * duration) if connected else 0.0
    recv_ratio = frames_in / (connected * tick_hz * duration) if connected else 0.0
    invalid = []
    if any(c > SATURATED_CORES for c in gen_cpu):
        invalid.append("a generator process was saturated")
    if sent_ratio < 0.95:
        invalid.append("the generators sent under 95% of the requested frames")
    failures = []
    if recv_ratio < 0.95:
        failures.append("clients received under 95% of the expected snapshots")
    disconnected = sum(o["disconnected"] for o in outs)
    if disconnected or connected < clients:
        failures.append("some clients failed to connect or were disconnected")
    return {
        "clients": clients,
        "rooms": rooms,
        "hz": hz,
        "tick_hz": tick_hz,
        "duration_s": duration,
        "clients_connected": connected,
        "connect_failed": sum(o["failed"] for o in outs),
        "disconnected": disconnected,
        "close_codes": sorted({c for o in outs for c in o["close_codes"]}),
        "p50_ms": _percentile(hist, samples, 0.50),
        "p95_ms": _percentile(hist, samples, 0.95),
        "p99_ms": _percentile(hist, samples, 0.99),
        "max_ms": _percentile(hist, samples, 1.0),
        "latency_samples": samples,
        "msgs_in_per_s": round(frames_out / duration, 1),
        "msgs_out_per_s": round(frames_in / duration, 1),
        "bytes_per_client_per_s": (
            round(sum(o["bytes_in"] for o in outs) / connected / duration, 1) if connected else 0
        ),
        "up_bytes_per_client_per_s": (
            round(sum(o["bytes_out"] for o in outs) / connected / duration, 1) if connected else 0
        ),
        "error_frames": sum(o["errors"] for o in outs),
        "attackers": attackers,
        "attacker_closes": sum(o["attacker_closes"] for o in outs),
        "attacker_joins": sum(o["attacker_joins"] for o in outs),
        "server_cpu_cores": server_cores,
        "server_rss_mb": round(rss / 2**20, 1) if rss else None,
        "generator_processes": len(outs),
        "generator_cpu_cores": gen_cpu,
        "machine_cpu_percent": machine_cpu,
        "frames_sent_ratio": round(sent_ratio, 4),
        "frames_received_ratio": round(recv_ratio, 4),
        "valid": not invalid,
        "invalid_reasons": invalid,
        "failures": failures,
    }


def format_report(r: dict[str, Any]) -> str:
    lines = [
        f"world bench: {r['clients']} clients, {r['rooms']} rooms, {r['hz']} Hz, "
        f"{r['duration_s']} s (tick {r['tick_hz']} Hz)",
        f"  connected        {r['clients_connected']} (failed {r['connect_failed']}, "
        f"disconnected {r['disconnected']})",
        f"  latency ms       p50 {r['p50_ms']}  p95 {r['p95_ms']}  p99 {r['p99_ms']}  "
        f"max {r['max_ms']}  ({r['latency_samples']} samples)",
        f"  messages/s       in {r['msgs_in_per_s']}  out {r['msgs_out_per_s']}",
        f"  bytes/client/s   down {r['bytes_per_client_per_s']}  up {r['up_bytes_per_client_per_s']}",
        f"  server           cpu {r['server_cpu_cores']} cores  rss {r['server_rss_mb']} MB",
        f"  generators       cpu {r['generator_cpu_cores']} cores; machine cpu "
        f"{r['machine_cpu_percent']}%; load before {r['load_avg_before']}",
        f"  frames           sent {r['frames_sent_ratio']:.1%} of requested, received "
        f"{r['frames_received_ratio']:.1%} of ticks",
        "  result           " + ("VALID" if r["valid"] else "INVALID: " + "; ".join(r["invalid_reasons"])),
    ]  # fmt: skip
    if r["attackers"]:
        lines.append(
            f"  attackers        {r['attackers']} hostile clients joined {r['attacker_joins']} "
            f"times, closed by the server {r['attacker_closes']} times (not in the figures)"
        )
    if r["failures"]:
        lines.append("  failures         " + "; ".join(r["failures"]))
    return "\n".join(lines)


app = typer.Typer(help="Load-test the world server with real WebSocket clients.")


@app.callback(invoke_without_command=True)
def world(
    clients: Annotated[int, typer.Option(help="Number of WebSocket clients.")] = 100,
    rooms: Annotated[int, typer.Option(help="Rooms the clients are spread over.")] = 2,
    hz: Annotated[float, typer.Option(help="Transforms each client sends per second.")] = 20.0,
    duration: Annotated[float, typer.Option(help="Measured seconds (after a warm-up).")] = 20.0,
    url: Annotated[
        str | None, typer.Option(help="ws://host:port/ws/world of a running server.")
    ] = None,
    server_pid: Annotated[
        int | None, typer.Option(help="PID of the --url server, for its CPU and RSS.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Generator processes.")] = None,
    area: Annotated[float, typer.Option(help="Side (m) of the square clients walk in.")] = 30.0,
    zone: Annotated[str, typer.Option(help="Zone each bench brand's room uses.")] = "showroom",
    tick_hz: Annotated[float, typer.Option(help="Server tick of the own server.")] = 20.0,
    interest_radius: Annotated[
        float | None, typer.Option(help="Interest radius (m) of the own server.")
    ] = None,
    warmup: Annotated[float | None, typer.Option(help="Seconds before measuring.")] = None,
    attackers: Annotated[
        int, typer.Option(help="Extra hostile clients (garbage, NaN, oversized, floods).")
    ] = 0,
    stack: Annotated[
        str, typer.Option(help="The own server's WebSocket protocol: " + ", ".join(WS_STACKS))
    ] = "direct",
    port: Annotated[int | None, typer.Option(help="The own server's port (default: free).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    result = run_bench(
        clients=clients, rooms=rooms, hz=hz, duration=duration, url=url, workers=workers,
        area=area, zone=zone, tick_hz=tick_hz, interest_radius=interest_radius,
        warmup=warmup, server_pid=server_pid, attackers=attackers, stack=stack,
        port=port,
    )  # fmt: skip
    typer.echo(json.dumps(result) if as_json else format_report(result))
    if not result["valid"]:
        raise typer.Exit(code=2)


if __name__ == "__main__":
    app()
