"""`vitrina privacy ...`: the retention job and the request worker, for cron or systemd timers."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from vitrina.core.config import get_settings
from vitrina.core.db import checkpoint_wal, create_engine, create_sessionmaker, transaction
from vitrina.migrations import runner
from vitrina.privacy import backfill, keys, requests, retention

app = typer.Typer(no_args_is_help=True, help="Privacy: retention, requests, encryption at rest.")
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
            async with transaction(create_sessionmaker(engine, sealer=keys.sealer(settings))) as db:
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
                sessions=create_sessionmaker(engine, sealer=keys.sealer(settings)),
                settings=settings,
            )
        finally:
            await engine.dispose()

    console.print(f"processed {asyncio.run(run())} pending requests")


@app.command("encrypt-existing")
def encrypt_existing_command(
    batch: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 2000,
) -> None:
    """Seal the personal values stored before they were encrypted per subject.

    Safe to interrupt (Ctrl-C) and to run again: each batch is committed, and a new run
    takes up the rows still in plaintext. The server may keep running meanwhile.
    """
    settings = get_settings()
    engine = create_engine(settings.resolved_database_url)

    async def run() -> dict[str, int]:
        try:
            await runner.ensure_migrated(engine)
            sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
            work = await backfill.pending(sessions)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as progress:
                tasks = {
                    w.table: progress.add_task(w.table, total=w.pending) for w in work if w.pending
                }
                return await backfill.seal_existing(
                    sessions,
                    batch=batch,
                    tables=list(tasks),
                    progress=lambda table, n: progress.advance(tasks[table], n),
                )
        finally:
            await engine.dispose()

    done = asyncio.run(run())
    for table, count in done.items():
        console.print(f"{table}: {count} rows sealed")
    console.print("every personal column is sealed")


@app.command("rotate-master-key")
def rotate_master_key_command(
    new_key: Annotated[
        bool,
        typer.Option(
            "--new-key/--rewrap-only",
            help="Generate a new master.key (the current one becomes master.key.previous), "
            "or only re-wrap under the configured key (VITRINA_MASTER_KEY, with the old one "
            "in VITRINA_PREVIOUS_MASTER_KEYS).",
        ),
    ] = True,
    batch: Annotated[int, typer.Option(min=1, help="Data keys per transaction.")] = 1000,
) -> None:
    """Re-wrap every subject's data key under a new master key; resumable."""
    settings = get_settings()
    if new_key:
        try:
            keys.rotate_key_file(settings)
        except ValueError as exc:
            console.print(f"error: {exc}; then run with --rewrap-only")
            raise typer.Exit(1) from None
        settings = get_settings()
    ring = keys.keyring(settings)
    engine = create_engine(settings.resolved_database_url)

    async def run() -> int:
        try:
            await runner.ensure_migrated(engine)
            sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
            async with sessions() as db:
                total = await keys.wrapped_by_others(db, ring)
            done = 0
            with Progress(
                TextColumn("re-wrapping data keys"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("rewrap", total=total)
                while True:
                    async with transaction(sessions) as db:
                        count = await keys.rewrap(db, ring, batch=batch)
                    if not count:
                        return done
                    done += count
                    progress.advance(task, count)
        finally:
            await engine.dispose()

    count = asyncio.run(run())
    if settings.master_key is None and not settings.master_key_command:
        keys.forget_previous_key_file(settings)
    console.print(f"{count} data keys re-wrapped under master key {ring.master_id}")
    console.print("restart running servers so that they load the new master key")


@app.command("reapply-erasures")
def reapply_erasures_command() -> None:
    """After restoring a backup: destroy again the keys of every subject erased since
    (tombstones and the erasure log). The server does this at every start as well."""
    settings = get_settings()
    engine = create_engine(settings.resolved_database_url)

    async def run() -> int:
        try:
            await runner.ensure_migrated(engine)
            sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
            async with transaction(sessions) as db:
                count = await keys.reapply_erasures(db, settings)
            await checkpoint_wal(engine)
            return count
        finally:
            await engine.dispose()

    console.print(f"{asyncio.run(run())} erased subjects' keys destroyed again")
