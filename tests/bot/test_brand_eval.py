"""`vitrina bot eval-brand`: the demo brand's greeter measured on a case file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.bot.helpers import run_cli
from vitrina.bot.cli import app as bot_cli

CASES = [
    {"text": "are you open on saturday afternoon?", "lang": "en", "intent": "opening_hours"},
    {"text": "je voudrais essayer la GT vendredi", "lang": "fr", "intent": "book_test_drive"},
    {"text": "quanto costa la E1?", "lang": "it", "intent": "prices"},
    {"text": "what's the capital of Peru", "lang": "en", "intent": "oos"},
    {"text": "tell me my balance at Monzo", "lang": "en", "intent": "oos"},
    # Expected to be missed: the bot answers opening hours, not the warranty.
    {"text": "when do you open on monday", "lang": "en", "intent": "warranty"},
]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def test_figures_per_language_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bot_cache: Path
) -> None:
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path / "data"))
    cases = _write(tmp_path / "cases.jsonl", CASES)
    result = CliRunner().invoke(
        bot_cli,
        ["eval-brand", "--brand", "aurora-motors", "--cases", str(cases), "--json", "--misses"],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {"en", "fr", "it", "all", "process"}
    english = figures["en"]
    assert (english["cases"], english["in_scope"], english["out_of_scope"]) == (4, 2, 2)
    # The warranty case is answered with opening hours: a miss, but not a wrong action.
    assert english["in_scope_accuracy"] == 0.5
    assert english["wrong_actions"] == 0
    assert [m["text"] for m in english["misses"]] == ["when do you open on monday"]
    assert english["misses"][0]["got"] == "article:opening-hours"
    assert figures["fr"]["in_scope_accuracy"] == 1.0
    assert figures["it"]["reply_language"] == 1.0
    assert figures["all"]["cases"] == len(CASES)
    assert figures["all"]["p50_ms"] > 0 and figures["process"]["rss_mib"] > 0


def test_a_wrong_action_is_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A booking request labelled as a cancellation: the bot starts the booking flow,
    which is a state-changing step the (labelled) customer did not ask for."""
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path / "data"))
    cases = _write(
        tmp_path / "cases.jsonl",
        [
            {
                "text": "I want to book a test drive of the GT",
                "lang": "en",
                "intent": "cancel_appointment",
            }
        ],
    )
    result = CliRunner().invoke(
        bot_cli, ["eval-brand", "--brand", "aurora-motors", "--cases", str(cases), "--json"]
    )
    assert result.exit_code == 0, result.output
    english = json.loads(result.stdout)["en"]
    assert english["wrong_actions"] == 1 and english["wrong_action_rate"] == 1.0


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"text": "hi", "lang": "de", "intent": "greeting"}', "lang 'de' is not one of"),
        ('{"text": "hi", "lang": "en", "intent": "say_hi"}', "intent 'say_hi' is not an intent"),
        ('{"text": "hi", "lang": "en"', "not JSON"),
    ],
)
def test_a_bad_case_line_is_one_error_line(tmp_path: Path, line: str, problem: str) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"text": "hello", "lang": "en", "intent": "greeting"}\n' + line + "\n")
    done = run_cli(
        *("bot", "eval-brand", "--brand", "aurora-motors", "--cases", str(cases)),
        data_dir=tmp_path / "data",
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{cases}:2: " in lines[0] and problem in lines[0], lines
