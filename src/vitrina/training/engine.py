"""The simulated customer: walks a scenario's script, one trainee reply at a time.

Pure and deterministic: the state is plain JSON (kept on the session row), time is the
number of seconds since the session started, and every function returns what the
customer does (say, emote, walk, end). The live runner in `runner.py` plays those
actions in the world; the dry run in the editor and the tests call the same functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from vitrina.core.text import fold
from vitrina.training.labels import labels_of, matches_phrases
from vitrina.training.scenario import MOODS, Scenario, Step, When


@dataclass(frozen=True, slots=True)
class Reading:
    """What the bot's NLU read in a trainee's reply."""

    language: str
    intent: str | None
    confidence: float


NO_READING = Reading(language="en", intent=None, confidence=0.0)


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the customer does: `say` (text), `emote` (name), `walk` (to the
    product), `mood` (name), `end` (outcome)."""

    kind: Literal["say", "emote", "walk", "mood", "end"]
    value: str = ""
    escalation: bool = False


@dataclass
class State:
    step: str
    language: str
    mood: str
    waiting_since: float = 0.0  # when the customer last spoke (seconds since start)
    escalations: int = 0
    trainee_turns: int = 0
    path: list[str] = field(default_factory=list)
    outcome: str | None = None

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "language": self.language,
            "mood": self.mood,
            "waiting_since": self.waiting_since,
            "escalations": self.escalations,
            "trainee_turns": self.trainee_turns,
            "path": list(self.path),
            "outcome": self.outcome,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        return cls(
            step=str(data["step"]),
            language=str(data["language"]),
            mood=str(data["mood"]),
            waiting_since=float(data.get("waiting_since", 0.0)),
            escalations=int(data.get("escalations", 0)),
            trainee_turns=int(data.get("trainee_turns", 0)),
            path=[str(p) for p in data.get("path", [])],
            outcome=data.get("outcome"),
        )


@dataclass(frozen=True, slots=True)
class Matched:
    """How a reply was read and where it led."""

    labels: list[str]
    branch: int | None  # the index of the branch taken; None: `otherwise` or a repeat
    step: str  # the step reached
    criteria: list[str]  # what matched: "intent:complaint", "label:empathy", ...


def begin(scenario: Scenario, language: str) -> tuple[State, list[Action]]:
    state = State(step=scenario.start, language=language, mood=scenario.persona.mood)
    state.path.append(scenario.start)
    return state, _arrive(scenario, state, scenario.step(scenario.start), at=0.0)


def _arrive(scenario: Scenario, state: State, step: Step, *, at: float) -> list[Action]:
    actions: list[Action] = []
    if step.walk_to_product:
        actions.append(Action("walk", scenario.room.products[0]))
    if step.mood is not None and step.mood != state.mood:
        state.mood = step.mood
        actions.append(Action("mood", step.mood))
    actions.append(Action("say", step.customer.get(state.language)))
    if step.emote is not None:
        actions.append(Action("emote", step.emote))
    state.waiting_since = at
    if step.end is not None:
        state.outcome = step.end
        actions.append(Action("end", step.end))
    return actions


def criteria_met(
    when: When, text: str, reading: Reading, labels: list[str], language: str
) -> list[str]:
    """The criteria of `when` that the reply meets (each named), honouring `match`."""
    met: list[str] = []
    given = 0
    if when.intents:
        given += 1
        if reading.intent in when.intents and reading.confidence >= when.min_confidence:
            met.append(f"intent:{reading.intent}")
    if when.labels:
        given += 1
        hit = [label for label in when.labels if label in labels]
        if hit:
            met.append(f"label:{hit[0]}")
    if when.keywords is not None:
        given += 1
        phrases = when.keywords.get(language) + [
            p for lang in ("en", "fr", "it") if lang != language for p in when.keywords.get(lang)
        ]
        if matches_phrases(text, phrases):
            met.append("keywords")
    if when.regex is not None:
        given += 1
        pattern = re.compile(when.regex, re.IGNORECASE)
        if pattern.search(text) or pattern.search(fold(text)):
            met.append("regex")
    if when.match == "all" and len(met) < given:
        return []
    return met


def read_labels(scenario: Scenario, text: str, language: str) -> list[str]:
    extra = {name: p.model_dump() for name, p in scenario.labels.items()}
    return labels_of(text, language, extra)


def respond(
    scenario: Scenario, state: State, text: str, reading: Reading, *, at: float
) -> tuple[Matched, list[Action]]:
    """The trainee said `text` at `at`: follow the first branch it meets."""
    if state.ended:
        raise ValueError("the session has ended")
    state.trainee_turns += 1
    labels = read_labels(scenario, text, state.language)
    step = scenario.step(state.step)
    for i, branch in enumerate(step.branches):
        met = criteria_met(branch.when, text, reading, labels, state.language)
        if met:
            return Matched(labels, i, branch.goto, met), _go(scenario, state, branch.goto, at)
    if step.otherwise is not None:
        return Matched(labels, None, step.otherwise, []), _go(scenario, state, step.otherwise, at)
    # Nothing fits and nowhere to go: the customer repeats, a little less patient.
    return Matched(labels, None, state.step, []), _escalate(scenario, state, at)


def _go(scenario: Scenario, state: State, name: str, at: float) -> list[Action]:
    state.step = name
    state.path.append(name)
    return _arrive(scenario, state, scenario.step(name), at=at)


def _worse(mood: str) -> str:
    i = MOODS.index(mood) if mood in MOODS else 0
    return MOODS[min(i + 1, len(MOODS) - 1)]


def _escalate(scenario: Scenario, state: State, at: float) -> list[Action]:
    persona = scenario.persona
    state.escalations += 1
    state.waiting_since = at
    if state.escalations > persona.max_escalations:
        state.outcome = "abandoned"
        state.mood = _worse(state.mood)
        return [
            Action("mood", state.mood),
            Action("say", persona.walk_away.get(state.language), escalation=True),
            Action("emote", "shake"),
            Action("end", "abandoned"),
        ]
    state.mood = _worse(state.mood)
    return [
        Action("mood", state.mood),
        Action("say", persona.escalation.get(state.language), escalation=True),
        Action("emote", "shrug"),
    ]


def idle(scenario: Scenario, state: State, *, at: float) -> list[Action]:
    """Time passes: a customer kept waiting past their patience escalates, and walks
    away after too many escalations."""
    if state.ended or at - state.waiting_since < scenario.persona.patience_s:
        return []
    return _escalate(scenario, state, at)


def seconds_until_impatient(scenario: Scenario, state: State, *, at: float) -> float | None:
    if state.ended:
        return None
    return max(0.0, state.waiting_since + scenario.persona.patience_s - at)
