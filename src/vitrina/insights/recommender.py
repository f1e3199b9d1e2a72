"""The recommender itself: pure numbers, no database, shared by the API and the evaluation.

A `Model` is built once per brand from its catalog (texts in EN/FR/IT) and the implicit
feedback of all visitors, and then ranks for one visitor in a few milliseconds:

- content: TF-IDF over names, descriptions and option labels in every language; a
  visitor's profile is the interest-weighted sum of the rows of what they engaged with,
  and every product is scored by cosine similarity to it;
- collaborative: item factors from a (randomized) truncated SVD of the (log-scaled) visitor x product
  matrix; the visitor's vector is the interest-weighted sum of their products' factors;
- popularity: how many different visitors engaged with a product (log-scaled), which is
  also the whole answer for a visitor without a profile, with the persona's weights.

The blended relevance is re-ranked by maximal marginal relevance (MMR) for diversity,
and one slot, "something different", goes to the candidate that is still relevant but
least like anything the visitor engaged with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

# Up to this many distinct terms the TF-IDF rows are used as they are (dense); beyond,
# their latent semantic analysis in LSA_DIMS dimensions keeps one call in milliseconds.
DENSE_TERMS = 512
LSA_DIMS = 128


def _top_singular(matrix: sparse.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest singular values and right vectors: exact for a small matrix,
    randomized (a few passes, seeded) for a large one."""
    if matrix.shape[0] * matrix.shape[1] <= 4_000_000:
        _, sigma, vt = np.linalg.svd(matrix.toarray(), full_matrices=False)
        return sigma[:k], vt[:k]
    svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=7)
    svd.fit(matrix)
    return svd.singular_values_, svd.components_


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    text: str
    available: bool = True


@dataclass(frozen=True, slots=True)
class Weights:
    """How the parts are blended; a persona may shift them."""

    content: float = 0.35
    collaborative: float = 0.5
    popularity: float = 0.15
    persona: float = 0.3
    mmr_lambda: float = 0.75
    # The pool MMR and the surprise slot pick from: the best candidates by relevance.
    pool: int = 60


@dataclass(slots=True)
class Pick:
    key: str
    score: float
    relevance: float
    content: float
    collaborative: float
    popularity: float
    persona: float
    surprise: bool = False
    # The profile product that explains most of the content and collaborative parts.
    content_because: str | None = None
    collaborative_because: str | None = None


