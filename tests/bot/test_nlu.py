"""The intent model and `vitrina bot train|eval` on small data made here."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.bot.helpers import run_cli
from vitrina.bot.classifier import IntentClassifier
from vitrina.bot.cli import app as bot_cli

TOPICS = {
    "hours": ["when are you open", "opening hours", "what time do you close", "are you open"],
    "price": ["how much is it", "what does it cost", "price of the car", "is it expensive"],
    "charge": ["how fast does it charge", "charging time", "can I charge at home", "wallbox"],
    "oos": ["tell me a joke", "weather tomorrow", "who won the match", "capital of spain"],
}


def _rows(seed: int, per_topic: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    fillers = ["", "please", "hi,", "tell me", "I wonder", "quick question:"]
    rows = []
    for label, phrases in TOPICS.items():
        for _ in range(per_topic):
            rows.append((f"{rng.choice(fillers)} {rng.choice(phrases)}".strip(), label))
    rng.shuffle(rows)
    return rows


def _csv(path: Path, rows: list[tuple[str, str]], label: str = "category") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", label])
        writer.writerows(rows)
    return path


def test_confidence_is_calibrated_and_the_model_round_trips(tmp_path: Path) -> None:
    rows = _rows(1, 40)
    model = IntentClassifier(encoder=None).fit([t for t, _ in rows], [y for _, y in rows])
    sure = model.predict("what time do you close tonight")
    assert sure.intent == "hours" and sure.confidence > 0.5
    proba = model.predict_proba(["what time do you close"])[0]
    assert abs(float(proba.sum()) - 1.0) < 1e-9
    model.save(tmp_path / "m.joblib")
    again = IntentClassifier.load(tmp_path / "m.joblib", encoder=None)
    assert again is not None
    assert (
        again.predict("charging time please").ranking
        == model.predict("charging time please").ranking
    )


def test_eval_prints_the_figures_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path / "data"))
    train = _csv(tmp_path / "train.csv", _rows(2, 30), label="intent")
    test = _csv(tmp_path / "test.csv", _rows(3, 10), label="intent")
    result = CliRunner().invoke(
        bot_cli,
        [
            *("eval", "--data", str(train), "--test", str(test), "--oos-label", "oos"),
            *("--no-embeddings", "--json"),
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    for key in ("accuracy", "macro_f1", "oos_recall", "oos_precision", "in_scope_accuracy"):
        assert 0.8 <= figures[key] <= 1.0, key
    for key in ("train_seconds", "p50_ms", "p99_ms", "rss_mib"):
        assert figures[key] > 0, key


def test_train_writes_a_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path / "data"))
    train = _csv(tmp_path / "train.csv", _rows(4, 20))
    target = tmp_path / "model.joblib"
    result = CliRunner().invoke(
        bot_cli, ["train", "--data", str(train), "--model", str(target), "--no-embeddings"]
    )
    assert result.exit_code == 0, result.output
    assert "4 intents" in result.stdout and target.exists()


def test_a_file_without_labels_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence,label_x\nhello,greet\n", encoding="utf-8")
    result = CliRunner().invoke(bot_cli, ["train", "--data", str(bad), "--no-embeddings"])
    assert result.exit_code != 0


def test_training_data_of_one_intent_is_refused_in_one_line(tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("text,intent\nhello,greet\nhi there,greet\n", encoding="utf-8")
    done = run_cli(
        "bot", "train", "--data", str(one), "--no-embeddings", data_dir=tmp_path / "data"
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: DataError: {one}: needs examples of at least two intents; every row is 'greet'"
    ]


def test_a_handful_of_examples_is_enough_to_train(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two short phrases share no character n-gram; the model must still learn them."""
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path / "data"))
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("text,intent\nhello,greet\nbye,farewell\n", encoding="utf-8")
    result = CliRunner().invoke(
        bot_cli,
        ["eval", "--data", str(tiny), "--test", str(tiny), "--no-embeddings", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accuracy"] == 1.0
