from __future__ import annotations

import pytest

from vitrina.bot.content import BrandContent, Lang
from vitrina.bot.language import LanguageDetector


@pytest.fixture(scope="module")
def detector(aurora: BrandContent) -> LanguageDetector:
    samples = [(lang, t) for i in aurora.intents for lang, t in i.examples.items()]
    return LanguageDetector(samples)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("What time do you close on Saturdays?", "en"),
        ("À quelle heure fermez-vous le samedi ?", "fr"),
        ("A che ora chiudete il sabato?", "it"),
        ("merci", "fr"),
        ("grazie", "it"),
        ("thanks", "en"),
        ("ciao", "it"),
        ("bonjour", "fr"),
        ("Je voudrais réserver un essai", "fr"),
        ("Vorrei prenotare un test drive", "it"),
    ],
)
def test_detects_the_language(detector: LanguageDetector, text: str, lang: Lang) -> None:
    assert detector.detect(text) == lang


def test_unclear_text_keeps_the_conversation_language(detector: LanguageDetector) -> None:
    assert detector.detect("GT", current="it") == "it"
    assert detector.detect("ok", current="fr") == "fr"
    assert detector.detect("12/12", current="fr") == "fr"


def test_held_out_accuracy(aurora: BrandContent) -> None:
    """Trained on every other example, measured on the rest: the figure in docs/bot.md."""
    samples = [(lang, t) for i in aurora.intents for lang, t in i.examples.items()]
    train, held_out = samples[::2], samples[1::2]
    assert LanguageDetector(train).accuracy(held_out) >= 0.95


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Drawn-out letters, a letter too many, chat forms and missing accents.
        ("bonjouuur", "fr"),
        ("bonjouur", "fr"),
        ("ciaooooo", "it"),
        ("buongiornoo", "it"),
        ("hellooooo", "en"),
        ("heyyy there", "en"),
        ("genial merci", "fr"),
        ("bjr nova", "fr"),
        ("ta", "en"),
        ("grazie milleee", "it"),
        ("merciii beaucoup", "fr"),
        ("a plus", "fr"),
        # A borrowed greeting does not outweigh the other language's words.
        ("ciao a bientot", "fr"),
        ("hey coucou", "fr"),
        ("ciao for today", "en"),
        # Chat forms, and short messages whose words belong to one language.
        ("thanx", "en"),
        ("mrci", "fr"),
        ("a+ !", "fr"),
        ("tarifs GT ?", "fr"),
        ("cost of GT?", "en"),
    ],
)
@pytest.mark.parametrize("page", ["en", "fr", "it"])
def test_short_and_drawn_out_greetings_set_the_language_whatever_the_page(
    detector: LanguageDetector, text: str, lang: Lang, page: Lang
) -> None:
    assert detector.detect(text, current=page) == lang
