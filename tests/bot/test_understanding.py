"""What the greeter of the demo brand does with messages customers type, in English,
French and Italian: it never starts a task the customer did not ask for.

The phrasings here are in neither the brand's examples nor the benchmark's case files.
Each message runs through the real dialogue engine in a fresh conversation whose page is
in another language than the message's."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitrina.bot.brain import Brain, Understanding
from vitrina.bot.brand_eval import NOW, TIMEZONE, Case, DryRunActions, fresh_state, talk
from vitrina.bot.content import BrandContent
from vitrina.bot.engine import Dialogue
from vitrina.bot.multilingual import MultilingualEncoder
from vitrina.bot.policy import decide

OTHER_PAGE = {"en": "it", "fr": "en", "it": "fr"}


@pytest.fixture(scope="module")
def brain(aurora: BrandContent, bot_cache: Path) -> Brain:
    return Brain.build(aurora, encoder=MultilingualEncoder(), cache_dir=bot_cache)


async def outcome(brain: Brain, text: str, lang: str) -> tuple[str | None, str]:
    result = await talk(
        brain, Case(text=text, lang=lang, intent="oos"), page_language=OTHER_PAGE[lang]
    )
    return result.outcome, result.language


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "could my thursday test drive happen on saturday instead",
            "flow:reschedule_appointment",
        ),
        ("en", "I'd like to get behind the wheel of the E1 next week", "flow:book_test_drive"),
        (
            "fr",
            "bonjour, j'avais reservé un essai jeudi mais je dois l'annuler",
            "flow:cancel_appointment",
        ),
        (
            "fr",
            "mon essai de jeudi, on peut le mettre samedi a la place ?",
            "flow:reschedule_appointment",
        ),
        ("fr", "j'aimerais bien conduire la E1 la semaine prochaine", "flow:book_test_drive"),
        (
            "it",
            "ciao, avevo prenotato una prova giovedi ma devo annullarla",
            "flow:cancel_appointment",
        ),
        ("it", "la mia prova di giovedi si puo fare sabato invece?", "flow:reschedule_appointment"),
        ("it", "mi piacerebbe guidare la E1 la settimana prossima", "flow:book_test_drive"),
    ],
)
async def test_book_move_and_cancel_are_told_apart(
    brain: Brain, lang: str, text: str, expected: str
) -> None:
    assert (await outcome(brain, text, lang))[0] == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I drive a 2016 Toyota Yaris, what would you offer me for it against an E1"),
        ("fr", "j'ai une Citroen C3 de 2016, vous m'en proposez combien pour acheter une E1"),
        ("it", "ho una Fiat 500 del 2016, quanto mi offrite se prendo una E1"),
    ],
)
async def test_a_trade_in_naming_the_car_is_not_a_test_drive(
    brain: Brain, lang: str, text: str
) -> None:
    assert (await outcome(brain, text, lang))[0] == "article:trade-in"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "what would a lease on the GT cost me each month", "article:financing"),
        ("en", "how much have I got left to repay on my Aurora car loan", "flow:financing_balance"),
        ("fr", "une LOA sur la GT ca me couterait combien par mois", "article:financing"),
        ("fr", "il me reste combien a rembourser sur mon credit Aurora", "flow:financing_balance"),
        ("it", "un leasing sulla GT quanto mi costerebbe al mese", "article:financing"),
        ("it", "quanto mi manca da rimborsare sul prestito Aurora", "flow:financing_balance"),
    ],
)
async def test_financing_offers_are_not_the_customer_balance(
    brain: Brain, lang: str, text: str, expected: str
) -> None:
    assert (await outcome(brain, text, lang))[0] == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "can you tell me what's left in my savings account at Nationwide"),
        ("fr", "vous pouvez me dire combien il reste sur mon livret chez LCL"),
        ("it", "mi dici quanto c'è sul mio conto deposito in BPER"),
    ],
)
async def test_another_company_account_is_never_read_as_the_brand_balance(
    brain: Brain, lang: str, text: str
) -> None:
    """No identity check and no answer: the bot says it cannot help (or asks)."""
    assert (await outcome(brain, text, lang))[0] in ("out_of_scope", "clarify")


@pytest.mark.parametrize(
    ("lang", "text", "rejected"),
    [
        (
            "en",
            "hey, I booked a drive in the GT for thursday but I have to call it off",
            "flow:book_test_drive",
        ),
        ("fr", "tu peux me conseiller un bon garage pour l'entretien", "handoff"),
        ("en", "my advisor at the bank says I should buy a car, how much is the E1", "handoff"),
    ],
)
async def test_words_of_another_task_in_context_do_not_start_it(
    brain: Brain, lang: str, text: str, rejected: str
) -> None:
    assert (await outcome(brain, text, lang))[0] != rejected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "no I don't want to book anything, I want to cancel my test drive",
            "flow:cancel_appointment",
        ),
        ("fr", "non je ne veux pas réserver, je veux annuler mon essai", "flow:cancel_appointment"),
        (
            "it",
            "no, non voglio prenotare, voglio annullare il mio test drive",
            "flow:cancel_appointment",
        ),
        (
            "en",
            "I don't want to cancel it, I'd rather move it to next week",
            "flow:reschedule_appointment",
        ),
    ],
)
async def test_what_the_customer_rejects_is_not_done(
    brain: Brain, lang: str, text: str, expected: str
) -> None:
    assert (await outcome(brain, text, lang))[0] == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "Just to be sure: do you want to cancel your test drive, or to move your test drive to another time?",
        ),
        ("fr", "Pour être sûre : voulez-vous annuler votre essai, ou déplacer votre essai ?"),
        (
            "it",
            "Per essere sicura: vuoi annullare il tuo test drive, o spostare il tuo test drive?",
        ),
    ],
)
async def test_two_close_tasks_get_one_question_in_the_customer_language(
    brain: Brain, lang: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the wording, when cancel and move are close the bot asks, not acts."""
    close = [("cancel_appointment", 0.46), ("reschedule_appointment", 0.41), ("greeting", 0.02)]
    monkeypatch.setattr(
        brain,
        "understand",
        lambda text, current_language: Understanding(lang, close[0][0], close[0][1], close),  # type: ignore[arg-type]
    )
    state = fresh_state(brain.content.brand, OTHER_PAGE[lang])
    dialogue = Dialogue(brain, state, DryRunActions(), now=NOW, timezone=TIMEZONE)
    turn = await dialogue.respond("my test drive on friday")
    assert turn.replies == [expected]
    assert state.flow is None


