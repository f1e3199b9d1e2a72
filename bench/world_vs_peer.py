"""Vitrina's world server side by side with a Colyseus room server, same load, one command.

Run from the repository root: `python -m bench.world_vs_peer` (500 clients in 10 rooms,
three rounds); `--matrix 500x10,1000x20,200x1` runs several shapes (clients x rooms).

Each round runs every shape against both servers, one after the other, the order
alternating from round to round so that a change in the machine's load falls on both.
The peer is `bench/peers/colyseus/`: a pinned Colyseus 0.18 room server with the same room
shape (players' centimetre positions, 16-bit yaw and the sender's millisecond timestamp in
the room state, patches at 20 Hz) and a load generator on the official SDK; its Node
dependencies are installed with `npm ci` from the npm registry when missing.

Both servers get the same clients (the same counts per room, the same 20 Hz moves with the
sender's wall-clock `ts`, a quarter of the clients decoding what they receive and taking
receipt time minus `ts` for every other player's update, 0.1 ms histograms) and are
measured the same way: server CPU from /proc of the server process over the window, its
RSS at the end, frames delivered as the share of the expected 20 per client per second.
Generators: bench/world_worker.py (Python, Vitrina's protocol) and gen.mjs (Node, the
Colyseus SDK), each with the stdio protocol of bench/world_worker.py.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bench import world

PEER_DIR = Path(__file__).resolve().parent / "peers" / "colyseus"
PORTS = range(18200, 18300)  # the benchmark servers' ports on a shared machine
SERVERS = ("vitrina", "colyseus")


def _port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def ensure_peer() -> None:
    """Install the peer's pinned Node dependencies (npm ci) when they are missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("the Colyseus peer needs node and npm on PATH")
    stamp = PEER_DIR / "node_modules" / ".package-lock.json"
    lock = PEER_DIR / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER_DIR, check=True
    )