@dataclass(slots=True)
class Model:
    keys: list[str]
    index: dict[str, int]
    available: np.ndarray  # bool per item
    tfidf: sparse.csr_matrix  # items x terms, rows L2-normalised
    content: np.ndarray  # items x d, dense: the TF-IDF rows, or their LSA when terms are many
    factors: np.ndarray  # items x k, rows L2-normalised (zeros for unseen items)
    popularity: np.ndarray  # in [0, 1]
    raw_popularity: np.ndarray  # distinct visitors per item
    users: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        items: Sequence[Item],
        interactions: Sequence[tuple[str, str, float]],
        *,
        factors: int = 32,
    ) -> Model:
        """`interactions` are (visitor, item key, weight); unknown items are ignored."""
        keys = [i.key for i in items]
        index = {k: n for n, k in enumerate(keys)}
        texts = [i.text or i.key for i in items]
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=1, strip_accents="unicode")
        try:
            tfidf = vectorizer.fit_transform(texts) if items else sparse.csr_matrix((0, 1))
        except ValueError:  # no term at all
            tfidf = sparse.csr_matrix((len(items), 1))
        tfidf = normalize(sparse.csr_matrix(tfidf), norm="l2")
        users: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for user, key, w in interactions:
            col = index.get(key)
            if col is None or w <= 0:
                continue
            rows.append(users.setdefault(user, len(users)))
            cols.append(col)
            vals.append(w)
        n = len(keys)
        matrix = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(users), n)
        )
        matrix.sum_duplicates()
        raw_pop = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.float64)
        pop = np.log1p(raw_pop)
        pop = pop / pop.max() if pop.size and pop.max() > 0 else np.zeros(n)
        item_factors = np.zeros((n, 1))
        if matrix.nnz and min(matrix.shape) > 2:
            scaled = matrix.copy()
            scaled.data = np.log1p(scaled.data)
            k = max(1, min(factors, min(scaled.shape) - 1))
            sigma, vt = _top_singular(scaled.astype(np.float64), k)
            item_factors = normalize(vt.T * np.sqrt(sigma), norm="l2")
        available = np.array([i.available for i in items], dtype=bool)
        if tfidf.shape[1] <= DENSE_TERMS:
            content = tfidf.toarray()
        else:
            dims = max(1, min(LSA_DIMS, min(tfidf.shape) - 1))
            _, vt_ = _top_singular(tfidf, dims)
            content = normalize(np.asarray(tfidf @ vt_.T), norm="l2")
        return cls(
            keys=keys,
            index=index,
            available=available,
            tfidf=tfidf,
            content=np.ascontiguousarray(content, dtype=np.float64),
            factors=item_factors,
            popularity=pop,
            raw_popularity=raw_pop,
            users=len(users),
        )

    # --- one visitor ---------------------------------------------------------------------

    def _profile_vectors(
        self, profile: Mapping[str, float]
    ) -> tuple[list[int], np.ndarray, np.ndarray | None, np.ndarray | None]:
        idx = [self.index[k] for k in profile if k in self.index and profile[k] > 0]
        if not idx:
            return [], np.zeros(0), None, None
        w = np.array([profile[self.keys[i]] for i in idx], dtype=np.float64)
        w = w / w.sum()
        content = self.content[idx].T @ w
        norm = np.linalg.norm(content)
        content_vec = content / norm if norm > 0 else None
        collab = self.factors[idx].T @ w
        cnorm = np.linalg.norm(collab)
        collab_vec = collab / cnorm if cnorm > 0 else None
        return idx, w, content_vec, collab_vec

    def recommend(
        self,
        profile: Mapping[str, float],
        *,
        k: int = 10,
        weights: Weights | None = None,
        persona: Mapping[str, float] | None = None,
        exclude: Sequence[str] = (),
        diversify: bool = True,
        surprise: bool = True,
        use_collaborative: bool = True,
        use_content: bool = True,
    ) -> list[Pick]:
        """The visitor's top `k`: available items only, MMR-diversified, one surprise."""
        wts = weights or Weights()
        n = len(self.keys)
        if n == 0 or k <= 0:
            return []
        idx, w, content_vec, collab_vec = self._profile_vectors(profile)
        content = (
            np.clip(self.content @ content_vec, 0, None)
            if content_vec is not None and use_content
            else np.zeros(n)
        )
        collab = (
            np.clip(self.factors @ collab_vec, 0, None)
            if collab_vec is not None and use_collaborative
            else np.zeros(n)
        )
        persona_part = np.zeros(n)
        for key, value in (persona or {}).items():
            at = self.index.get(key)
            if at is not None:
                persona_part[at] = value
        if persona_part.max(initial=0) > 0:
            persona_part = persona_part / persona_part.max()
        parts_sum = 0.0
        relevance = np.zeros(n)
        for part, weight in (
            (content, wts.content if content_vec is not None and use_content else 0.0),
            (collab, wts.collaborative if collab_vec is not None and use_collaborative else 0.0),
            (self.popularity, wts.popularity if idx else 1.0),
            (persona_part, wts.persona if persona else 0.0),
        ):
            if weight <= 0:
                continue
            top = part.max(initial=0)
            if top > 0:
                relevance += weight * part / top
                parts_sum += weight
        if parts_sum > 0:
            relevance /= parts_sum
        mask = self.available.copy()
        for key in exclude:
            at = self.index.get(key)
            if at is not None:
                mask[at] = False
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        # The pool: the best candidates by relevance (a partial sort: catalogs are large),
        # ties (a cold start on a quiet brand) in the catalog's order.
        size = max(wts.pool, k * 3)
        if candidates.size > size:
            candidates = candidates[np.argpartition(-relevance[candidates], size - 1)[:size]]
            candidates.sort()
        pool = candidates[np.lexsort((candidates, -relevance[candidates]))][:size]
        take = min(k, pool.size)
        surprise_slot = surprise and bool(idx) and take >= 3 and pool.size > take
        mmr_k = take - 1 if surprise_slot else take
        chosen = (
            self._mmr(pool, relevance, mmr_k, wts.mmr_lambda)
            if diversify
            else [int(i) for i in pool[:mmr_k]]
        )
        picks = [
            self._pick(int(i), relevance, content, collab, persona_part, idx, w) for i in chosen
        ]
        if surprise_slot:
            odd = self._surprise(pool, relevance, chosen, idx)
            if odd is not None:
                pick = self._pick(odd, relevance, content, collab, persona_part, idx, w)
                pick.surprise = True
                picks.append(pick)
        return picks

    def _similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Pairwise item similarity: the mean of the content and collaborative cosines."""
        content = np.clip(self.content[a] @ self.content[b].T, 0, None)
        collab = np.clip(self.factors[a] @ self.factors[b].T, 0, None)
        has_factors = (np.abs(self.factors[a]).sum(axis=1) > 0)[:, None]
        mixed: np.ndarray = np.where(has_factors, (content + collab) / 2.0, content)
        return mixed

    def _mmr(self, pool: np.ndarray, relevance: np.ndarray, k: int, lam: float) -> list[int]:
        if k <= 0:
            return []
        sim = self._similarity(pool, pool)
        rel = relevance[pool]
        top = rel.max(initial=0)
        rel = rel / top if top > 0 else rel
        chosen: list[int] = []
        best_sim = np.zeros(pool.size)
        free = np.ones(pool.size, dtype=bool)
        for _ in range(min(k, pool.size)):
            score = lam * rel - (1 - lam) * best_sim
            score[~free] = -np.inf
            at = int(np.argmax(score))
            chosen.append(at)
            free[at] = False
            best_sim = np.maximum(best_sim, sim[:, at])
        return [int(pool[i]) for i in chosen]

    def _surprise(
        self, pool: np.ndarray, relevance: np.ndarray, chosen: list[int], profile: list[int]
    ) -> int | None:
        """Relevant yet unlike both the profile and the list: relevance x unexpectedness."""
        rest = np.array([i for i in pool if int(i) not in set(chosen)], dtype=np.int64)
        if rest.size == 0:
            return None
        ref = np.array(sorted({*profile, *chosen}), dtype=np.int64)
        unexpected = 1.0 - self._similarity(rest, ref).max(axis=1)
        rel = relevance[rest]
        # Only the better half of what is left by relevance may surprise.
        floor = float(np.median(rel))
        score = np.where(rel >= floor, rel * unexpected, -1.0)
        best = int(np.argmax(score))
        return int(rest[best]) if score[best] > 0 else int(rest[int(np.argmax(rel))])

    def _pick(
        self,
        i: int,
        relevance: np.ndarray,
        content: np.ndarray,
        collab: np.ndarray,
        persona: np.ndarray,
        profile: list[int],
        w: np.ndarray,
    ) -> Pick:
        content_because = collab_because = None
        if profile:
            others = [(j, wj) for j, wj in zip(profile, w, strict=True) if j != i]
            if others:
                js = np.array([j for j, _ in others])
                ws = np.array([wj for _, wj in others])
                c = (self.content[js] @ self.content[i]) * ws
                if c.max(initial=0) > 0.01:
                    content_because = self.keys[int(js[int(np.argmax(c))])]
                f = (self.factors[js] @ self.factors[i]) * ws
                if f.max(initial=0) > 0.01:
                    collab_because = self.keys[int(js[int(np.argmax(f))])]
        return Pick(
            key=self.keys[i],
            score=float(relevance[i]),
            relevance=float(relevance[i]),
            content=float(content[i]),
            collaborative=float(collab[i]),
            popularity=float(self.popularity[i]),
            persona=float(persona[i]),
            content_because=content_because,
            collaborative_because=collab_because,
        )

    # --- measures ------------------------------------------------------------------------

    def intra_list_diversity(self, keys: Sequence[str]) -> float:
        """Mean pairwise content dissimilarity (1 - cosine) of a list."""
        at = np.array([self.index[k] for k in keys if k in self.index], dtype=np.int64)
        if at.size < 2:
            return 0.0
        sim = (self.tfidf[at] @ self.tfidf[at].T).toarray()
        upper = sim[np.triu_indices(at.size, k=1)]
        return float(1.0 - upper.mean())

    def novelty(self, keys: Sequence[str]) -> float:
        """Mean self-information, -log2 of the share of visitors who engaged with an item."""
        if not keys or self.users == 0:
            return 0.0
        total = 0.0
        for k in keys:
            share = (self.raw_popularity[self.index[k]] + 1) / (self.users + 1)
            total += -math.log2(share)
        return total / len(keys)
