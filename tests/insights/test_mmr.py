"""Diversity: MMR spreads a list over kinds of product; the surprise is unlike the profile."""

from __future__ import annotations

from vitrina.insights.recommender import Item, Model, Weights

ITEMS = [
    Item("city-1", "compact city car parking commute"),
    Item("city-2", "compact city car parking commute small"),
    Item("city-3", "compact city car parking commute cheap"),
    Item("city-4", "compact city car commute electric"),
    Item("family-1", "family car seats boot isofix"),
    Item("family-2", "family estate seats boot"),
    Item("sport-1", "sport coupe track acceleration brakes"),
    Item("wallbox", "home charging wallbox cable"),
    Item("sold-out", "compact city car parking commute", available=False),
]
# Visitors who liked city cars also looked at family cars; some at wallboxes.
LOG = [
    *[(f"u{i}", k, 1.0) for i in range(20) for k in ("city-1", "city-2", "city-3", "family-1")],
    *[(f"v{i}", k, 1.0) for i in range(10) for k in ("family-1", "family-2", "wallbox")],
    *[(f"w{i}", k, 1.0) for i in range(5) for k in ("sport-1", "wallbox")],
]


def test_mmr_trades_a_little_relevance_for_variety() -> None:
    model = Model.build(ITEMS, LOG, factors=3)
    profile = {"city-1": 3.0}
    plain = [p.key for p in model.recommend(profile, k=4, diversify=False, surprise=False)]
    varied = [
        p.key
        for p in model.recommend(profile, k=4, surprise=False, weights=Weights(mmr_lambda=0.5))
    ]
    assert plain[0] == varied[0]
    assert model.intra_list_diversity(varied) > model.intra_list_diversity(plain)
    assert sum(k.startswith("city") for k in varied) < sum(k.startswith("city") for k in plain)
    assert "sold-out" not in plain + varied


def test_the_surprise_is_relevant_yet_unlike_the_profile() -> None:
    model = Model.build(ITEMS, LOG, factors=3)
    picks = model.recommend({"city-1": 3.0, "city-2": 1.0}, k=3)
    assert [p.surprise for p in picks] == [False, False, True]
    odd = picks[-1].key
    assert not odd.startswith("city")
    assert model.intra_list_diversity(["city-1", odd]) > model.intra_list_diversity(
        ["city-1", picks[0].key]
    )


def test_no_profile_no_surprise_and_popularity_first() -> None:
    model = Model.build(ITEMS, LOG, factors=3)
    picks = model.recommend({}, k=3)
    assert not any(p.surprise for p in picks)
    assert picks[0].key == "family-1"  # the product most visitors engaged with
