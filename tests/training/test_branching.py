"""The script branches on how the bot's NLU reads the trainee's reply (its intent), on the
reply's labels, and on keyword and regex fallbacks, in English, French and Italian."""

from __future__ import annotations

import pytest

from tests.training.conftest import BRAND
from vitrina.training import engine
from vitrina.training.engine import Reading
from vitrina.training.nlu import BotReader
from vitrina.training.scenario import parse_scenario
from vitrina.training.service import dry_run

# A reply about delivery times that neither greets nor apologises: only the NLU's
# `delivery` intent tells where it leads (the customer wants their own car, not a brochure).
DELIVERY_FACTS = {
    "en": "Cars in stock are delivered within two weeks, configured cars take longer.",
    "fr": "Les voitures en stock sont livrées sous deux semaines, les voitures configurées plus tard.",
    "it": "Le auto disponibili vengono consegnate entro due settimane, quelle configurate più tardi.",
}
EMPATHY = {
    "en": "I'm so sorry about the delay, I understand your frustration.",
    "fr": "Je suis vraiment désolé pour ce retard, je comprends votre frustration.",
    "it": "Mi dispiace molto per il ritardo, capisco la sua frustrazione.",
}
GREETING = {
    "en": "Good morning, welcome to Aurora Motors.",
    "fr": "Bonjour, bienvenue chez Aurora Motors.",
    "it": "Buongiorno, benvenuto da Aurora Motors.",
}
IGNORING = {
    "en": "One moment please.",
    "fr": "Un instant s'il vous plaît.",
    "it": "Un attimo per favore.",
}


@pytest.mark.parametrize("lang", ["en", "fr", "it"])
async def test_the_nlu_intent_of_a_reply_chooses_the_branch(
    reader: BotReader, late_delivery_source: str, lang: str
) -> None:
    scenario = parse_scenario(late_delivery_source)
    reading = await reader.read(BRAND, DELIVERY_FACTS[lang], lang)
    assert reading.intent == "delivery", reading
    state, _ = engine.begin(scenario, lang)
    matched, actions = engine.respond(scenario, state, DELIVERY_FACTS[lang], reading, at=3.0)
    assert matched.step == "cold_facts"
    assert matched.criteria == ["intent:delivery"]
    said = [a.value for a in actions if a.kind == "say"]
    assert said == [scenario.step("cold_facts").customer.get(lang)]


@pytest.mark.parametrize("lang", ["en", "fr", "it"])
async def test_empathy_greeting_and_silence_lead_to_different_steps(
    reader: BotReader, late_delivery_source: str, lang: str
) -> None:
    scenario = parse_scenario(late_delivery_source)
    reached = {}
    for name, text in (("empathy", EMPATHY), ("greeting", GREETING), ("other", IGNORING)):
        result = await dry_run(
            scenario, brand=BRAND, language=lang, replies=[(text[lang], 2.0)], reader=reader
        )
        reached[name] = result.path[-1]
    assert reached == {"empathy": "listening", "greeting": "greeted", "other": "ignored"}


async def test_keywords_are_the_fallback_when_the_model_reads_nothing(
    financing_source: str,
) -> None:
    scenario = parse_scenario(financing_source)
    for lang, text in (
        ("en", "You can take a loan or a lease."),
        ("fr", "Vous pouvez prendre un crédit ou une LOA."),
        ("it", "Può scegliere un prestito o un leasing."),
    ):
        state, _ = engine.begin(scenario, lang)
        nothing = Reading(language=lang, intent=None, confidence=0.0)
        matched, _ = engine.respond(scenario, state, text, nothing, at=1.0)
        assert (matched.step, matched.criteria) == ("options", ["keywords"]), lang


async def test_a_regex_fallback_and_an_intent_below_its_confidence(
    late_delivery_source: str,
) -> None:
    scenario = parse_scenario(late_delivery_source)
    state, _ = engine.begin(scenario, "en")
    state.step = "verify"
    weak = Reading(language="en", intent="delivery", confidence=0.1)
    matched, _ = engine.respond(scenario, state, "It comes on 18 Dec.", weak, at=1.0)
    assert (matched.step, matched.criteria) == ("delivery_date", ["regex"])
    # A `delivery` intent below the branch's 0.5 does not count as delivery talk.
    state, _ = engine.begin(scenario, "en")
    matched, _ = engine.respond(scenario, state, "Well.", weak, at=1.0)
    assert matched.step == "ignored"


def test_all_criteria_must_hold_when_the_branch_says_so() -> None:
    source = """
scenario:
  slug: strict
  title: {en: T, fr: T, it: T}
  summary: {en: S, fr: S, it: S}
  persona:
    name: Sam
    mood: calm
    goal: {en: G, fr: G, it: G}
    escalation: {en: E, fr: E, it: E}
    walk_away: {en: W, fr: W, it: W}
  start: a
  steps:
    a:
      customer: {en: Hi, fr: Salut, it: Ciao}
      branches:
        - when: {labels: [empathy], keywords: {en: [refund]}, match: all}
          goto: b
      otherwise: c
    b:
      end: resolved
      customer: {en: Thanks, fr: Merci, it: Grazie}
    c:
      end: unresolved
      customer: {en: Bye, fr: Adieu, it: Ciao}
  rubric:
    - {id: g, kind: greeting, title: {en: G, fr: G, it: G}}
"""
    scenario = parse_scenario(source)
    none = Reading(language="en", intent=None, confidence=0.0)
    state, _ = engine.begin(scenario, "en")
    assert engine.respond(scenario, state, "Sorry.", none, at=1.0)[0].step == "c"
    state, _ = engine.begin(scenario, "en")
    assert (
        engine.respond(scenario, state, "Sorry, a refund is on its way.", none, at=1.0)[0].step
        == "b"
    )


def test_a_customer_kept_waiting_escalates_then_walks_away(late_delivery_source: str) -> None:
    scenario = parse_scenario(late_delivery_source)
    patience = scenario.persona.patience_s
    state, _ = engine.begin(scenario, "it")
    assert engine.idle(scenario, state, at=patience - 1) == []
    first = engine.idle(scenario, state, at=patience)
    assert [a.value for a in first if a.kind == "say"] == [scenario.persona.escalation.it]
    assert state.mood == "furious" and state.escalations == 1
    second = engine.idle(scenario, state, at=2 * patience)
    assert not state.ended and any(a.escalation for a in second)
    third = engine.idle(scenario, state, at=3 * patience)
    assert state.outcome == "abandoned"
    assert [a.value for a in third if a.kind == "say"] == [scenario.persona.walk_away.it]
    assert engine.idle(scenario, state, at=10 * patience) == []
