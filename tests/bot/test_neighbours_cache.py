"""The nearest-examples check keeps its examples' features between starts, and a damaged
or foreign file is never used: the check is built again from the examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vitrina.bot.multilingual import MultilingualEncoder
from vitrina.bot.neighbours import Neighbours

TEXTS = [
    "book a test drive",
    "i'd like to try the car on friday",
    "can I drive the E1 this week",
    "cancel my appointment",
    "please call off my booking",
    "I can't come, cancel it",
]
LABELS = ["book"] * 3 + ["cancel"] * 3


def test_features_are_kept_and_a_damaged_or_foreign_file_is_rebuilt(tmp_path: Path) -> None:
    encoder = MultilingualEncoder()
    cache = tmp_path / "brand-hash.neighbours.npy"
    first = Neighbours(TEXTS, LABELS, encoder=encoder, cache=cache)
    assert cache.is_file()
    kept = np.load(cache)
    assert kept.shape == (len(TEXTS), encoder.dim)

    again = Neighbours(TEXTS, LABELS, encoder=encoder, cache=cache)
    message = "could I test drive the GT tomorrow"
    assert again.agree(message, "book") and first.agree(message, "book")
    assert not again.agree(message, "cancel")

    cache.write_bytes(b"not a matrix")
    healed = Neighbours(TEXTS, LABELS, encoder=encoder, cache=cache)
    assert healed.agree("cancel the test drive please", "cancel")
    assert np.allclose(np.load(cache), kept)

    # Features of other examples (another count of rows) are not taken for these.
    np.save(cache, kept[:2])
    rebuilt = Neighbours(TEXTS, LABELS, encoder=encoder, cache=cache)
    assert rebuilt.agree("cancel the test drive please", "cancel")
    assert np.load(cache).shape == (len(TEXTS), encoder.dim)
