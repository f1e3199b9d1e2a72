"""`vitrina bot train` and `vitrina bot eval`: intent models from labelled CSV files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vitrina.bot import evaluation
from vitrina.bot.classifier import Progress as ProgressCallback
from vitrina.bot.service import BotSettings
from vitrina.core.config import get_settings

app = typer.Typer(no_args_is_help=True, help="The virtual agent: train and evaluate intent models.")
console = Console()
err_console = Console(stderr=True)

DataOption = Annotated[
    Path,
    typer.Option(
        "--data", help="Training CSV: `text` and `category` (or `intent`) columns.", exists=True
    ),
]
EmbeddingsOption = Annotated[
    bool,
    typer.Option(
        "--embeddings/--no-embeddings",
        help="Add sentence-embedding features (default) or use TF-IDF only.",
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Language of the data (en, fr, it); recorded with the model."),
]


def _cache_dir() -> Path:
    return BotSettings().cache_dir or get_settings().data_dir / "bot"


def _progress() -> tuple[Progress, ProgressCallback]:
    bar = Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("starting", total=1.0)

    def report(step: str, share: float) -> None:
        bar.update(task, description=step, completed=share)

    return bar, report


@app.command("train")
def train_command(
    data: DataOption,
    model: Annotated[
        Path | None, typer.Option(help="Where to write the model (default: data dir).")
    ] = None,
    embeddings: EmbeddingsOption = True,
    oos_label: Annotated[
        str | None, typer.Option("--oos-label", help="The label of out-of-scope examples.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Train an intent model on a CSV file and save it."""
    texts, labels = evaluation.read_training_csv(data)
    target = model or _cache_dir() / "models" / f"{data.stem}.joblib"
    bar, report = _progress()
    with bar:
        classifier, seconds = evaluation.train(
            texts,
            labels,
            cache_dir=_cache_dir(),
            embeddings=embeddings,
            oos_label=oos_label,
            progress=report,
        )
        classifier.save(target)
    console.print(
        f"trained on {len(texts)} examples, {len(classifier.labels)} intents"
        f"{f' ({lang})' if lang else ''} in {seconds:.1f} s; model: {target}"
    )


@app.command("eval")
def eval_command(
    data: DataOption,
    test: Annotated[Path, typer.Option("--test", help="Test CSV, same columns.", exists=True)],
    oos_label: Annotated[
        str | None, typer.Option("--oos-label", help="The label of out-of-scope examples.")
    ] = None,
    embeddings: EmbeddingsOption = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    lang: LangOption = None,
) -> None:
    """Train on --data, measure on --test: accuracy, macro-F1, out-of-scope recall and
    precision, calibration, training time, single-utterance latency and memory."""
    bar, report = _progress()
    with bar:
        result = evaluation.run(
            data,
            test,
            cache_dir=_cache_dir(),
            model_path=_cache_dir() / "models" / f"eval-{data.stem}.joblib",
            embeddings=embeddings,
            oos_label=oos_label,
            progress=report,
        )
    figures = result.as_dict()
    if lang:
        figures["lang"] = lang
    if as_json:
        console.print_json(json.dumps(figures))
        return
    table = Table(title=f"{data.name} -> {test.name}", show_header=False)
    for key in (
        "accuracy",
        "in_scope_accuracy",
        "macro_f1",
        "oos_recall",
        "oos_precision",
        "expected_calibration_error",
        "train_seconds",
        "p50_ms",
        "p99_ms",
        "cpu_p50_ms",
        "cpu_p99_ms",
        "rss_mib",
    ):
        value = figures[key]
        shown = "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else value
        table.add_row(key, str(shown))
    console.print(table)
    if result.confusions:
        console.print("most frequent confusions (expected -> predicted):")
        for c in result.confusions:
            console.print(f"  {c['count']:>3}  {c['expected']} -> {c['predicted']}")
