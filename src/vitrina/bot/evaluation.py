"""Train and measure an intent classifier on labelled CSV files (`vitrina bot eval`).

Latency and memory are measured in a fresh process (`vitrina.bot.probe`) that loads the
saved model the way the server does, so training leftovers do not burden the figures.
"""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from vitrina.bot.classifier import IntentClassifier, Progress
from vitrina.bot.encoder import Encoder

LABEL_COLUMNS = ("category", "intent", "label")


class DataError(ValueError):
    """A CSV file the evaluator cannot read; the message names the file and the problem."""


def read_csv(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        label = next((c for c in LABEL_COLUMNS if c in columns), None)
        if "text" not in columns or label is None:
            raise DataError(f"{path}: needs a `text` column and a `category` or `intent` column")
        texts, labels = [], []
        for row in reader:
            if row["text"] and row[label]:
                texts.append(row["text"].strip())
                labels.append(row[label].strip())
    if not texts:
        raise DataError(f"{path}: no labelled rows")
    return texts, labels


def read_training_csv(path: Path) -> tuple[list[str], list[str]]:
    """Like `read_csv`, for data a model learns from: it must tell two intents apart."""
    texts, labels = read_csv(path)
    if len(set(labels)) < 2:
        raise DataError(
            f"{path}: needs examples of at least two intents; every row is {labels[0]!r}"
        )
    return texts, labels


@dataclass(frozen=True)
class Serving:
    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float
    cpu_p99_ms: float
    rss_mib: float


@dataclass
class Report:
    train_examples: int
    test_examples: int
    intents: int
    embeddings: bool
    accuracy: float
    in_scope_accuracy: float
    macro_f1: float
    oos_recall: float | None
    oos_precision: float | None
    expected_calibration_error: float
    train_seconds: float
    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float
    cpu_p99_ms: float
    rss_mib: float
    confusions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error: the gap between stated confidence and accuracy."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(total)


def train(
    texts: list[str],
    labels: list[str],
    *,
    cache_dir: Path,
    embeddings: bool = True,
    oos_label: str | None = None,
    progress: Progress | None = None,
) -> tuple[IntentClassifier, float]:
    report = progress or (lambda _s, _p: None)
    started = time.perf_counter()
    encoder = None
    if embeddings:
        report("preparing the sentence encoder", 0.0)
        encoder = Encoder.from_cache(cache_dir, threads=2)
    model = IntentClassifier(encoder=encoder)
    model.fit(texts, labels, progress=progress, oos_label=oos_label)
    return model, time.perf_counter() - started


def measure_serving(
    model: IntentClassifier, *, model_path: Path, cache_dir: Path, texts: list[str]
) -> Serving:
    """Single-utterance latency (wall and CPU, ms) and peak RSS (MiB) of a serving process."""
    model.save(model_path)
    with tempfile.TemporaryDirectory() as scratch:
        texts_path = Path(scratch) / "texts.json"
        texts_path.write_text(json.dumps(texts), encoding="utf-8")
        probe_cache = str(cache_dir) if model.encoder is not None else ""
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "vitrina.bot.probe",
                str(model_path),
                probe_cache,
                str(texts_path),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise DataError(f"the serving probe failed: {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout)
    wall, cpu = np.array(result["timings_ms"]), np.array(result["cpu_ms"])
    return Serving(
        p50_ms=round(float(np.percentile(wall, 50)), 3),
        p99_ms=round(float(np.percentile(wall, 99)), 3),
        cpu_p50_ms=round(float(np.percentile(cpu, 50)), 3),
        cpu_p99_ms=round(float(np.percentile(cpu, 99)), 3),
        rss_mib=round(float(result["rss_mib"]), 1),
    )


def evaluate(
    model: IntentClassifier,
    texts: list[str],
    labels: list[str],
    *,
    oos_label: str | None = None,
) -> dict[str, Any]:
    proba = model.predict_proba(texts)
    best = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    predicted = [model.labels[i] for i in best]
    if oos_label is not None:
        predicted = [
            oos_label if c < model.oos_threshold else p
            for p, c in zip(predicted, confidence, strict=True)
        ]
    truth = np.array(labels)
    guess = np.array(predicted)
    correct = guess == truth
    in_scope = truth != oos_label if oos_label is not None else np.ones(len(truth), dtype=bool)
    metrics: dict[str, Any] = {
        "accuracy": float(correct.mean()),
        "in_scope_accuracy": float(correct[in_scope].mean()) if in_scope.any() else 0.0,
        "macro_f1": float(f1_score(truth, guess, average="macro", zero_division=0)),
        "oos_recall": None,
        "oos_precision": None,
        "expected_calibration_error": calibration_error(confidence, correct),
    }
    if oos_label is not None and (~in_scope).any():
        said_oos = guess == oos_label
        metrics["oos_recall"] = float(said_oos[~in_scope].mean())
        metrics["oos_precision"] = float((~in_scope)[said_oos].mean()) if said_oos.any() else 0.0
    pairs = Counter((t, g) for t, g in zip(labels, predicted, strict=True) if t != g)
    metrics["confusions"] = [
        {"expected": t, "predicted": g, "count": n} for (t, g), n in pairs.most_common(5)
    ]
    return metrics


def run(
    train_path: Path,
    test_path: Path,
    *,
    cache_dir: Path,
    model_path: Path,
    embeddings: bool = True,
    oos_label: str | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Report:
    report = progress or (lambda _s, _p: None)
    texts, labels = read_training_csv(train_path)
    test_texts, test_labels = read_csv(test_path)

    def training_progress(step: str, share: float) -> None:
        report(step, 0.8 * share)

    model, seconds = train(
        texts,
        labels,
        cache_dir=cache_dir,
        embeddings=embeddings,
        oos_label=oos_label,
        progress=training_progress,
    )
    report("measuring accuracy on the test set", 0.8)
    metrics = evaluate(model, test_texts, test_labels, oos_label=oos_label)
    report("measuring single-utterance latency", 0.9)
    serving = measure_serving(
        model, model_path=model_path, cache_dir=cache_dir, texts=test_texts[:1000]
    )
    report("done", 1.0)
    return Report(
        train_examples=len(texts),
        test_examples=len(test_texts),
        intents=len(set(labels)),
        embeddings=embeddings,
        train_seconds=round(seconds, 2),
        **asdict(serving),
        **metrics,
    )
