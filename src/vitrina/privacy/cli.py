"""`vitrina privacy ...`: the retention job and the request worker, for cron or systemd timers."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from vitrina.core.config import get_settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.migrations import runner
from vitrina.privacy import requests, retention

app = typer.Typer(no_args_is_help=True, help="Privacy: retention, access and erasure requests.")
console = Console()


@app.command("retention")
def retention_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the periods and cut-offs, delete nothing.")
    ] = False,
) -> None:
    """Purge data older than its retention period. Safe to run again at any time."""
    settings = get_settings()
    periods = retention.periods(settings.retention_days)
    if dry_run:
        for kind, days in sorted(periods.items()):
            console.print(f"{kind}: kept {days} days")
        return
    engine = create_engine(settings.resolved_database_url)

    async def run() -> list[retention.RetentionOutcome]:
        try:
            await runner.ensure_migrated(engine)
            async with transaction(create_sessionmaker(engine)) as db:
                return await retention.apply(db, overrides=settings.retention_days)
        finally:
            await engine.dispose()

    for o in asyncio.run(run()):
        console.print(f"{o.source} ({o.kind}, {o.days} days): removed {o.removed}")


@app.command("process")
def process_command() -> None:
    """Run every pending access or erasure request now."""
    settings = get_settings()
    engine = create_engine(settings.resolved_database_url)

    async def run() -> int:
        try:
            await runner.ensure_migrated(engine)
            return await requests.process_pending(
                sessions=create_sessionmaker(engine), settings=settings
            )
        finally:
            await engine.dispose()

    console.print(f"processed {asyncio.run(run())} pending requests")
