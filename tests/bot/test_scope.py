"""Requests no brand answers (arithmetic, translation, another company's account) and
asking for a person, told by their form: through the real engine, in three languages.

The phrasings here are in neither the brand's examples nor the benchmark's case files."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitrina.bot.brain import Brain
from vitrina.bot.brand_eval import Case, talk
from vitrina.bot.content import BrandContent
from vitrina.bot.cues import asks_for_person, refers_to_booking
from vitrina.bot.multilingual import MultilingualEncoder
from vitrina.bot.policy import decide
from vitrina.bot.scope import asks_general_task, names_other_company, own_names
from vitrina.core.text import fold

OTHER_PAGE = {"en": "fr", "fr": "it", "it": "en"}
OWN = own_names("aurora-motors", ["Nova", "Aurora E1", "E1", "Aurora GT", "GT"])


@pytest.fixture(scope="module")
def brain(aurora: BrandContent, bot_cache: Path) -> Brain:
    return Brain.build(aurora, encoder=MultilingualEncoder(), cache_dir=bot_cache)


async def outcome(brain: Brain, text: str, lang: str) -> str | None:
    case = Case(text=text, lang=lang, intent="oos")
    return (await talk(brain, case, page_language=OTHER_PAGE[lang])).outcome


@pytest.mark.parametrize(
    "text",
    [
        "what do 36 times 12 make",
        "19 x 3 = ?",
        "what's 15% of 240",
        "square root of 81?",
        "combien font 48 divisé par 6",
        "calcule moi 7 fois 8 stp",
        "quanto fa 9 per 9",
        "la radice quadrata di 225",
        "translate 'test drive' into german",
        "comment on dit voiture électrique en espagnol",
        "traducimi 'garanzia' in inglese",
        "come si dice concessionario in francese",
        "what is the price of silver this week",
        "le cours de l'or aujourd'hui",
    ],
)
def test_arithmetic_and_translation_are_general_tasks(text: str) -> None:
    assert asks_general_task(text)


@pytest.mark.parametrize(
    "text",
    [
        "how long from 10 to 80 percent on a fast charger",
        "de 20 à 80 % en combien de temps",
        "dal 10 al 90% quanto ci mette",
        "a lease at 349 per month over 36 months",
        "the 8 year battery warranty covers 160000 km?",
        "can I come on 12/12 at 10",
    ],
)
def test_numbers_of_the_brand_topics_are_not_arithmetic(text: str) -> None:
    assert not asks_general_task(text)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "what do 36 times 12 make"),
        ("fr", "combien font 48 divisé par 6"),
        ("it", "quanto fa 9 per 9"),
        ("en", "how do you say 'trade-in' in spanish"),
        ("fr", "traduis 'essai routier' en italien stp"),
        ("it", "come si dice concessionario in francese"),
    ],
)
async def test_general_tasks_are_declined_in_every_language(
    brain: Brain, lang: str, text: str
) -> None:
    assert await outcome(brain, text, lang) == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("how much is still due on my car loan with Volkswagen Financial Services", True),
        ("my lease with Acme Finance, what's left to pay", True),
        ("combien il me reste sur mon crédit chez Cetelem", True),
        ("il saldo del mio conto corrente", True),
        ("how much is still owed on my house loan", True),
        ("il me reste combien sur mon prêt perso", True),
        ("quanto devo ancora ad Agos per la macchina", True),
        ("how much do I still owe on my Aurora financing", False),
        ("il me reste combien à payer sur mon financement chez vous", False),
        ("what's my current finance balance with you", False),
        ("quanto mi resta da pagare sul leasing della GT", False),
    ],
)
def test_another_company_is_told_from_the_brand(text: str, other: bool) -> None:
    assert names_other_company(text, OWN) is other


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "what's the outstanding amount on my car finance with Ford Credit"),
        ("fr", "c'est combien le solde de mon leasing chez Diac"),
        ("it", "a quanto ammonta il residuo del mio finanziamento con Findomestic"),
    ],
)
async def test_another_company_car_finance_never_starts_the_balance_flow(
    brain: Brain, lang: str, text: str
) -> None:
    """No identity check for an account the brand does not hold: the bot says it
    cannot help."""
    assert await outcome(brain, text, lang) == "out_of_scope"


def test_no_account_reading_flow_for_another_company(aurora: BrandContent) -> None:
    ranking = [("financing_balance", 0.97), ("financing", 0.02)]
    assert decide(aurora, ranking).kind == "act"
    assert decide(aurora, ranking, elsewhere=True).kind == "outside"
    # Naming another company does not stop a task that reads no account (a trade-in of
    # one's Peugeot, booking a drive after one's Tesla).
    booking = [("book_test_drive", 0.97), ("test_drive_info", 0.02)]
    assert decide(aurora, booking, elsewhere=True).kind == "act"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("agent", True),
        ("un conseiller svp", True),
        ("can you put me through to an advisor", True),
        ("je voudrais parler à un conseiller", True),
        ("passatemi un operatore", True),
        ("je voudrais parler au commercial", True),
        ("mi passate il vostro commerciale", True),
        ("is an advisor in the car with me during the test drive", False),
        ("le conseiller reste dans la voiture pendant l'essai ?", False),
        ("il consulente sta in macchina con me durante la prova?", False),
    ],
)
def test_naming_a_person_is_not_asking_for_one(text: str, asks: bool) -> None:
    assert asks_for_person(fold(text)) is asks


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "is an advisor in the car with me during the test drive"),
        ("fr", "le conseiller reste dans la voiture pendant l'essai ?"),
        ("it", "il consulente sta in macchina con me durante la prova?"),
    ],
)
async def test_a_question_about_the_advisor_is_not_a_handoff(
    brain: Brain, lang: str, text: str
) -> None:
    assert await outcome(brain, text, lang) != "handoff"


@pytest.mark.parametrize(
    ("text", "existing"),
    [
        ("can we push my drive to next week", True),
        ("j'ai un imprévu, on peut décaler ?", True),
        ("non riesco a venire, disdici tutto", True),
        ("a GT test drive on Monday at 10, possible?", False),
        ("un essai de la E1 lundi à 10h ça se fait ?", False),
        ("una prova della E1 lunedì alle 10 si fa?", False),
    ],
)
def test_moving_or_cancelling_speaks_of_an_existing_booking(text: str, existing: bool) -> None:
    assert refers_to_booking(fold(text)) is existing


def test_no_booking_is_moved_or_cancelled_without_one_being_spoken_of(
    aurora: BrandContent,
) -> None:
    ranking = [("reschedule_appointment", 0.9), ("book_test_drive", 0.08)]
    assert decide(aurora, ranking).kind == "act"
    ungrounded = decide(aurora, ranking, existing=False)
    assert ungrounded.kind == "ask"
    assert ungrounded.options == ("reschedule_appointment", "book_test_drive")
    # Booking needs no existing appointment.
    booking = [("book_test_drive", 0.95), ("reschedule_appointment", 0.03)]
    assert decide(aurora, booking, existing=False).kind == "act"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "a drive in the GT on Monday at 10, can that work?"),
        ("fr", "un essai de la GT lundi à 10h ça se fait ?"),
        ("it", "un giro con la GT lunedì alle 10 si fa?"),
    ],
)
async def test_a_new_booking_is_never_taken_for_moving_or_cancelling_one(
    brain: Brain, lang: str, text: str
) -> None:
    assert await outcome(brain, text, lang) not in (
        "flow:reschedule_appointment",
        "flow:cancel_appointment",
    )


def test_a_common_word_alone_is_not_another_company() -> None:
    assert not names_other_company("le solde du financement de ma société chez vous", OWN)
    assert names_other_company("combien je dois à la Société Générale", OWN)
