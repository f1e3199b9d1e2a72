"""A second opinion before a task starts: the brand's example phrases nearest a message.

The intent model can be confidently wrong on a phrasing unlike its examples ("how long
will I get to drive?" read as a booking). Before the bot starts a task, the examples
nearest the message in sentence-feature space must mostly belong to that task's intent:
two signals of different kinds agreeing, as for articles (the classifier and retrieval).
Sentence features group messages by topic more than by verb ("book a test drive" sits
among moving and cancelling ones), so a classifier that is all but certain
(`thresholds.sure`) needs no second opinion. Measured on the demo brand's second
held-out split (docs/benchmarks.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vitrina.bot.encoder import SentenceEncoder

K = 5


class Neighbours:
    def __init__(
        self,
        texts: list[str],
        labels: list[str],
        *,
        encoder: SentenceEncoder,
        cache: Path | None = None,
    ) -> None:
        """`cache`: where the examples' features are kept between starts (a file named for
        the brand content's hash); encoding every example again costs seconds a start."""
        self.encoder = encoder
        self.labels = np.array(labels)
        examples = _load(cache, len(texts)) if cache is not None else None
        if examples is None:
            examples = _unit(encoder.encode(texts))
            if cache is not None:
                _save(cache, examples)
        self._examples: NDArray[np.float32] = examples

    def agree(self, text: str, intent: str, *, ruled_out: frozenset[str] = frozenset()) -> bool:
        """Whether most of the K examples nearest `text` are examples of `intent`,
        among the examples of intents not `ruled_out` (ones the message cannot mean)."""
        query = _unit(self.encoder.encode([text]))[0]
        similarity = self._examples @ query
        if ruled_out:
            similarity = np.where(np.isin(self.labels, list(ruled_out)), -np.inf, similarity)
        nearest = np.argsort(-similarity)[:K]
        return int((self.labels[nearest] == intent).sum()) * 2 > K


def _load(path: Path, rows: int) -> NDArray[np.float32] | None:
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape[0] != rows:
        return None
    return np.asarray(matrix, dtype=np.float32)


def _save(path: Path, matrix: NDArray[np.float32]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a reader never meets half a file.
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as out:
        np.save(out, matrix, allow_pickle=False)
    partial.replace(path)


def _unit(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.maximum(norms, 1e-9), dtype=np.float32)
