"""The offline evaluation with ours in several settings, and paired bootstrap intervals.

    python -m bench.insights_variants --log FILE [--k 10] [--variants a,b] [--resamples 1000]

FILE is a log from `vitrina insights make-log` or `vitrina insights movielens-log`. One
model is built; every visitor is ranked by popularity, content-only and ours in each
variant (one setting changed from the shipped ones). Prints nDCG@k, serendipity,
coverage and novelty per recommender, then for each variant the mean per-visitor
difference from popularity and from content-only on nDCG@k and serendipity with its 95 %
interval over `--resamples` resamples of the visitors (paired, seeded).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from vitrina.insights import evaluation
from vitrina.insights.recommender import Model, Weights

SHIPPED = Weights()
VARIANTS: dict[str, dict[str, Any]] = {
    "shipped": {},
    "no-mmr": {"diversify": False},
    "no-surprise": {"surprise": False},
    "neither": {"diversify": False, "surprise": False},
    "mmr-lambda-0.9": {"weights": replace(SHIPPED, mmr_lambda=0.9)},
    "pool-30": {"weights": replace(SHIPPED, pool=30)},
    "content-0.15": {"weights": replace(SHIPPED, content=0.15, collaborative=0.7)},
    "content-0": {"weights": replace(SHIPPED, content=0.0, collaborative=0.85)},
    "popularity-0.3": {"weights": replace(SHIPPED, content=0.3, collaborative=0.4, popularity=0.3)},
}


def variant(settings: dict[str, Any]) -> evaluation.Recommender:
    def rank(model: Model, profile: dict[str, float], seen: list[str], k: int) -> list[str]:
        return [p.key for p in model.recommend(profile, k=k, exclude=seen, **settings)]

    return rank


def interval(diffs: list[float], resamples: int, rnd: random.Random) -> tuple[float, float]:
    n = len(diffs)
    means = sorted(sum(diffs[rnd.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    chosen = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    log = evaluation.read_log(args.log)
    recommenders = dict(evaluation.RECOMMENDERS)
    recommenders.update({f"ours/{v}": variant(VARIANTS[v]) for v in chosen})
    names = ("popularity", "content-only", *(f"ours/{v}" for v in chosen))
    started = time.perf_counter()
    scores = evaluation.evaluate(log, k=args.k, names=names, recommenders=recommenders)
    users = len(scores["popularity"].ndcg_per_user)
    print(
        f"{args.log.name}: {users} visitors, {len(log.items)} products, k={args.k}, "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(f"{'recommender':28s} {'nDCG':>7s} {'seren.':>7s} {'cover.':>7s} {'novelty':>7s}")
    for name, s in scores.items():
        print(f"{name:28s} {s.ndcg:7.4f} {s.serendipity:7.4f} {s.coverage:7.3f} {s.novelty:7.2f}")
    rnd = random.Random(7)
    print(f"\npaired differences, mean [95 % interval over {args.resamples} resamples]")
    for v in chosen:
        ours = scores[f"ours/{v}"]
        for base in ("popularity", "content-only"):
            other = scores[base]
            parts = []
            for label, a, b in (
                ("nDCG", ours.ndcg_per_user, other.ndcg_per_user),
                ("seren.", ours.serendipity_per_user, other.serendipity_per_user),
            ):
                diffs = [x - y for x, y in zip(a, b, strict=True)]
                low, high = interval(diffs, args.resamples, rnd)
                parts.append(f"{label} {sum(diffs) / users:+.4f} [{low:+.4f}, {high:+.4f}]")
            print(f"{v:16s} - {base:12s} {'  '.join(parts)}")


if __name__ == "__main__":
    main()
