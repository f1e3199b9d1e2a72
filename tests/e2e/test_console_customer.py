"""The console's customer 360 panel in real Chromium: an email from the demo customer is
matched to her CRM profile, and the advisor sees her name, identities, verification,
consents, appointments, account items (read with a logged reason) and her conversations.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from tests.e2e.test_handoff import SUPERVISOR, NewPage, mail_server, sign_in
from tests.smtp import SmtpCapture

pytestmark = pytest.mark.e2e
__all__ = ["mail_server"]  # the fixture, used by name


def test_the_customer_panel_shows_the_crm_profile_of_an_email_sender(
    new_page: NewPage, mail_server: tuple[str, int, SmtpCapture]
) -> None:
    base_url, inbound, _sink = mail_server
    mail = EmailMessage()
    mail["From"] = "Giulia Bianchi <Giulia.Bianchi@example.com>"
    mail["To"] = "aurora-motors@support.localhost"
    mail["Subject"] = "My financing"
    mail["Message-ID"] = "<e2e-360@example.com>"
    mail.set_content("Hello, when is my next payment due?")
    with smtplib.SMTP("127.0.0.1", inbound, timeout=10) as smtp:
        smtp.send_message(mail)

    advisor = new_page()
    sign_in(advisor, base_url, SUPERVISOR)
    # With the assistant, or already queued if the assistant handed her over.
    giulia = advisor.get_by_role("navigation").get_by_role("button", name="Giulia Bianchi · email")
    expect(giulia).to_have_count(1, timeout=15_000)
    giulia.click()

    panel = advisor.get_by_label("Customer", exact=True)
    expect(panel.locator("[data-field=name]")).to_have_text("Giulia Bianchi", timeout=15_000)
    expect(panel.locator("[data-field=verification]")).to_contain_text("Matched by")
    identities = panel.locator(".identities li")
    expect(identities).to_contain_text(["email: giulia.bianchi@example.com"])
    expect(panel.locator(".identities")).to_contain_text("phone: +390212345678")
    expect(panel.locator(".identities")).to_contain_text("wallet:")
    expect(panel.locator(".consents")).to_be_visible()
    expect(panel.locator(".appointments")).to_be_visible()
    expect(panel.locator(".timeline").last).to_contain_text("email")

    # Account items come only on request, and the read is logged with the reason.
    expect(panel.locator(".contracts")).to_have_count(0)
    panel.get_by_role("button", name="Show contracts and vehicles").click()
    expect(panel.locator(".contracts")).to_contain_text("Aurora Flex 48 months AM-FIN-2024-000731")
    expect(panel.locator(".contracts")).to_contain_text("balance 12743.50 EUR")
    expect(panel.locator(".contracts")).to_contain_text("Aurora Vela Hybrid 2024 · GB 731 AM")

    # A sender the CRM does not know is said to be so.
    other = EmailMessage()
    other["From"] = "someone@example.net"
    other["To"] = "aurora-motors@support.localhost"
    other["Subject"] = "Question"
    other["Message-ID"] = "<e2e-360-b@example.net>"
    other.set_content("Do you sell bikes?")
    with smtplib.SMTP("127.0.0.1", inbound, timeout=10) as smtp:
        smtp.send_message(other)
    stranger = advisor.get_by_role("navigation").get_by_role("button", name="someone")
    expect(stranger).to_have_count(1, timeout=15_000)
    stranger.click()
    expect(panel.locator("[data-field=verification]")).to_have_text(
        "Not identified", timeout=15_000
    )
    expect(panel.locator(".identities")).to_have_count(0)
