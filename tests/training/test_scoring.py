"""Each rubric item is scored automatically, with the turn that satisfied or broke it."""

from __future__ import annotations

from tests.training.conftest import BRAND
from vitrina.training.scenario import parse_scenario
from vitrina.training.service import DryRun, dry_run

HELLO = "Hello, welcome to Aurora Motors."
SORRY = "I'm so sorry about the delay, I understand your frustration."
VERIFY = "Before I open your order I need to verify your identity: I've sent a one-time code."
DATE = "Your car is due on 18 December; configured cars take 8 to 12 weeks."
BOOK = "Let me book a handover appointment for you, with a courtesy car until then."
HANDOFF = "I'll transfer you to a colleague from the delivery team."


async def _run(source: str, replies: list[tuple[str, float]], lang: str = "en") -> DryRun:
    return await dry_run(
        parse_scenario(source), brand=BRAND, language=lang, replies=replies, reader=None
    )


def _item(run: DryRun, item_id: str) -> tuple[bool, int | None, str]:
    item = next(i for i in run.score.items if i.id == item_id)
    return item.passed, item.evidence.seq if item.evidence else None, item.reason


def _seq_of(run: DryRun, text: str) -> int:
    """The transcript number of a trainee's line (customer and trainee lines counted)."""
    return next(i for i, t in enumerate(run.turns, 1) if t.who == "trainee" and t.text == text)


async def test_a_model_answer_earns_every_item_each_with_its_evidence(
    late_delivery_source: str,
) -> None:
    replies = [(HELLO, 3), (SORRY, 5), (VERIFY, 5), (DATE, 5), (BOOK, 5)]
    run = await _run(late_delivery_source, [(t, float(s)) for t, s in replies])
    assert run.path == ["opening", "greeted", "listening", "verify", "delivery_date", "booked"]
    assert run.outcome == "booked"
    assert (run.score.earned, run.score.total, run.score.percent) == (100, 100, 100)
    assert _item(run, "greeting")[:2] == (True, _seq_of(run, HELLO))
    assert _item(run, "empathy")[:2] == (True, _seq_of(run, SORRY))
    assert _item(run, "identity")[:2] == (True, _seq_of(run, VERIFY))
    assert _item(run, "delivery_times")[:2] == (True, _seq_of(run, DATE))
    assert _item(run, "booking")[:2] == (True, _seq_of(run, BOOK))
    assert _item(run, "time")[0] is True


async def test_account_data_before_the_identity_check_breaks_the_rule_at_that_turn(
    late_delivery_source: str,
) -> None:
    run = await _run(late_delivery_source, [(SORRY, 3.0), (DATE, 3.0), (VERIFY, 3.0)])
    passed, seq, reason = _item(run, "identity")
    assert (passed, seq) == (False, _seq_of(run, DATE))
    assert reason == "Gave account data before checking the customer's identity."
    # No greeting in the first reply: the evidence is that first reply.
    assert _item(run, "greeting")[:2] == (False, _seq_of(run, SORRY))
    # Empathy came first: it counts.
    assert _item(run, "empathy")[0] is True


async def test_missing_items_have_no_evidence_or_the_last_reply_that_could_have(
    late_delivery_source: str,
) -> None:
    replies = [(HELLO, 3.0), ("Please hold on.", 3.0), ("Just a second.", 3.0)]
    run = await _run(late_delivery_source, replies)
    assert run.outcome == "abandoned"  # ignored twice, the customer leaves
    passed, seq, reason = _item(run, "empathy")
    assert (passed, seq) == (False, _seq_of(run, "Please hold on."))
    assert reason == "No empathy phrase in the first 2 replies."
    assert _item(run, "identity") == (False, None, "Never checked the customer's identity.")
    assert _item(run, "delivery_times")[:2] == (False, None)
    assert _item(run, "booking")[0] is False
    assert _item(run, "time")[2] == "The customer's request was not brought to an end."
    assert run.score.earned == 10  # the greeting only


async def test_the_wrong_action_and_a_slow_session_lose_their_points(
    late_delivery_source: str,
) -> None:
    replies = [(HELLO, 3.0), (SORRY, 100.0), (VERIFY, 30.0), (DATE, 30.0), (HANDOFF, 30.0)]
    run = await _run(late_delivery_source, replies)
    assert run.outcome == "handed_off"
    passed, seq, reason = _item(run, "booking")
    assert (passed, seq) == (False, _seq_of(run, HANDOFF))
    assert (
        reason
        == "Expected: an appointment booked; the conversation ended: handed off to a colleague."
    )
    assert _item(run, "empathy")[0] is True
    # 100 s of silence escalated twice before the apology.
    assert sum(1 for t in run.turns if t.escalation) == 2
    assert _item(run, "time")[0] is True  # 193 s of 300
    tight = late_delivery_source.replace("limit_s: 300", "limit_s: 120", 1)
    slow = await _run(tight, replies)
    assert _item(slow, "time") == (
        False, _seq_of(slow, HANDOFF), "Took 193 s (limit 120 s)."
    )  # fmt: skip


async def test_reasons_are_in_the_sessions_language(financing_source: str) -> None:
    replies = [
        ("Bonjour, bienvenue !", 3.0),
        ("Nous proposons un crédit de 12 à 72 mois ou une LOA de 24 à 48 mois.", 5.0),
        ("Pour votre solde, je dois vérifier votre identité : voici un code à usage unique.", 5.0),
        ("Il vous reste 8 400 EUR à payer.", 5.0),
        ("Je vous propose de réserver un rendez-vous pour une simulation.", 5.0),
    ]
    run = await _run(financing_source, replies, lang="fr")
    assert run.outcome == "booked"
    assert run.score.percent == 100
    item = next(i for i in run.score.items if i.id == "financing_options")
    assert item.title == "Explique correctement crédit et LOA"
    assert item.reason.startswith("A donné la réponse de l'article 'financing'")
