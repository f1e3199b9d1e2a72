"""Typer command for `vitrina bench world` (mounted by the CLI's bench group)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from vitrina.world.bench import format_report, run_bench

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
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    result = run_bench(
        clients=clients, rooms=rooms, hz=hz, duration=duration, url=url, workers=workers,
        area=area, zone=zone, tick_hz=tick_hz, interest_radius=interest_radius,
        warmup=warmup, server_pid=server_pid, attackers=attackers,
    )  # fmt: skip
    typer.echo(json.dumps(result) if as_json else format_report(result))
    if not result["valid"]:
        raise typer.Exit(code=2)
