"""The handoff journey in real Chromium: a customer asks for a person (web widget on a
brand's own site, or chat in the 3D store), an advisor accepts in the console in a second
browser context, both exchange messages, the advisor resolves and the customer rates.
Email: mail to the inbound address becomes a conversation and the reply reaches an SMTP sink.
"""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import _wait_ready, open_store, until
from tests.smtp import SmtpCapture

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
AGENT = "agent@aurora-motors.example"
SUPERVISOR = "admin@aurora-motors.example"
PASSWORD = "aurora-demo-password"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/console")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".live")).to_have_text("live", timeout=15_000)
    page.get_by_label("Presence").select_option("online")


@pytest.fixture
def brand_site(base_url: str) -> Iterator[str]:
    """A page of the brand's own site, on another origin, with the one-line widget embed.

    Served by a real server on loopback: Chromium lets a loopback page load scripts and
    open sockets on another loopback origin, not a page it cannot place."""
    html = (
        "<!doctype html><html lang='en'><body><h1>Aurora dealer</h1>"
        f"<script src='{base_url}/widget.js' data-brand='aurora-motors'></script></body></html>"
    ).encode()

    class Page_(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page_)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def widget(page: Page, css: str) -> Locator:
    return page.locator("[data-vitrina-widget]").locator(css)


def test_widget_customer_and_console_advisor(
    new_page: NewPage, base_url: str, brand_site: str, screenshots: Path
) -> None:
    customer, advisor = new_page(), new_page()
    sign_in(advisor, base_url, AGENT)

    customer.goto(brand_site)
    widget(customer, ".toggle").click()
    widget(customer, "input").fill("Hello, is the Aurora X available in blue?")
    widget(customer, "input").press("Enter")
    expect(widget(customer, ".log li.customer")).to_have_count(1)
    widget(customer, ".person").click()
    expect(widget(customer, ".log")).to_contain_text("in the queue")

    accept = advisor.get_by_role("button", name="Accept (offered)")
    expect(accept).to_have_count(1, timeout=15_000)
    accept.click()
    expect(advisor.get_by_label("Bot summary")).to_be_visible()
    expect(advisor.locator(".transcript")).to_contain_text("Aurora X available in blue")

    advisor.get_by_label("Reply").fill("Yes, it is. Would you like a test drive?")
    advisor.get_by_role("button", name="Send").click()
    expect(widget(customer, ".log")).to_contain_text("Would you like a test drive?")
    widget(customer, "input").fill("Yes please, on Friday")
    widget(customer, "input").press("Enter")
    expect(advisor.locator(".transcript")).to_contain_text("Yes please, on Friday")

    advisor.get_by_label("Reply").fill("Customer prefers Fridays")
    advisor.get_by_role("button", name="Internal note").click()
    expect(advisor.locator(".transcript .note")).to_contain_text("Customer prefers Fridays")
    advisor.get_by_label("Disposition").select_option("solved")
    advisor.get_by_role("button", name="Resolve").click()

    expect(widget(customer, ".rating")).to_be_visible()
    assert "Customer prefers Fridays" not in (widget(customer, ".log").text_content() or "")
    widget(customer, ".rating [aria-label='5/5']").click()
    expect(widget(customer, ".log")).to_contain_text("Rated 5/5")
    expect(advisor.locator(".transcript")).to_contain_text("Rated 5/5")
    advisor.screenshot(path=str(screenshots / "console-resolved.png"))
    # End of shift: otherwise the next handoff may be offered to this advisor, not the next one.
    advisor.get_by_label("Presence").select_option("offline")
    expect(advisor.get_by_label("Presence")).to_have_value("offline")
    advisor.wait_for_timeout(500)


def take_over(advisor: Page) -> None:
    """A supervisor takes the first store conversation from the assistant and accepts it."""
    waiting = advisor.get_by_label("With the assistant").get_by_role("button").first
    expect(waiting).to_contain_text("world", timeout=15_000)
    conversation = waiting.locator("xpath=..").get_attribute("data-id")
    waiting.click()
    advisor.get_by_role("button", name="Take over (supervisor)").click()
    # This conversation's row: other tests' conversations may be offered too.
    row = advisor.get_by_label("Queue").locator(f'li[data-id="{conversation}"]')
    accept = row.get_by_role("button", name="Accept (offered)")
    expect(accept).to_have_count(1, timeout=15_000)
    accept.click()
    expect(advisor.locator(".conversation h2")).to_contain_text("assigned", timeout=15_000)


