"""How the sentence encoder's int8 schemes compare with its fp32 export on BANKING77.

    .venv/bin/python -m bench.bot_quantisation [--data DIR] [--folds 5] [--sentences 400]

For fp32 and each int8 scheme of `vitrina.bot.encoder`: the mean cosine of each pooled
layer to fp32 over the training utterances, the encoder's latency on one thread over
test utterances one at a time (p50 / p99), and the accuracy of the shipped feature
layout (TF-IDF beside the weighted sentence features, linear SVM) in stratified k-fold
cross-validation on train.csv. The test labels are not used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from vitrina.bot.classifier import IntentClassifier, side_by_side, text_vectorizer
from vitrina.bot.encoder import LAYERS, Encoder, Scheme, export_fp32, quantise

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"


def _read(path: Path) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r.get("category") or r["intent"] for r in rows]


def _latency(encoder: Encoder, texts: list[str]) -> tuple[float, float]:
    for text in texts[:20]:
        encoder.encode([text])
    times = []
    for text in texts:
        start = time.perf_counter()
        encoder.encode([text])
        times.append((time.perf_counter() - start) * 1000)
    p50, p99 = np.percentile(times, [50, 99])
    return round(float(p50), 2), round(float(p99), 2)


def _cross_validated(
    texts: list[str], labels: list[str], features: np.ndarray, folds: int
) -> list[float]:
    shipped = IntentClassifier(encoder=None)
    x_text = np.array(texts, dtype=object)
    y = np.array(labels)
    scores = []
    for train, held in StratifiedKFold(folds, shuffle=True, random_state=0).split(x_text, y):
        vectorizer = text_vectorizer()
        weight = shipped.embedding_weight
        fit_x = side_by_side(vectorizer.fit_transform(x_text[train]), features[train], weight)
        held_x = side_by_side(vectorizer.transform(x_text[held]), features[held], weight)
        model = LinearSVC(C=shipped.c, random_state=0).fit(fit_x, y[train])
        scores.append(round(float((model.predict(held_x) == y[held]).mean()) * 100, 2))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the CSVs")
    parser.add_argument("--folds", type=int, default=5, help="0 skips cross-validation")
    parser.add_argument("--sentences", type=int, default=400, help="test utterances timed")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    train_texts, train_labels = _read(args.data / "train.csv")
    test_texts, _ = _read(args.data / "test.csv")
    timed = test_texts[: args.sentences]
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        plain = export_fp32(Path(scratch) / "fp32.onnx")
        variants: list[tuple[str, Path]] = [("fp32", plain)]
        for scheme in get_args(Scheme):
            variants.append((scheme, quantise(plain, Path(scratch) / f"{scheme}.onnx", scheme)))
        reference = None
        for name, path in variants:
            print(f"measuring {name}", file=sys.stderr)
            encoder = Encoder(path)
            features = encoder.encode(train_texts)
            per_layer = features.reshape(len(train_texts), len(LAYERS), -1)
            if reference is None:
                reference = per_layer
            cosines = (per_layer * reference).sum(-1).mean(0)
            p50, p99 = _latency(encoder, timed)
            row: dict[str, object] = {
                "encoder": name,
                "size_mb": round(path.stat().st_size / 1e6, 1),
                "cosine_to_fp32": [round(float(c), 4) for c in cosines],
                "p50_ms": p50,
                "p99_ms": p99,
            }
            if args.folds:
                folds = _cross_validated(train_texts, train_labels, features, args.folds)
                row.update(cv_folds=folds, cv_accuracy=round(float(np.mean(folds)), 2))
            results.append(row)
            print(json.dumps(row), file=sys.stderr)
    print(
        json.dumps(
            {
                "results": results,
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "cores": os.cpu_count(),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
