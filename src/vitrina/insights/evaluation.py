"""Offline evaluation of recommendations on an implicit-feedback log.

A log is JSON Lines with two kinds of record:

    {"item": "aurora-gt", "text": "grand tourer ...", "available": true}
    {"subject": "guest:ab12", "product": "aurora-gt", "kind": "click", "at": "2026-...Z"}

(`amount` is optional: seconds for dwell.) Each visitor's signals are split by time: the
last fifth (at least one product) is held out as what they went on to engage with, and
every recommender ranks from the rest. Reported side by side for ours, popularity and
content-only: recall@k, nDCG@k, catalog coverage, intra-list diversity, novelty and
serendipity (the share of a list that is both held out and absent from the popularity
list for that visitor).
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vitrina.insights.profiles import decayed
from vitrina.insights.recommender import Item, Model, Weights

Signal = tuple[str, str, datetime, float]


@dataclass
class Log:
    items: list[Item]
    signals: dict[str, list[Signal]] = field(default_factory=dict)


class LogError(ValueError):
    pass


def read_log(path: Path) -> Log:
    items: list[Item] = []
    signals: dict[str, list[Signal]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if "item" in rec:
                    items.append(
                        Item(
                            str(rec["item"]),
                            str(rec.get("text", "")),
                            bool(rec.get("available", True)),
                        )
                    )
                else:
                    at = datetime.fromisoformat(str(rec["at"]).replace("Z", "+00:00"))
                    at = at if at.tzinfo else at.replace(tzinfo=UTC)
                    signals[str(rec["subject"])].append(
                        (str(rec["product"]), str(rec["kind"]), at, float(rec.get("amount", 1.0)))
                    )
            except (ValueError, KeyError, TypeError) as exc:
                raise LogError(f"{path}:{n}: not a log record ({exc})") from None
    if not items:
        seen = sorted({s[0] for sig in signals.values() for s in sig})
        items = [Item(k, k) for k in seen]
    return Log(items, dict(signals))


def write_log(log: Log, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for it in log.items:
            fh.write(
                json.dumps({"item": it.key, "text": it.text, "available": it.available}) + "\n"
            )
        for subject, sigs in log.signals.items():
            for product, kind, at, amount in sigs:
                rec: dict[str, object] = {
                    "subject": subject,
                    "product": product,
                    "kind": kind,
                    "at": at.isoformat(),
                }
                if amount != 1.0:
                    rec["amount"] = amount
                fh.write(json.dumps(rec) + "\n")


# --- a generated log with known structure -------------------------------------------------

_THEMES = [
    ("city", "urbain", "città", "compact", "parking", "commute"),
    ("family", "famille", "famiglia", "seats", "boot", "isofix"),
    ("sport", "sportive", "sportiva", "acceleration", "track", "brakes"),
    ("range", "autonomie", "autonomia", "battery", "motorway", "charging"),
    ("offroad", "toutterrain", "fuoristrada", "traction", "ground", "towing"),
    ("luxury", "luxe", "lusso", "leather", "quiet", "massage"),
    ("cargo", "utilitaire", "furgone", "payload", "load", "racks"),
    ("budget", "économique", "economica", "price", "value", "lease"),
    ("home", "maison", "casa", "wallbox", "solar", "cable"),
    ("tech", "techno", "tecnologia", "screen", "assist", "app"),
    ("winter", "hiver", "inverno", "heated", "tyres", "snow"),
    ("travel", "voyage", "viaggio", "roofbox", "comfort", "tour"),
]
_COMMON = ("electric", "car", "électrique", "voiture", "elettrica", "auto", "aurora", "new")


def generate(
    *,
    users: int = 1500,
    items: int = 400,
    per_user: int = 24,
    seed: int = 7,
    now: datetime | None = None,
) -> Log:
    """Visitors who like one or two themes, items that each belong to one theme.

    Item texts share the theme's words only partly (and brand words all over), so
    content similarity finds the theme imperfectly; what visitors do together finds it
    better; popularity knows nothing of themes. Kinds follow a funnel.
    """
    rnd = random.Random(seed)
    now = now or datetime(2026, 12, 1, tzinfo=UTC)
    theme_of: list[int] = []
    catalog: list[Item] = []
    for i in range(items):
        theme = i % len(_THEMES)
        theme_of.append(theme)
        words = rnd.sample(_THEMES[theme], 2) + rnd.sample(_COMMON, 4)
        # A word from another theme: descriptions are never clean.
        words.append(rnd.choice(_THEMES[rnd.randrange(len(_THEMES))]))
        catalog.append(Item(f"p{i:04d}", " ".join(words), available=rnd.random() > 0.05))
    # Popularity within a theme is skewed: a few items draw most visits.
    by_theme: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(theme_of):
        by_theme[t].append(i)
    pop_weight = [1.0 / (1 + (i // len(_THEMES))) ** 0.8 for i in range(items)]
    kinds = ["view"] * 6 + ["click"] * 3 + ["dwell"] * 3 + ["configure", "ask", "book"]
    signals: dict[str, list[Signal]] = {}
    for u in range(users):
        liked = rnd.sample(range(len(_THEMES)), 2 if rnd.random() < 0.5 else 1)
        count = max(5, int(rnd.gauss(per_user, per_user / 3)))
        start = now - timedelta(days=rnd.uniform(10, 60))
        sigs: list[Signal] = []
        for n in range(count):
            pool = by_theme[rnd.choice(liked)] if rnd.random() < 0.8 else list(range(items))
            item = rnd.choices(pool, weights=[pop_weight[i] for i in pool])[0]
            kind = rnd.choice(kinds)
            at = start + timedelta(hours=n * rnd.uniform(1, 12))
            amount = rnd.uniform(2, 40) if kind == "dwell" else 1.0
            sigs.append((catalog[item].key, kind, at, amount))
        signals[f"guest:u{u:05d}"] = sigs
    return Log(catalog, signals)


# --- the comparison -----------------------------------------------------------------------


@dataclass
class Scores:
    recall: float = 0.0
    ndcg: float = 0.0
    coverage: float = 0.0
    diversity: float = 0.0
    novelty: float = 0.0
    serendipity: float = 0.0
    # Per visitor, in the order of the test set, for paired comparisons (bench/).
    ndcg_per_user: list[float] = field(default_factory=list, repr=False)
    serendipity_per_user: list[float] = field(default_factory=list, repr=False)


Recommender = Callable[[Model, dict[str, float], list[str], int], list[str]]


def ours(model: Model, profile: dict[str, float], seen: list[str], k: int) -> list[str]:
    return [p.key for p in model.recommend(profile, k=k, exclude=seen)]


def popularity(model: Model, profile: dict[str, float], seen: list[str], k: int) -> list[str]:
    return [p.key for p in model.recommend({}, k=k, exclude=seen, diversify=False)]


def content_only(model: Model, profile: dict[str, float], seen: list[str], k: int) -> list[str]:
    picks = model.recommend(
        profile,
        k=k,
        exclude=seen,
        diversify=False,
        surprise=False,
        use_collaborative=False,
        weights=Weights(content=1.0, collaborative=0.0, popularity=0.0),
    )
    return [p.key for p in picks]


RECOMMENDERS: dict[str, Recommender] = {
    "ours": ours,
    "popularity": popularity,
    "content-only": content_only,
}


def split(log: Log, holdout: float = 0.2) -> tuple[dict[str, list[Signal]], dict[str, set[str]]]:
    train: dict[str, list[Signal]] = {}
    test: dict[str, set[str]] = {}
    for subject, sigs in log.signals.items():
        ordered = sorted(sigs, key=lambda s: s[2])
        cut = max(1, round(len(ordered) * (1 - holdout)))
        if cut >= len(ordered):
            continue
        before = ordered[:cut]
        seen = {s[0] for s in before}
        after = {s[0] for s in ordered[cut:]} - seen
        train[subject] = before
        if after:
            test[subject] = after
    return train, test


def evaluate(
    log: Log,
    *,
    k: int = 10,
    names: tuple[str, ...] = ("ours", "popularity", "content-only"),
    progress: Callable[[int], None] | None = None,
    recommenders: dict[str, Recommender] | None = None,
) -> dict[str, Scores]:
    """`names` are taken from `recommenders` (default RECOMMENDERS)."""
    ranks = recommenders or RECOMMENDERS
    train, test = split(log)
    interactions = [
        (subject, product, w)
        for subject, sigs in train.items()
        for product, w in decayed(sigs, now=max(s[2] for s in sigs)).items()
    ]
    model = Model.build(log.items, interactions)
    results = {name: Scores() for name in names}
    shown: dict[str, set[str]] = {name: set() for name in names}
    users = 0
    for subject, truth in test.items():
        sigs = train[subject]
        profile = decayed(sigs, now=max(s[2] for s in sigs))
        seen = sorted(profile)
        lists = {name: ranks[name](model, profile, seen, k) for name in names}
        expected = set(popularity(model, profile, seen, k))
        users += 1
        for name, recs in lists.items():
            s = results[name]
            hits = [1.0 if r in truth else 0.0 for r in recs]
            s.recall += sum(hits) / min(len(truth), k)
            dcg = sum(h / math.log2(n + 2) for n, h in enumerate(hits))
            ideal = sum(1.0 / math.log2(n + 2) for n in range(min(len(truth), k)))
            s.ndcg += dcg / ideal
            s.ndcg_per_user.append(dcg / ideal)
            s.diversity += model.intra_list_diversity(recs)
            s.novelty += model.novelty(recs)
            surprising = (
                sum(1 for r in recs if r in truth and r not in expected) / k if recs else 0.0
            )
            s.serendipity += surprising
            s.serendipity_per_user.append(surprising)
            shown[name].update(recs)
        if progress is not None:
            progress(1)
    available = int(model.available.sum()) or 1
    for name, s in results.items():
        for attr in ("recall", "ndcg", "diversity", "novelty", "serendipity"):
            setattr(s, attr, getattr(s, attr) / max(users, 1))
        s.coverage = len(shown[name]) / available
    return results


def test_users(log: Log) -> Iterator[str]:
    return iter(split(log)[1])
