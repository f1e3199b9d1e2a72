"""`vitrina insights eval`: ours against popularity and content-only on a known log."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from vitrina.cli import app
from vitrina.insights import evaluation


def test_ours_beats_both_baselines_on_ndcg_and_serendipity(tmp_path: Path) -> None:
    log = evaluation.generate(users=400, items=120, seed=3)
    scores = evaluation.evaluate(log)
    ours, pop, content = scores["ours"], scores["popularity"], scores["content-only"]
    assert ours.ndcg > pop.ndcg and ours.ndcg > content.ndcg
    assert ours.serendipity > pop.serendipity and ours.serendipity > content.serendipity
    assert ours.coverage > pop.coverage
    assert pop.serendipity == 0.0  # by definition: nothing outside its own list


def test_the_command_prints_the_table_side_by_side(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    runner = CliRunner()
    made = runner.invoke(
        app, ["insights", "make-log", str(path), "--users", "120", "--items", "40"]
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["insights", "eval", "--log", str(path)])
    assert result.exit_code == 0, result.output
    for word in ("recall@10", "nDCG@10", "coverage", "diversity", "novelty", "serendipity"):
        assert word in result.output
    assert "content-only" in result.output


def test_a_broken_log_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"subject": "guest:a"}\n')
    result = CliRunner().invoke(app, ["insights", "eval", "--log", str(path)])
    assert result.exit_code == 2
    assert "bad.jsonl:1: not a log record" in result.output
    missing = CliRunner().invoke(app, ["insights", "eval", "--log", str(tmp_path / "none")])
    assert missing.exit_code == 2
