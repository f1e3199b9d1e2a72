"""Typing slips: the greeter reads "anulle mon rdv" as "annule mon rdv", in English,
French and Italian, and leaves alone the words it does not know that are not slips
(other companies, products it does not sell, words with pronouns attached).

The messages here are in neither the brand's examples nor the benchmark's case files;
each runs through the real dialogue engine in a fresh conversation whose page is in
another language than the message's."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitrina.bot.brain import Brain
from vitrina.bot.brand_eval import Case, talk
from vitrina.bot.content import BrandContent
from vitrina.bot.multilingual import MultilingualEncoder
from vitrina.bot.spelling import Speller

OTHER_PAGE = {"en": "it", "fr": "en", "it": "fr"}


@pytest.fixture(scope="module")
def brain(aurora: BrandContent, bot_cache: Path) -> Brain:
    return Brain.build(aurora, encoder=MultilingualEncoder(), cache_dir=bot_cache)


@pytest.fixture(scope="module")
def speller(aurora: BrandContent) -> Speller:
    texts = [text for intent in aurora.intents for _, text in intent.examples.items()]
    return Speller(texts)


async def outcome(brain: Brain, text: str, lang: str) -> tuple[str | None, str]:
    result = await talk(
        brain, Case(text=text, lang=lang, intent="oos"), page_language=OTHER_PAGE[lang]
    )
    return result.outcome, result.language


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("how many paymnts are left", "how many payments are left"),
        ("i'd like to make a complant", "i'd like to make a complaint"),
        ("anulle mon rdv", "annule mon rdv"),
        ("combien de mensualiter", "combien de mensualite"),
        ("disdici il mio apuntamento", "disdici il mio appuntamento"),
        ("quante rate mi manacno", "quante rate mi mancano"),
    ],
)
def test_a_slip_becomes_the_brands_word(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        # Real words the brand never uses, other companies, products it does not sell.
        "my wife loves motorbikes",
        "thats my santander account, didnt you know",
        "vous vendez des trottinettes ?",
        "chi è il presidente della repubblica",
        # Italian verbs with their pronouns attached; short words.
        "annullatela e spostatemelo",
        "ok thx slt grz",
    ],
)
def test_words_that_are_not_slips_stay_as_typed(speller: Speller, text: str) -> None:
    assert speller.correct(text) == text


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "can i tlak to a real persn", "handoff"),
        ("en", "how long is the garanty on the battery", "article:warranty"),
        ("fr", "anulle mon essai de samedi stp", "flow:cancel_appointment"),
        ("fr", "combien de mensualiter il me reste chez aurora", "flow:financing_balance"),
        ("it", "disdici il mio apuntamento di sabato", "flow:cancel_appointment"),
        ("it", "quanto dura una porva su strada", "article:test-drives"),
    ],
)
async def test_a_message_with_a_slip_gets_what_was_asked(
    brain: Brain, lang: str, text: str, expected: str
) -> None:
    got, language = await outcome(brain, text, lang)
    assert got == expected
    assert language == lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "do you sell motorbikes too"),
        ("en", "never mind"),
        ("fr", "vous vendez des trottinettes electriques ?"),
        ("fr", "ca ne fait rien, laissez"),
        ("it", "vendete anche biciclette?"),
        ("it", "non importa, lascia stare"),
    ],
)
async def test_what_the_brand_does_not_sell_and_a_dismissal_start_nothing(
    brain: Brain, lang: str, text: str
) -> None:
    got, language = await outcome(brain, text, lang)
    assert got in ("out_of_scope", "response:out_of_scope")
    assert language == lang
