"""Interest profiles: what a visitor engaged with, weighted by kind and decayed with time.

Pure arithmetic, shared by the live profile (service.interest_profile, which reads only
consented signals) and the offline evaluation. A signal of weight w that happened `age`
ago counts w * 2^(-age / half_life).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

# How much one signal of each kind says about interest in its product. Dwell counts per
# second looked at (capped per hour bucket, so a screen left open does not dominate).
KIND_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "click": 2.0,
    "configure": 4.0,
    "ask": 4.0,
    "book": 8.0,
    "buy": 8.0,
    "dwell": 0.2,
}
DWELL_CAP_S = 60.0
HALF_LIFE = timedelta(days=14)


def signal_weight(kind: str, amount: float = 1.0) -> float:
    """The undecayed weight of one signal; `amount` is seconds for dwell, a count otherwise."""
    if kind == "dwell":
        return KIND_WEIGHTS["dwell"] * min(amount, DWELL_CAP_S)
    return KIND_WEIGHTS.get(kind, 0.0) * amount


def decay(age: timedelta, half_life: timedelta = HALF_LIFE) -> float:
    seconds = max(age.total_seconds(), 0.0)
    return float(2.0 ** (-seconds / half_life.total_seconds()))


def decayed(
    signals: Iterable[tuple[str, str, datetime, float]],
    *,
    now: datetime,
    half_life: timedelta = HALF_LIFE,
) -> dict[str, float]:
    """(product, kind, at, amount) -> product -> decayed interest."""
    scores: dict[str, float] = defaultdict(float)
    for product, kind, at, amount in signals:
        scores[product] += signal_weight(kind, amount) * decay(now - at, half_life)
    return dict(scores)


def ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(((p, s) for p, s in scores.items() if s > 0), key=lambda kv: (-kv[1], kv[0]))
