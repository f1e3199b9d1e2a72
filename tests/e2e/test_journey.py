"""The core journey as a customer lives it, once per language (English, French, Italian):
enter the store, ask the opening hours, configure a car, book a test drive, sign in with
an email code, ask for account data, ask for a person, talk with the advisor (a second
browser), answer the survey and export one's data. Every text the customer can read along
the way must be in their language."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_store, until
from tests.e2e.test_handoff import SUPERVISOR, sign_in
from tests.e2e.test_journey_fixes import _outbox, _outbox_code
from vitrina.conversations.notices import CATALOGUE

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
CLIENT = Path(__file__).resolve().parents[2] / "client" / "src"

SAYS = {
    "en": {
        "hours": "What are your opening hours?",
        "book": "Book a test drive of the GT on Friday afternoon",
        "yes": "yes",
        "balance": "What is the balance of my financing contract?",
        "person": "I want to talk to a person",
        "advisor": "Hello, I am Sam. How can I help?",
        "thanks": "Thank you for your rating.",
        "rated": "Rated 5/5",
        "export": "download the ZIP file",
    },
    "fr": {
        "hours": "Quels sont vos horaires d'ouverture ?",
        "book": "Je voudrais essayer la GT vendredi après-midi",
        "yes": "oui",
        "balance": "Quel est le solde de mon contrat de financement ?",
        "person": "Je veux parler à une personne",
        "advisor": "Bonjour, je suis Sam. Comment puis-je vous aider ?",
        "thanks": "Merci pour votre note.",
        "rated": "Note donnée : 5/5",
        "export": "télécharger",
    },
    "it": {
        "hours": "Quali sono gli orari di apertura?",
        "book": "Vorrei provare la GT venerdì pomeriggio",
        "yes": "sì",
        "balance": "Qual è il saldo del mio contratto di finanziamento?",
        "person": "Voglio parlare con una persona",
        "advisor": "Buongiorno, sono Sam. Come posso aiutarti?",
        "thanks": "Grazie per la tua valutazione.",
        "rated": "Valutazione: 5/5",
        "export": "scarica",
    },
}


def _catalogue(path: Path) -> dict[str, dict[str, str]]:
    """The UI strings of a client catalogue, per locale block (`const en = {` ...)."""
    text = path.read_text(encoding="utf-8")
    blocks: dict[str, dict[str, str]] = {}
    for locale in ("en", "fr", "it"):
        start = re.search(rf"^const {locale}\b[^{{]*{{", text, re.MULTILINE)
        assert start is not None, (path, locale)
        end = text.index("\n}", start.end())
        pairs = re.findall(r'"([\w.]+)":\s*\n?\s*"((?:[^"\\]|\\.)*)"', text[start.end() : end])
        blocks[locale] = dict(pairs)
    return blocks


def _english_only() -> list[str]:
    """English texts a French or Italian customer must never read: the client's strings
    and the service notices whose translation differs, long enough to be unambiguous."""
    found: set[str] = set()
    for path in (CLIENT / "i18n.ts", CLIENT / "privacy" / "strings.ts"):
        blocks = _catalogue(path)
        for key, english in blocks["en"].items():
            if "{" in english or len(english) < 12:
                continue
            if all(blocks[other].get(key) != english for other in ("fr", "it")):
                found.add(english)
    for english in CATALOGUE["en"].values():
        if "{" not in english:
            found.add(english)
    found.add("Handoff requested")
    return sorted(found)


def _bot_answers(page: Page, before: int, timeout: float = 60) -> list[str]:
    """The lines said to the customer after the first `before` lines, once one arrived."""
    lines = until(
        page,
        "(n) => { const l = window.__vitrina.chatLines(); return l.length > n && l.slice(n); }",
        arg=before,
        timeout=timeout,
    )
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def _say(page: Page, text: str) -> int:
    before = len(page.evaluate("() => window.__vitrina.chatLines()"))
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")
    return before + 1  # the customer's own line comes back first


def _assert_in_language(page: Page, lang: str) -> None:
    if lang == "en":
        return
    shown = page.evaluate("() => document.body.innerText")
    leaks = [text for text in _english_only() if text in shown]
    assert not leaks, f"English text shown to a {lang} customer: {leaks}"


@pytest.mark.parametrize("lang", ["en", "fr", "it"])
def test_the_core_journey(
    lang: str, new_page: NewPage, base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    say = SAYS[lang]
    customer, advisor = new_page(), new_page()
    open_store(customer, base_url, f"?lang={lang}&mode=2d")
    if customer.get_by_test_id("consent-accept").count():
        customer.get_by_test_id("consent-accept").click()
    guest_name = until(customer, "() => window.__vitrina.self().name")

    # The opening hours, from the knowledge base.
    answer = _bot_answers(customer, _say(customer, say["hours"]))
    assert answer and all(line.strip() for line in answer)

    # Configure a car: a paint changes the total.
    customer.get_by_test_id("configure-aurora-gt").click()
    total = customer.get_by_test_id("total")
    expect(total).to_be_visible(timeout=30_000)
    first = total.inner_text()
    customer.locator("form.configurator input[type=radio]:not(:checked)").first.check()
    expect(total).not_to_have_text(first, timeout=30_000)

    # Book a test drive on Friday afternoon, then confirm.
    _bot_answers(customer, _say(customer, say["book"]))
    confirmed = _bot_answers(customer, _say(customer, say["yes"]))
    assert any(re.search(r"1[4-7][:.h]", line) for line in confirmed), confirmed

    # Sign in with an email code, then the account data.
    customer.get_by_test_id("signin-open").click()
    customer.get_by_test_id("signin-email").fill("giulia.bianchi@example.com")
    seen = _outbox(tmp_path_factory)
    customer.get_by_test_id("signin-send").click()
    customer.get_by_test_id("signin-code").fill(
        _outbox_code(tmp_path_factory, "giulia.bianchi@example.com", seen)
    )
    customer.get_by_test_id("signin-verify").click()
    expect(customer.get_by_test_id("signin-status")).to_contain_text("Giulia Bianchi")
    until(customer, "() => window.__vitrina.self().name === 'Giulia Bianchi'")
    until(customer, "() => window.__vitrina.connection() === 'online'")
    balance = _bot_answers(customer, _say(customer, say["balance"]))
    assert any("AM-FIN-2024-000731" in line for line in balance), balance
    _assert_in_language(customer, lang)

    # A person, please: the advisor accepts in the console and answers in the store.
    sign_in(advisor, base_url, SUPERVISOR)
    _bot_answers(customer, _say(customer, say["person"]))
    # Queued under the name the visitor came in with, in the customer's language.
    waiting = (
        advisor.get_by_label("Queue")
        .locator("li")
        .filter(has_text=f"{guest_name} · world · {lang}")
    )
    expect(waiting).to_have_count(1, timeout=30_000)
    waiting.get_by_role("button", name=re.compile("^Accept")).click()
    expect(advisor.locator(".conversation h2")).to_contain_text("assigned", timeout=15_000)
    advisor.get_by_label("Reply").fill(say["advisor"])
    advisor.get_by_role("button", name="Send").click()
    until(customer, "(t) => window.__vitrina.chatLines().includes(t)", arg=say["advisor"])

    # Resolved: the survey is answered with the control, and reaches the console.
    advisor.get_by_label("Disposition").select_option("solved")
    advisor.get_by_role("button", name="Resolve").click()
    expect(customer.get_by_test_id("survey")).to_be_visible(timeout=30_000)
    _assert_in_language(customer, lang)
    customer.get_by_test_id("survey-score-5").check()
    customer.get_by_test_id("survey-send").click()
    expect(customer.get_by_test_id("survey-status")).to_have_text(say["thanks"])
    expect(advisor.locator(".transcript")).to_contain_text(say["rated"], timeout=15_000)

    # Export: a copy of the data, ready to download.
    customer.get_by_test_id("privacy-centre-open-2d").click()
    centre = customer.get_by_test_id("privacy-centre")
    centre.get_by_test_id("centre-download").click()
    link = centre.get_by_test_id("centre-download-link")
    link.wait_for(state="visible", timeout=60_000)
    expect(centre.get_by_test_id("centre-outcome")).to_contain_text(say["export"])
    _assert_in_language(customer, lang)