def test_store_chat_reaches_the_console_and_the_reply_is_said_in_the_store(
    new_page: NewPage, base_url: str
) -> None:
    customer, advisor = new_page(), new_page()
    sign_in(advisor, base_url, SUPERVISOR)
    open_store(customer, base_url)
    # A question the greeter answers itself, so a supervisor has a conversation to take over
    # (asking for "someone" is a request for a person: the greeter queues it at once).
    customer.get_by_test_id("chat-input").fill("When is the showroom open on Saturday?")
    customer.get_by_test_id("chat-input").press("Enter")

    take_over(advisor)
    expect(advisor.locator(".transcript")).to_contain_text("When is the showroom open on Saturday?")
    advisor.get_by_label("Reply").fill("Hello, I am Ava from Aurora Motors.")
    advisor.get_by_role("button", name="Send").click()
    expect(advisor.locator(".transcript")).to_contain_text("I am Ava from Aurora Motors")
    until(
        customer,
        "() => window.__vitrina.chatLines().includes('Hello, I am Ava from Aurora Motors.')",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[tuple[str, int, SmtpCapture]]:
    """A server of its own with inbound SMTP on, sending replies to a local SMTP sink."""
    sink = SmtpCapture("127.0.0.1", _free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    inbound = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITRINA_")}
    env.update(
        VITRINA_DATA_DIR=str(tmp_path),
        VITRINA_LOG_LEVEL="warning",
        VITRINA_INBOUND_SMTP_LISTEN=f"127.0.0.1:{inbound}",
        VITRINA_SMTP_HOST=sink.host,
        VITRINA_SMTP_PORT=str(sink.port),
    )
    vitrina = str(Path(sys.executable).parent / "vitrina")
    for step in (["migrate"], ["demo"]):
        subprocess.run([vitrina, *step], env=env, check=True, capture_output=True, timeout=180)
    port = _free_port()
    process = subprocess.Popen(
        [vitrina, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url, inbound, sink
    finally:
        process.terminate()
        process.wait(timeout=15)
        controller.stop()


def test_email_in_over_smtp_and_the_reply_out_to_the_sink(
    new_page: NewPage, mail_server: tuple[str, int, SmtpCapture]
) -> None:
    base_url, inbound, sink = mail_server
    mail = EmailMessage()
    mail["From"] = "Mia Rossi <mia@example.org>"
    mail["To"] = "aurora-motors@support.localhost"
    mail["Subject"] = "Service appointment"
    mail["Message-ID"] = "<e2e-1@example.org>"
    mail.set_content("Hello, my car needs a service next week.")
    with smtplib.SMTP("127.0.0.1", inbound, timeout=10) as smtp:
        smtp.send_message(mail)

    advisor = new_page()
    sign_in(advisor, base_url, SUPERVISOR)
    # The assistant may answer first, or hand the customer over at once.
    mia = advisor.get_by_role("navigation").get_by_role("button", name="Mia Rossi · email")
    expect(mia).to_have_count(1, timeout=15_000)
    if advisor.get_by_label("With the assistant").get_by_role("button", name="Mia Rossi").count():
        mia.click()
        advisor.get_by_role("button", name="Take over (supervisor)").click()
    mine = advisor.get_by_label("Queue").locator("li").filter(has_text="Mia Rossi · email")
    mine.get_by_role("button", name="Accept (offered)").click()
    expect(advisor.locator(".conversation h2")).to_contain_text("assigned", timeout=15_000)
    expect(advisor.locator(".transcript")).to_contain_text("needs a service next week")
    advisor.get_by_label("Reply").fill("We can see you on Tuesday at 9.")
    advisor.get_by_role("button", name="Send").click()

    reply = None
    deadline = time.monotonic() + 15
    while reply is None and time.monotonic() < deadline:
        reply = next((m for m in sink.messages if "Tuesday at 9" in m.get_content()), None)
        advisor.wait_for_timeout(100)
    assert reply is not None, "no reply reached the SMTP sink"
    assert reply["In-Reply-To"] == "<e2e-1@example.org>"
    assert reply["To"].addresses[0].addr_spec == "mia@example.org"
    assert reply["Subject"] == "Re: Service appointment"