@contextlib.contextmanager
def colyseus_server(*, capacity: int, patch_ms: float) -> Iterator[tuple[str, int]]:
    port = _port()
    proc = subprocess.Popen(
        ["node", "server.mjs", str(port), str(capacity), str(patch_ms)],
        cwd=PEER_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        world._wait_port("127.0.0.1", port, proc, 30)  # type: ignore[arg-type]
        yield f"ws://127.0.0.1:{port}/", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _node_worker(cfg: dict[str, Any]) -> list[str]:
    return ["node", "gen.mjs", json.dumps(cfg)]


def run_one(
    server: str, *, clients: int, rooms: int, hz: float, duration: float, attackers: int = 0
) -> dict[str, Any]:
    capacity = math.ceil((clients + attackers) / rooms)
    load = os.getloadavg()
    started = datetime.now(UTC).strftime("%H:%M:%S")
    if server == "vitrina":
        result = world.run_bench(
            clients=clients, rooms=rooms, hz=hz, duration=duration, attackers=attackers,
            port=_port(),
        )  # fmt: skip
    else:
        workers = max(2, min(4, math.ceil(clients / 200)))
        with colyseus_server(capacity=capacity, patch_ms=1000.0 / hz) as (url, pid):
            result = world._drive(
                url=url, clients=clients, rooms=rooms, hz=hz, duration=duration,
                workers=workers, warmup=6.75, area=30.0, zone="showroom",
                observer_fraction=0.25, server_pid=pid, tick_hz=hz, attackers=0,
                worker_argv=_node_worker, cwd=PEER_DIR,
            )  # fmt: skip
    result["server"] = server
    result["started_utc"] = started
    result["load_avg_before"] = [round(x, 2) for x in load]
    result["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _shape(r: dict[str, Any]) -> str:
    extra = f" +{r['attackers']} hostile" if r.get("attackers") else ""
    return f"{r['clients']} in {r['rooms']} room{'s' if r['rooms'] > 1 else ''}{extra}"


def _row(r: dict[str, Any]) -> str:
    flags = []
    if not r["valid"]:
        flags.append("INVALID: " + "; ".join(r["invalid_reasons"]))
    if r["failures"]:
        flags.append("; ".join(r["failures"]))
    return (
        f"| {_shape(r)} | {r['server']} | {r['started_utc']} | {r['load_avg_before'][0]:.1f} / "
        f"{r['load_avg_after'][0]:.1f} | {r['server_cpu_cores']:.2f} | {r['p50_ms']} | "
        f"{r['p99_ms']} | {r['server_rss_mb']:.0f} | {r['frames_received_ratio']:.1%} | "
        f"{max(r['generator_cpu_cores']):.2f} | {' '.join(flags)} |"
    )


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(float(r[key]) for r in runs if r[key] is not None))


def format_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| shape | server | start UTC | load 1 min before / after | server cores | p50 ms "
        "| p99 ms | RSS MiB | frames delivered | busiest generator (cores) | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(_row(r) for r in results),
        "",
        "Ratios, Vitrina / Colyseus, medians over the rounds:",
        "",
        "| shape | rounds | server CPU | p50 | p99 | RSS | frames delivered "
        "| p99 difference ms (each round) | Vitrina CPU <= Colyseus and p99 <= +5 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    shapes: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in results:
        shapes.setdefault(_shape(r), {s: [] for s in SERVERS})[r["server"]].append(r)
    for shape, by in shapes.items():
        v, c = by["vitrina"], by["colyseus"]
        if not v or not c:
            continue

        def ratio(key: str, v: list[dict[str, Any]] = v, c: list[dict[str, Any]] = c) -> str:
            return f"{_median(v, key) / _median(c, key):.2f}"

        pairs = list(zip(v, c, strict=False))
        diffs = [round(a["p99_ms"] - b["p99_ms"], 1) for a, b in pairs]
        held = sum(
            1
            for a, b in pairs
            if a["server_cpu_cores"] <= b["server_cpu_cores"] and a["p99_ms"] <= b["p99_ms"] + 5
        )
        lines.append(
            f"| {shape} | {len(pairs)} | {ratio('server_cpu_cores')} | {ratio('p50_ms')} | "
            f"{ratio('p99_ms')} | {ratio('server_rss_mb')} | {ratio('frames_received_ratio')} | "
            f"{', '.join(f'{d:+}' for d in diffs)} | {held} of {len(pairs)} rounds |"
        )
    return "\n".join(lines)


def _parse_matrix(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        clients, _, rooms = part.strip().partition("x")
        out.append((int(clients), int(rooms or 1)))
    return out


app = typer.Typer(help="Vitrina's world server against a Colyseus room server, same load.")


@app.callback(invoke_without_command=True)
def main(
    matrix: Annotated[
        str, typer.Option(help="Shapes as CLIENTSxROOMS, comma-separated.")
    ] = "500x10",
    rounds: Annotated[int, typer.Option(help="Rounds; each runs every shape on both.")] = 3,
    duration: Annotated[float, typer.Option(help="Measured seconds per run.")] = 20.0,
    hz: Annotated[float, typer.Option(help="Moves per client per second, and ticks.")] = 20.0,
    only: Annotated[
        str | None, typer.Option(help="Run one server only: vitrina or colyseus.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Append each run's JSON to this file (JSON lines).")
    ] = None,
) -> None:
    shapes = _parse_matrix(matrix)
    servers = [only] if only else list(SERVERS)
    if "colyseus" in servers:
        ensure_peer()
    results: list[dict[str, Any]] = []
    for k in range(rounds):
        order = servers if k % 2 == 0 else servers[::-1]
        for clients, rooms in shapes:
            for server in order:
                typer.echo(
                    f"round {k + 1}/{rounds}: {server}, {clients} clients in {rooms} rooms "
                    f"(load {os.getloadavg()[0]:.1f})",
                    err=True,
                )
                r = run_one(server, clients=clients, rooms=rooms, hz=hz, duration=duration)
                r["round"] = k + 1
                results.append(r)
                if out is not None:
                    with out.open("a") as f:
                        f.write(json.dumps(r) + "\n")
                time.sleep(2.0)  # let the sockets of the last run close
    typer.echo(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    typer.echo(format_table(results))


if __name__ == "__main__":
    app()
