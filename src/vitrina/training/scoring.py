"""Scoring a rehearsal against the scenario's rubric, each item with its evidence.

Evidence is the turn that satisfied the item, or the turn that broke it (a reply that
gave account data before any identity check), or none when nothing in the transcript
bears on it. Reasons are given in the session's language (EN/FR/IT).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from vitrina.core.text import fold
from vitrina.training.labels import matches_phrases
from vitrina.training.scenario import LANGS, RubricItem, Scenario
from vitrina.training.texts import say


@dataclass(frozen=True, slots=True)
class Turn:
    seq: int
    at: float  # seconds since the session started
    who: str  # "trainee" or "customer"
    text: str
    labels: list[str] = field(default_factory=list)
    intent: str | None = None
    confidence: float = 0.0
    escalation: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    seq: int
    at: float
    text: str


@dataclass(frozen=True, slots=True)
class ItemScore:
    id: str
    kind: str
    title: str
    points: int
    earned: int
    passed: bool
    reason: str
    evidence: Evidence | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Score:
    items: list[ItemScore]
    earned: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.total) if self.total else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "earned": self.earned,
            "total": self.total,
            "percent": self.percent,
            "items": [i.to_json() for i in self.items],
        }


def _ev(turn: Turn | None) -> Evidence | None:
    return None if turn is None else Evidence(turn.seq, round(turn.at, 1), turn.text)


def account_mentions(scenario: Scenario) -> list[re.Pattern[str]]:
    return [
        re.compile(p, re.IGNORECASE)
        for fact in scenario.persona.hidden_facts
        if fact.account
        for p in fact.mentions
    ]


def _mentions(patterns: list[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) or p.search(fold(text)) for p in patterns)


def score(
    scenario: Scenario,
    turns: list[Turn],
    *,
    outcome: str | None,
    duration_s: float,
    language: str,
) -> Score:
    trainee = [t for t in turns if t.who == "trainee"]
    items = [
        _item(scenario, item, trainee, outcome=outcome, duration_s=duration_s, lang=language)
        for item in scenario.rubric
    ]
    return Score(items, sum(i.earned for i in items), scenario.total_points)


def _item(
    scenario: Scenario,
    item: RubricItem,
    trainee: list[Turn],
    *,
    outcome: str | None,
    duration_s: float,
    lang: str,
) -> ItemScore:
    passed, reason, evidence = _judge(scenario, item, trainee, outcome, duration_s, lang)
    return ItemScore(
        id=item.id,
        kind=item.kind,
        title=item.title.get(lang),
        points=item.points,
        earned=item.points if passed else 0,
        passed=passed,
        reason=reason,
        evidence=_ev(evidence),
    )


def _judge(
    scenario: Scenario,
    item: RubricItem,
    trainee: list[Turn],
    outcome: str | None,
    duration_s: float,
    lang: str,
) -> tuple[bool, str, Turn | None]:
    last = trainee[-1] if trainee else None
    if item.kind in ("greeting", "empathy"):
        window = trainee[: item.within_turns] if item.within_turns else trainee
        label = item.kind
        for turn in window:
            if label in turn.labels or (label == "greeting" and turn.intent == "greeting"):
                return True, say(f"{label}_ok", lang, n=turn.seq), turn
        n = item.within_turns or len(trainee)
        return False, say(f"{label}_missing", lang, n=n), window[-1] if window else None
    if item.kind == "identity_before_account":
        patterns = account_mentions(scenario)
        check = next((t for t in trainee if "identity_check" in t.labels), None)
        reveal = next((t for t in trainee if _mentions(patterns, t.text)), None)
        if reveal is not None and (check is None or check.seq > reveal.seq):
            return False, say("identity_broken", lang), reveal
        if check is not None:
            return True, say("identity_ok", lang), check
        return False, say("identity_missing", lang), None
    if item.kind == "kb_answer":
        assert item.expect is not None
        own = item.expect.get(lang)
        others = [p for other in LANGS if other != lang for p in item.expect.get(other)]
        for turn in trainee:
            if matches_phrases(turn.text, own) or matches_phrases(turn.text, others):
                return True, say("answer_ok", lang, article=item.article), turn
        return False, say("answer_missing", lang, article=item.article), None
    if item.kind == "action":
        if outcome == item.outcome:
            return True, say("action_ok", lang, outcome=_outcome(outcome, lang)), last
        got = _outcome(outcome, lang) if outcome else say("outcome_none", lang)
        return (
            False,
            say("action_wrong", lang, expected=_outcome(item.outcome or "", lang), got=got),
            last,
        )
    # time
    assert item.limit_s is not None
    finished = outcome is not None and outcome != "abandoned"
    if finished and duration_s <= item.limit_s:
        return True, say("time_ok", lang, s=round(duration_s), limit=round(item.limit_s)), last
    if not finished:
        return False, say("time_unfinished", lang), last
    return False, say("time_over", lang, s=round(duration_s), limit=round(item.limit_s)), last


def _outcome(outcome: str | None, lang: str) -> str:
    return say(f"outcome_{outcome}", lang) if outcome else say("outcome_none", lang)
