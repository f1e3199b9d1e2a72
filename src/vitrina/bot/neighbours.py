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

import numpy as np
from numpy.typing import NDArray

from vitrina.bot.encoder import SentenceEncoder

K = 5


class Neighbours:
    def __init__(self, texts: list[str], labels: list[str], *, encoder: SentenceEncoder) -> None:
        self.encoder = encoder
        self.labels = np.array(labels)
        self._examples: NDArray[np.float32] = _unit(encoder.encode(texts))

    def agree(self, text: str, intent: str, *, ruled_out: frozenset[str] = frozenset()) -> bool:
        """Whether most of the K examples nearest `text` are examples of `intent`,
        among the examples of intents not `ruled_out` (ones the message cannot mean)."""
        query = _unit(self.encoder.encode([text]))[0]
        similarity = self._examples @ query
        if ruled_out:
            similarity = np.where(np.isin(self.labels, list(ruled_out)), -np.inf, similarity)
        nearest = np.argsort(-similarity)[:K]
        return int((self.labels[nearest] == intent).sum()) * 2 > K


def _unit(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.maximum(norms, 1e-9), dtype=np.float32)
