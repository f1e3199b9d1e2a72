"""Knowledge-base retrieval: lexical and semantic scores fused, the source article cited.

Each article is indexed once per language (title, keywords, body). The lexical score is
the cosine of TF-IDF word and character n-grams, which catches product names and
numbers; the semantic score is the cosine of sentence features, which catches rephrasing.
The answer is the article with the best fused score, and only when that score clears the
brand's threshold: below it the bot asks or offers a human instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from vitrina.bot.content import LANGS, Article
from vitrina.bot.encoder import SentenceEncoder
from vitrina.core.text import fold

LEXICAL_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float
    lexical: float
    semantic: float


class Retriever:
    def __init__(self, articles: list[Article], *, encoder: SentenceEncoder | None) -> None:
        self.articles = articles
        self.encoder = encoder
        self._owner: list[int] = []
        docs: list[str] = []
        for i, article in enumerate(articles):
            for lang in LANGS:
                title, body = article.title.get(lang), article.body.get(lang)
                docs.append(fold(f"{title}. {title}. {' '.join(article.keywords)}. {body}"))
                self._owner.append(i)
        self._lexical = FeatureUnion(
            [
                ("words", TfidfVectorizer(sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
                ),
            ]
        )
        self._doc_lex = self._lexical.fit_transform(docs) if docs else None
        self._doc_sem: NDArray[np.float32] | None = (
            _unit(encoder.encode(docs)) if encoder is not None and docs else None
        )

    def search(self, query: str, *, top: int = 3) -> list[Hit]:
        if self._doc_lex is None:
            return []
        q = self._lexical.transform([fold(query)])
        lexical = _cosine_sparse(q, self._doc_lex)
        semantic = np.zeros_like(lexical)
        if self._doc_sem is not None and self.encoder is not None:
            semantic = self._doc_sem @ _unit(self.encoder.encode([query]))[0]
        fused = (
            LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * semantic
            if self._doc_sem is not None
            else lexical
        )
        best: dict[int, Hit] = {}
        for doc, score in enumerate(fused):
            owner = self._owner[doc]
            if owner not in best or score > best[owner].score:
                best[owner] = Hit(
                    article=self.articles[owner],
                    score=float(score),
                    lexical=float(lexical[doc]),
                    semantic=float(semantic[doc]),
                )
        return sorted(best.values(), key=lambda h: -h.score)[:top]


def _unit(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.maximum(norms, 1e-9), dtype=np.float32)


def _cosine_sparse(query: object, docs: object) -> NDArray[np.float64]:
    # FeatureUnion stacks two L2-normalised blocks, so each row has norm sqrt(2).
    product = (docs @ query.T).toarray().ravel()  # type: ignore[attr-defined]
    return np.asarray(product / 2.0, dtype=np.float64)
