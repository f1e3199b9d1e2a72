"""`vitrina bot eval-brand`: talk to a brand's greeter as customers would, and score it.

Each case is one customer message in a fresh conversation, answered by the real dialogue
engine (thresholds, flows, knowledge-base fallback) over the brand's trained brain. The
conversation starts in a page language that differs from the message's for two cases in
three, so that the reply language measures detection rather than the page.

What counts, per language:
- in-scope accuracy: the bot did what the expected intent does (started its flow, quoted
  its article, said its response, or handed over); a clarifying question is a miss;
- out of scope handled: for `oos` cases, the bot said it cannot answer (or offered a
  human) instead of answering or acting;
- wrong actions: a state-changing step (a flow that books, moves, cancels or reads
  account data, or a handoff) that the expected intent does not take;
- reply language: the conversation's language after the turn is the message's;
- latency of the whole turn, wall clock and CPU time.

Actions on other domains are answered by `DryRunActions`: every lookup succeeds and
nothing is written, so a flow goes as far as a customer would see on a first message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from vitrina.bot.brain import Brain
from vitrina.bot.content import LANGS, BrandContent, Flow, Intent
from vitrina.bot.engine import Dialogue
from vitrina.bot.models import BotConversation, new_state
from vitrina.bot.turn import ActionResult

OOS = "oos"
# A weekday morning: relative dates in the messages resolve to open hours.
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
TIMEZONE = "Europe/Paris"
Progress = Callable[[int, int], None]


class CaseError(ValueError):
    """A case file the evaluator cannot use; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    lang: str
    intent: str


def read_cases(path: Path, content: BrandContent) -> list[Case]:
    known = {i.name for i in content.intents} | {OOS}
    cases: list[Case] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not all(
            isinstance(row.get(k), str) and row[k] for k in ("text", "lang", "intent")
        ):
            raise CaseError(f"{path}:{number}: needs string fields text, lang and intent")
        if row["lang"] not in LANGS:
            raise CaseError(f"{path}:{number}: lang {row['lang']!r} is not one of {LANGS}")
        if row["intent"] not in known:
            raise CaseError(
                f"{path}:{number}: intent {row['intent']!r} is not an intent of "
                f"{content.brand} (or {OOS!r})"
            )
        cases.append(Case(text=row["text"], lang=row["lang"], intent=row["intent"]))
    if not cases:
        raise CaseError(f"{path}: no cases")
    return cases


class DryRunActions:
    """Every lookup finds something and nothing is changed: the flow goes on as far as a
    first message takes it, and what it started is read from the turn's outcome."""

    async def verified_identity(self) -> str | None:
        return None

    async def target(self, flow: Flow, language: str) -> ActionResult:
        return ActionResult(ok=True, values={"current": "Friday 10:00"})

    async def prepare(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult:
        return ActionResult(ok=True, values={"slot": "Friday 10:00"})

    async def run(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult:
        return ActionResult(ok=True, values={"reference": "DRY-RUN"})

    async def handoff(self, *, reason: str, summary: dict[str, Any]) -> bool:
        return True


def expected_outcome(intent: Intent) -> str:
    if intent.flow:
        return f"flow:{intent.flow}"
    if intent.article:
        return f"article:{intent.article}"
    if intent.response:
        return f"response:{intent.response}"
    return "handoff"


def changes_something(outcome: str | None) -> bool:
    """Outcomes that act for the customer: a task flow or a handoff."""
    return outcome is not None and (outcome.startswith("flow:") or outcome == "handoff")


@dataclass
class Result:
    case: Case
    outcome: str | None
    language: str
    ms: float
    # CPU time of the turn: unlike wall time, not inflated by other processes on the
    # machine's cores.
    cpu_ms: float


@dataclass
class LanguageReport:
    cases: int
    in_scope: int
    in_scope_accuracy: float | None
    clarified: float | None
    out_of_scope: int
    oos_handled: float | None
    wrong_action_rate: float
    wrong_actions: int
    reply_language: float
    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float
    cpu_p99_ms: float
    misses: list[dict[str, str | None]] = field(default_factory=list)


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def summarise(results: list[Result], content: BrandContent) -> LanguageReport:
    in_scope = [r for r in results if r.case.intent != OOS]
    oos = [r for r in results if r.case.intent == OOS]
    misses: list[dict[str, str | None]] = []
    right = wrong = clarified = handled = 0
    for r in results:
        intent = content.intent(r.case.intent)
        expected = expected_outcome(intent) if intent is not None else "response:out_of_scope"
        if r.case.intent == OOS:
            ok = r.outcome in ("response:out_of_scope", "out_of_scope", "offer_human")
            handled += ok
        else:
            ok = r.outcome == expected
            right += ok
            clarified += r.outcome == "clarify"
        if changes_something(r.outcome) and r.outcome != expected:
            wrong += 1
        if not ok or r.language != r.case.lang:
            misses.append(
                {
                    "text": r.case.text,
                    "expected": expected,
                    "got": r.outcome,
                    "language": r.language,
                }
            )
    timings = [r.ms for r in results] or [0.0]
    cpu = [r.cpu_ms for r in results] or [0.0]
    return LanguageReport(
        cases=len(results),
        in_scope=len(in_scope),
        in_scope_accuracy=_share(right, len(in_scope)),
        clarified=_share(clarified, len(in_scope)),
        out_of_scope=len(oos),
        oos_handled=_share(handled, len(oos)),
        wrong_action_rate=wrong / len(results) if results else 0.0,
        wrong_actions=wrong,
        reply_language=float(np.mean([r.language == r.case.lang for r in results])),
        p50_ms=float(np.percentile(timings, 50)),
        p99_ms=float(np.percentile(timings, 99)),
        cpu_p50_ms=float(np.percentile(cpu, 50)),
        cpu_p99_ms=float(np.percentile(cpu, 99)),
        misses=misses,
    )


def fresh_state(brand: str, language: str) -> BotConversation:
    return new_state(id="eval", conversation_id="eval", brand_slug=brand, language=language)


async def talk(brain: Brain, case: Case, *, page_language: str) -> Result:
    state = fresh_state(brain.content.brand, page_language)
    dialogue = Dialogue(brain, state, DryRunActions(), now=NOW, timezone=TIMEZONE)
    start, start_cpu = time.perf_counter(), time.process_time()
    turn = await dialogue.respond(case.text)
    ms = (time.perf_counter() - start) * 1000
    cpu_ms = (time.process_time() - start_cpu) * 1000
    return Result(case=case, outcome=turn.outcome, language=state.language, ms=ms, cpu_ms=cpu_ms)


async def evaluate(
    brain: Brain, cases: list[Case], *, progress: Progress | None = None
) -> dict[str, LanguageReport]:
    """One report per language of the cases, and `all` over every case."""
    languages = brain.content.settings.languages
    results: list[Result] = []
    for n, case in enumerate(cases):
        # Two cases in three start on a page in another language than the message's.
        page = languages[n % len(languages)]
        results.append(await talk(brain, case, page_language=page))
        if progress is not None:
            progress(n + 1, len(cases))
    reports: dict[str, LanguageReport] = {
        lang: summarise([r for r in results if r.case.lang == lang], brain.content)
        for lang in LANGS
        if any(r.case.lang == lang for r in results)
    }
    reports["all"] = summarise(results, brain.content)
    return reports


def as_dict(reports: dict[str, LanguageReport], *, misses: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lang, report in reports.items():
        figures = asdict(report)
        if not misses:
            figures.pop("misses")
        out[lang] = figures
    return out
