"""The agent console in the advisor's language, in real Chromium: the demo supervisor opens
/console?lang=fr, signs in, opens a customer's email conversation, the agenda and the
resources, then switches to Italian from the header; no English text of the console's
catalogue is shown along the way, and the choice is remembered (the URL still wins).

On a server of its own (the `mail_server` fixture), so the conversation it creates is
seen by no other test.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_handoff import PASSWORD, NewPage, mail_server
from tests.e2e.test_journey import _catalogue
from tests.smtp import SmtpCapture

pytestmark = pytest.mark.e2e
__all__ = ["mail_server"]  # the fixture, used by name

STRINGS = Path(__file__).resolve().parents[2] / "client" / "src" / "console" / "strings.ts"
CATALOGUE = _catalogue(STRINGS)
SUPERVISOR = "supervisor@aurora-motors.example"
# The server shares two cores with other work: give answers that need it time.
SLOW = 30_000

# What the advisor can read or hear: the page's text (hidden views too), its title and
# the text attributes; not what customers, the bot and the server wrote (message bodies,
# timeline summaries), which is in their own language.
SHOWN = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, .transcript .body, .timeline li[data-kind]').forEach((e) => e.remove());
  const attrs = [...body.querySelectorAll('[aria-label], [placeholder], [title]')].flatMap(
    (e) => [e.getAttribute('aria-label'), e.getAttribute('placeholder'), e.getAttribute('title')]);
  return [document.title, body.textContent, ...attrs].filter(Boolean).join('\\n');
}"""


def _english_only(lang: str) -> list[str]:
    """The console's English texts a `lang` advisor must never read: long enough to be
    unambiguous, without placeholders, and different in that language."""
    return sorted(
        english
        for key, english in CATALOGUE["en"].items()
        if len(english) > 11 and "{" not in english and CATALOGUE[lang].get(key) != english
    )


def _assert_in_language(page: Page, lang: str, where: str) -> None:
    shown = page.evaluate(SHOWN)
    leaks = [text for text in _english_only(lang) if text in shown]
    assert not leaks, f"English text in the {lang} console ({where}): {leaks}"


def _email_from_giulia(inbound: int) -> None:
    mail = EmailMessage()
    mail["From"] = "Giulia Bianchi <Giulia.Bianchi@example.com>"
    mail["To"] = "aurora-motors@support.localhost"
    mail["Subject"] = "Mon financement"
    mail["Message-ID"] = "<e2e-console-fr@example.com>"
    mail.set_content("Bonjour, quand est prévue ma prochaine échéance ?")
    with smtplib.SMTP("127.0.0.1", inbound, timeout=10) as smtp:
        smtp.send_message(mail)


def test_the_console_speaks_french_and_italian(
    new_page: NewPage, mail_server: tuple[str, int, SmtpCapture]
) -> None:
    base_url, inbound, _sink = mail_server
    fr, it = CATALOGUE["fr"], CATALOGUE["it"]
    assert len(_english_only("fr")) > 40, "the console catalogue was not read"
    _email_from_giulia(inbound)

    page = new_page()
    page.goto(f"{base_url}/console?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name=fr["signin.submit"])).to_be_visible(timeout=SLOW)
    _assert_in_language(page, "fr", "sign-in form")
    page.locator("input[name=email]").fill(SUPERVISOR)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=fr["signin.submit"]).click()
    expect(page.locator(".live")).to_have_text(fr["live.up"], timeout=SLOW)
    expect(page.get_by_test_id("tab-agenda")).to_be_visible(timeout=SLOW)
    expect(page.locator("nav h2").first).to_have_text(fr["nav.queue"])
    _assert_in_language(page, "fr", "lists")

    # Her conversation (with the assistant, or queued if it handed her over) and her panel.
    giulia = page.get_by_role("navigation").get_by_role(
        "button", name=f"Giulia Bianchi · {fr['channel.email']}"
    )
    expect(giulia).to_have_count(1, timeout=SLOW)
    giulia.click()
    expect(page.get_by_label(fr["summary.title"])).to_be_visible(timeout=SLOW)
    expect(page.get_by_label(fr["actions.disposition"])).to_be_visible(timeout=SLOW)
    panel = page.get_by_label(fr["region.customer"], exact=True)
    expect(panel.locator("[data-field=verification]")).to_contain_text("Reconnu par", timeout=SLOW)
    expect(panel.locator(".identities")).to_contain_text(f"{fr['identity.phone']} : +39")
    panel.get_by_role("button", name=fr["customer.showAccount"]).click()
    expect(panel.locator(".contracts")).to_contain_text("solde 12743,50 EUR", timeout=SLOW)
    _assert_in_language(page, "fr", "conversation and customer panel")

    # The agenda and the resources, with a mistake in the opening hours.
    page.get_by_test_id("tab-agenda").click()
    expect(page.get_by_test_id("agenda-title")).not_to_be_empty(timeout=SLOW)
    expect(page.get_by_test_id("agenda-next")).to_have_text(fr["agenda.next"])
    _assert_in_language(page, "fr", "agenda")
    page.get_by_test_id("tab-resources").click()
    expect(page.get_by_test_id("resources")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("resource-edit").first.click()
    form = page.get_by_test_id("resource-form")
    form.get_by_test_id("hours-sat").fill("9-12")
    form.get_by_test_id("resource-save").click()
    expect(form.get_by_test_id("resource-error")).to_contain_text("n'est pas une plage")
    _assert_in_language(page, "fr", "resources")

    # Italian from the header: everything is drawn again, the form keeps what was typed.
    page.get_by_test_id("console-language").select_option("it")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_test_id("tab-resources")).to_have_text(it["tabs.resources"])
    expect(form.get_by_test_id("hours-sat")).to_have_value("9-12")
    expect(form.get_by_test_id("resource-error")).to_contain_text("non è una fascia")
    _assert_in_language(page, "it", "resources")
    page.get_by_test_id("tab-conversations").click()
    expect(page.locator("nav h2").first).to_have_text(it["nav.queue"])
    expect(page.get_by_label(it["actions.disposition"])).to_be_visible()
    _assert_in_language(page, "it", "conversation")

    # The choice is remembered; a language in the URL still comes first.
    page.goto(f"{base_url}/console")
    expect(page.locator(".live")).to_have_text(it["live.up"], timeout=SLOW)
    expect(page.locator("html")).to_have_attribute("lang", "it")
    _assert_in_language(page, "it", "after a reload")
    page.goto(f"{base_url}/console?lang=en")
    expect(page.locator(".live")).to_have_text("live", timeout=SLOW)
    expect(page.locator("nav h2").first).to_have_text("Queue")