def test_an_acting_intent_needs_a_clear_lead(aurora: BrandContent) -> None:
    sure = decide(aurora, [("cancel_appointment", 0.9), ("reschedule_appointment", 0.05)])
    assert sure.kind == "act"
    close = decide(aurora, [("cancel_appointment", 0.55), ("reschedule_appointment", 0.4)])
    assert close.kind == "ask" and close.options == ("cancel_appointment", "reschedule_appointment")
    # A question on a topic is answered at a lower confidence than a task is started.
    fair = aurora.settings.thresholds.act - 0.05
    assert fair > aurora.settings.thresholds.intent
    assert decide(aurora, [("warranty", fair), ("charging", 0.3)]).kind == "act"
    assert decide(aurora, [("book_test_drive", fair), ("test_drive_info", 0.3)]).kind == "ask"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "where exactly is the dealership, I'm driving over from versailles"),
        ("en", "my car won't start this morning, what do I do"),
        ("fr", "ma voiture ne demarre plus ce matin, je fais quoi"),
        ("it", "la mia macchina stamattina non parte, che faccio"),
    ],
)
def test_the_knowledge_base_quotes_no_article_that_does_not_match(
    brain: Brain, lang: str, text: str
) -> None:
    hit = brain.search(text)
    assert hit is None or hit.article.id in {"location"}, (text, hit and hit.article.id)


def test_the_knowledge_base_answers_a_question_it_covers(brain: Brain) -> None:
    hit = brain.search("opening hours of the showroom on saturday")
    assert hit is not None and hit.article.id == "opening-hours"


@pytest.mark.parametrize(
    ("text", "page", "lang"),
    [
        ("coucou", "en", "fr"),
        ("salut !", "it", "fr"),
        ("ciao!", "fr", "it"),
        ("buonasera", "en", "it"),
        ("hi there", "fr", "en"),
        ("thx", "it", "en"),
    ],
)
async def test_a_short_greeting_sets_the_conversation_language(
    brain: Brain, text: str, page: str, lang: str
) -> None:
    result = await talk(brain, Case(text=text, lang=lang, intent="greeting"), page_language=page)
    assert result.language == lang


async def test_a_product_name_alone_keeps_the_conversation_language(brain: Brain) -> None:
    result = await talk(brain, Case(text="GT", lang="it", intent="models"), page_language="it")
    assert result.language == "it"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "describe the grand tourer to me"),
        ("en", "the e1, tell me everything"),
        ("fr", "presentez moi la gt en deux mots"),
        ("fr", "la e1, racontez moi tout"),
        ("it", "descrivimi la gt"),
        ("it", "la e1, raccontami tutto"),
    ],
)
async def test_asking_about_a_car_never_books_a_drive(brain: Brain, lang: str, text: str) -> None:
    # No word of driving, trying or booking and no day: whatever the model reads, the
    # booking flow does not start.
    got, language = await outcome(brain, text, lang)
    assert got != "flow:book_test_drive"
    assert language == lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "could i have a go in the gt on friday"),
        ("fr", "je voudrais prendre le volant de la e1 jeudi"),
        ("it", "vorrei mettermi al volante della e1 giovedi"),
        # Close in wording to moving a booking, but no booking is spoken of: nothing to
        # move, so the moving examples have no say.
        ("en", "can i test the e1 tuesday around 3pm?"),
        ("fr", "je peux tester la e1 mardi vers 15h ?"),
        ("it", "posso testare la e1 martedi verso le 15?"),
    ],
)
async def test_a_drive_asked_for_without_the_word_booking_still_books(
    brain: Brain, lang: str, text: str
) -> None:
    got, _ = await outcome(brain, text, lang)
    assert got == "flow:book_test_drive"
