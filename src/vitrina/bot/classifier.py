"""Intent classification: TF-IDF word and character n-grams beside sentence features,
one linear model over both, softmax confidences calibrated by temperature.

Why this shape (measured on a split of BANKING77 train, see docs/bot.md): TF-IDF alone
reaches about 90%, the frozen sentence features alone about 92%, both in one linear
model about 93-94%; a linear model trains in well under a minute and answers in
microseconds, so the encoder's ~3 ms dominates the per-utterance cost.

Confidence: the model's decision scores go through a softmax whose temperature is fitted
on a held-out part of the training data (minimum log-loss), so that "0.8" means right
about 8 times in 10. Out of scope: below a confidence threshold the prediction is `None`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from vitrina.bot.encoder import SentenceEncoder

Progress = Callable[[str, float], None]
FORMAT_VERSION = 2
# Below this many training texts every character n-gram is kept (see `_fit`).
SMALL_DATA = 200


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]]


def text_vectorizer() -> FeatureUnion:
    """The TF-IDF half of the features: word 1-2-grams and character 2-5-grams."""
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )


def side_by_side(
    words: sp.spmatrix, sentences: NDArray[np.float32], weight: float
) -> sp.csr_matrix:
    """One row per text: its TF-IDF features, then its sentence features times `weight`."""
    return sp.hstack([words, sp.csr_matrix(sentences * weight)]).tocsr()


def _softmax(scores: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    z = scores / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fit_temperature(scores: NDArray[np.float64], truth: NDArray[np.int64]) -> float:
    """The temperature minimising the log-loss of held-out predictions (a 1-D search)."""
    best_t, best_loss = 1.0, float("inf")
    for t in np.geomspace(0.01, 10.0, 120):
        p = _softmax(scores, float(t))
        loss = float(-np.mean(np.log(p[np.arange(len(truth)), truth] + 1e-12)))
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return best_t


def _best_threshold(
    proba: NDArray[np.float64], labels: list[str], truth: Sequence[str], oos_label: str
) -> float:
    best = np.array([labels[i] for i in proba.argmax(axis=1)])
    confidence = proba.max(axis=1)
    expected = np.array(truth)
    choice, choice_acc = 0.0, -1.0
    for threshold in np.linspace(0.0, 0.9, 91):
        said = np.where(confidence < threshold, oos_label, best)
        acc = float((said == expected).mean())
        if acc > choice_acc:
            choice, choice_acc = float(threshold), acc
    return choice


class IntentClassifier:
    def __init__(
        self,
        *,
        encoder: SentenceEncoder | None,
        embedding_weight: float = 2.0,
        c: float = 0.5,
        oos_threshold: float = 0.0,
    ) -> None:
        self.encoder = encoder
        self.embedding_weight = embedding_weight
        self.c = c
        self.oos_threshold = oos_threshold
        self.temperature = 1.0
        self.labels: list[str] = []
        self._vectorizer = text_vectorizer()
        self._model = LinearSVC(C=c, random_state=0)

    def _features(self, texts: Sequence[str], *, fit: bool = False) -> sp.csr_matrix:
        words = self._vectorizer.fit_transform(texts) if fit else self._vectorizer.transform(texts)
        if self.encoder is None:
            return sp.csr_matrix(words)
        return side_by_side(words, self.encoder.encode(list(texts)), self.embedding_weight)

    def _fit(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        self.labels = sorted(set(labels))
        # Dropping character n-grams seen once helps on thousands of examples; on a handful
        # it can leave no n-gram at all.
        self._vectorizer.set_params(chars__min_df=2 if len(texts) >= SMALL_DATA else 1)
        self._model = LinearSVC(C=self.c, random_state=0)
        self._model.fit(self._features(texts, fit=True), list(labels))

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        raw = np.asarray(self._model.decision_function(self._features(texts)), dtype=np.float64)
        if raw.ndim == 1:  # two classes: one score column
            raw = np.stack([-raw, raw], axis=1)
        return raw

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        progress: Progress | None = None,
        calibration_share: float = 0.1,
        seed: int = 0,
        oos_label: str | None = None,
    ) -> IntentClassifier:
        """Fit on a part, calibrate on the rest, then refit on everything.

        With `oos_label`, out-of-scope examples are a class of their own and the
        confidence threshold below which anything counts as out of scope is chosen on the
        held-out part (best accuracy there)."""
        report = progress or (lambda _step, _share: None)
        counts = {label: labels.count(label) for label in set(labels)}
        can_split = min(counts.values()) >= 2 and len(counts) > 1
        if can_split and len(texts) * calibration_share >= len(counts):
            fit_x, cal_x, fit_y, cal_y = train_test_split(
                list(texts),
                list(labels),
                test_size=calibration_share,
                random_state=seed,
                stratify=list(labels),
            )
            report("fitting the calibration model", 0.05)
            self._fit(fit_x, fit_y)
            report("calibrating confidence", 0.45)
            index = {label: i for i, label in enumerate(self.labels)}
            truth = np.array([index[y] for y in cal_y], dtype=np.int64)
            scores = self.scores(cal_x)
            self.temperature = fit_temperature(scores, truth)
            if oos_label is not None:
                self.oos_threshold = _best_threshold(
                    _softmax(scores, self.temperature), self.labels, cal_y, oos_label
                )
        report("fitting the final model", 0.5)
        self._fit(texts, labels)
        report("done", 1.0)
        return self

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return _softmax(self.scores(texts), self.temperature)

    def predict(self, text: str, *, top: int = 3) -> Prediction:
        proba = self.predict_proba([text])[0]
        order = np.argsort(proba)[::-1][:top]
        ranking = [(self.labels[i], float(proba[i])) for i in order]
        best, confidence = ranking[0]
        return Prediction(
            intent=best if confidence >= self.oos_threshold else None,
            confidence=confidence,
            ranking=ranking,
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "version": FORMAT_VERSION,
            # The encoder's identity, not a flag: features of another encoder (or of
            # another quantisation of it) would be read by the wrong model.
            "embedding": self.encoder.name if self.encoder is not None else None,
            "embedding_weight": self.embedding_weight,
            "c": self.c,
            "oos_threshold": self.oos_threshold,
            "temperature": self.temperature,
            "labels": self.labels,
            "vectorizer": self._vectorizer,
            "model": self._model,
        }
        partial = path.with_suffix(f".{os.getpid()}.partial")
        joblib.dump(state, partial)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path, *, encoder: SentenceEncoder | None) -> IntentClassifier | None:
        """A model this installation trained and cached, or None if absent or outdated.

        Only files written by `save` under the data directory are loaded: joblib runs
        pickled code, so a model file is as trusted as the installation itself."""
        if not path.exists():
            return None
        state = joblib.load(path)
        if state.get("version") != FORMAT_VERSION or state["embedding"] != (
            encoder.name if encoder is not None else None
        ):
            return None
        model = cls(
            encoder=encoder,
            embedding_weight=state["embedding_weight"],
            c=state["c"],
            oos_threshold=state["oos_threshold"],
        )
        model.temperature = state["temperature"]
        model.labels = state["labels"]
        model._vectorizer = state["vectorizer"]
        model._model = state["model"]
        return model
