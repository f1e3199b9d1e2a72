"""`vitrina bot train` and `vitrina bot eval`: intent models from labelled CSV files;
`vitrina bot eval-brand`: a brand's greeter measured on customer messages."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vitrina.core.config import get_settings

if TYPE_CHECKING:
    from vitrina.bot import brand_eval
    from vitrina.bot.classifier import Progress as ProgressCallback

# The models' libraries (scikit-learn, SciPy, ONNX Runtime) are imported by the commands
# that use them: every other `vitrina` command starts without paying for them.

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
    from vitrina.bot.service import BotSettings

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
    from vitrina.bot import evaluation

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
    from vitrina.bot import evaluation

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


@app.command("eval-brand")
def eval_brand_command(
    brand: Annotated[str, typer.Option("--brand", help="The brand's slug, e.g. aurora-motors.")],
    cases: Annotated[
        Path,
        typer.Option(
            "--cases", help='JSON lines: {"text", "lang", "intent"} (`oos`: out of scope).'
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    misses: Annotated[bool, typer.Option("--misses", help="List every case missed.")] = False,
) -> None:
    """Talk to a brand's greeter as customers would, one fresh conversation per case,
    and report per language: in-scope accuracy, out of scope handled, wrong actions,
    reply language and latency."""
    from vitrina.bot import brand_eval
    from vitrina.bot.probe import peak_rss_mib
    from vitrina.bot.service import BotSettings, Runtime

    settings = BotSettings()
    runtime = Runtime.from_settings(get_settings().data_dir, settings)
    content = runtime.content(brand)
    if content is None:
        raise brand_eval.CaseError(f"no bot content for brand {brand!r}")
    if not cases.is_file():
        raise brand_eval.CaseError(f"{cases}: no such file")
    loaded = brand_eval.read_cases(cases, content)
    bar = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )

    async def run() -> dict[str, brand_eval.LanguageReport]:
        with bar:
            task = bar.add_task("training the brand model", total=len(loaded))
            started = time.perf_counter()
            brain = await runtime.brain(brand)
            process["model_ready_seconds"] = round(time.perf_counter() - started, 2)
            if brain is None:
                raise brand_eval.CaseError(f"no bot content for brand {brand!r}")
            bar.update(task, description="talking to the greeter")
            return await brand_eval.evaluate(
                brain, loaded, progress=lambda done, _: bar.update(task, completed=done)
            )

    process: dict[str, float] = {}
    reports = asyncio.run(run())
    # The peak of this process, which holds what a server holds for the brand: the
    # encoder, the brand's models and the dialogue engine.
    process["rss_mib"] = round(peak_rss_mib(), 1)
    figures = {**brand_eval.as_dict(reports, misses=misses), "process": process}
    if as_json:
        console.print_json(json.dumps(figures))
        return
    table = Table(title=f"{brand}: {cases.name}")
    columns = {
        "cases": "cases",
        "in_scope_accuracy": "in scope",
        "clarified": "asked",
        "oos_handled": "oos handled",
        "wrong_action_rate": "wrong actions",
        "reply_language": "reply language",
        "p50_ms": "p50 ms",
        "p99_ms": "p99 ms",
        "cpu_p50_ms": "cpu p50",
        "cpu_p99_ms": "cpu p99",
    }
    table.add_column("lang")
    for header in columns.values():
        table.add_column(header, justify="right")
    for lang, report in reports.items():
        row = asdict(report)
        table.add_row(lang, *(_cell(row[c]) for c in columns))
    console.print(table)
    console.print(
        f"model ready in {process['model_ready_seconds']:.1f} s (trained unless cached); "
        f"peak memory {process['rss_mib']:.0f} MiB"
    )
    if misses:
        for lang, report in reports.items():
            if lang == "all":
                continue
            for miss in report.misses:
                said = f"{miss['expected']} -> {miss['got']}"
                if miss["language"] != lang:
                    said += f", replied in {miss['language']}"
                console.print(f"  {lang}: {miss['text']!r}: {said}", highlight=False)


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:.1f}"
    return str(value)
