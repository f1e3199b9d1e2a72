"""`vitrina ledger ...`: verify a ledger file or an inclusion proof offline; rotate a key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from vitrina.ledger import verify as verifier

app = typer.Typer(no_args_is_help=True, help="The ledger: verify files and proofs offline.")
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True, highlight=False)


def _lines(fh: BinaryIO, seen: list[int]) -> Iterator[bytes]:
    for line in fh:
        seen[0] += len(line)
        yield line


def _trusted(report: verifier.Report, trust: list[str]) -> bool:
    return not trust or bool(set(report.keys[:1]) & set(trust))


@app.command("verify")
def verify_command(
    file: Annotated[
        Path, typer.Argument(help="A ledger export (JSON lines).", exists=True, dir_okay=False)
    ],
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help="Verify entry signatures only where they carry trust (genesis, rotations) or "
            "locate a fault; the signed tree head covers every other line.",
        ),
    ] = False,
    trust: Annotated[
        list[str] | None,
        typer.Option("--trust", help="The brand's first key id, as published; repeatable."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Check every hash, link, signature, key rotation and the signed tree head of a file.

    Exit code 0 when it holds; 1 with one line naming the first bad line when it does not.
    """
    size = file.stat().st_size
    seen = [0]
    with file.open("rb") as fh:
        if quiet:
            report = verifier.verify_lines(_lines(fh, seen), all_signatures=not fast)
        else:
            with Progress(
                TextColumn("verifying"),
                BarColumn(),
                DownloadColumn(),
                TextColumn("{task.fields[lines]:>10,} lines"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            ) as progress:
                task = progress.add_task("verify", total=size, lines=0)

                def tick(lines: int) -> None:
                    progress.update(task, completed=seen[0], lines=lines)

                report = verifier.verify_lines(
                    _lines(fh, seen), all_signatures=not fast, progress=tick
                )
    if report.fault is not None:
        err_console.print(f"[red]tampered:[/red] {file.name}: {report.fault}")
        raise typer.Exit(1)
    if not _trusted(report, trust or []):
        err_console.print(
            f"[red]untrusted:[/red] {file.name}: the chain's first key is {report.keys[0]}, "
            "not a trusted key"
        )
        raise typer.Exit(1)
    checked = (
        "every signature"
        if not fast
        else f"{report.signatures_checked} signatures and the tree head"
    )
    console.print(
        f"ok: {report.slug or report.brand}: {report.entries} entries, "
        f"keys {', '.join(report.keys)}, root {report.root}; {checked} verified",
        highlight=False,
    )


@app.command("verify-proof")
def verify_proof_command(
    file: Annotated[
        Path, typer.Argument(help="An inclusion proof (JSON).", exists=True, dir_okay=False)
    ],
    trust: Annotated[
        list[str] | None,
        typer.Option("--trust", help="A key id or public key the tree head must be signed by."),
    ] = None,
) -> None:
    """Check that an entry is in a brand's ledger: its signature, its audit path and the
    signed tree head the path leads to."""
    try:
        proof = json.loads(file.read_bytes())
    except (ValueError, UnicodeDecodeError):
        err_console.print(f"[red]invalid:[/red] {file.name}: not JSON")
        raise typer.Exit(1) from None
    problem = verifier.verify_proof(proof, trusted_keys=trust or [])
    if problem is not None:
        err_console.print(f"[red]invalid:[/red] {file.name}: {problem}")
        raise typer.Exit(1)
    head = proof["tree_head"]
    console.print(
        f"ok: entry {proof['seq']} is in the ledger of {head['slug']} "
        f"(size {head['size']}, root {head['root']}, signed by {head['key']})",
        highlight=False,
    )


@app.command("rotate-key")
def rotate_key_command(brand: Annotated[str, typer.Argument(help="The brand's slug.")]) -> None:
    """Write a rotation entry: the current key announces a new one and is destroyed."""
    from vitrina.core.config import get_settings
    from vitrina.core.db import create_engine, create_sessionmaker, transaction
    from vitrina.ledger import service
    from vitrina.migrations import runner
    from vitrina.privacy import keys

    settings = get_settings()
    engine = create_engine(settings.resolved_database_url)

    async def run() -> tuple[int, str]:
        try:
            await runner.ensure_migrated(engine)
            sessions = create_sessionmaker(engine, sealer=keys.sealer(settings))
            async with transaction(sessions) as db:
                ref = await service.rotate_key(db, brand=brand)
                head = await service.tree_head(db, brand=brand)
            return ref.seq, str(head["key"])
        finally:
            await engine.dispose()

    seq, key = asyncio.run(run())
    console.print(f"rotated: entry {seq} announces key {key}", highlight=False)
