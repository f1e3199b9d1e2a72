"""The outbound mail adapters against a real SMTP server and a real outbox directory."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI

from tests.logs import printed
from tests.smtp import SmtpCapture, _free_port
from vitrina.core.config import Settings
from vitrina.core.mailer import MailError, OutboxDirMailer, SmtpMailer, create_mailer
from vitrina.services import services_of


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = "customer@example.org"
    message["Subject"] = subject
    message.set_content("Hello from the storefront.")
    return message


async def test_smtp_mailer_delivers_to_the_relay(smtp_server: SmtpCapture) -> None:
    mailer = SmtpMailer(
        host=smtp_server.host, port=smtp_server.port, sender="Shop <shop@example.com>"
    )

    await mailer.send(_message("Your code"))

    received = await smtp_server.wait_for(lambda m: m["Subject"] == "Your code")
    assert received["From"] == "Shop <shop@example.com>"
    assert received["Message-ID"].endswith("@example.com>")
    assert received.get_content().strip() == "Hello from the storefront."
    assert smtp_server.envelopes[-1] == ("shop@example.com", ["customer@example.org"])


async def test_smtp_mailer_reports_an_unreachable_relay() -> None:
    mailer = SmtpMailer(host="127.0.0.1", port=1, sender="shop@example.com", timeout_s=2)

    with pytest.raises(MailError, match="cannot reach"):
        await mailer.send(_message("Lost"))


class _RefusingRelay:
    """Refuses every recipient the way relays do: quoting the address back."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


async def test_a_refusal_says_why_without_quoting_the_address() -> None:
    port = _free_port()
    controller = Controller(_RefusingRelay(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="shop@example.com")
        with pytest.raises(MailError) as refused:
            await mailer.send(_message("Refused"))
    finally:
        controller.stop()
    # The text lands in logs and in the notification's last error.
    assert str(refused.value).endswith("refused the message: SMTPRecipientsRefused (550)")
    assert "customer@example.org" not in str(refused.value)


async def test_the_log_says_a_mail_left_but_not_to_whom_or_what(smtp_server: SmtpCapture) -> None:
    mailer = SmtpMailer(host=smtp_server.host, port=smtp_server.port, sender="shop@example.com")
    with printed("DEBUG") as out:
        await mailer.send(_message("Your Aurora Motors appointment with Mia"))
    logged = out.getvalue()
    assert '"event": "mail_sent"' in logged and '"recipient_count": 1' in logged
    assert "customer@example.org" not in logged and "Mia" not in logged


async def test_outbox_mailer_writes_a_readable_eml_file(tmp_path: Path) -> None:
    mailer = OutboxDirMailer(directory=tmp_path / "outbox", sender="shop@example.com")

    await mailer.send(_message("Written"))

    files = list((tmp_path / "outbox").rglob("*.eml"))
    assert len(files) == 1
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["Subject"] == "Written"
    assert parsed["From"] == "shop@example.com"


def test_create_mailer_picks_the_outbox_without_an_smtp_host(tmp_path: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path)
    assert isinstance(create_mailer(settings), OutboxDirMailer)
    relay = settings.model_copy(update={"smtp_host": "relay.example.com", "smtp_port": 587})
    mailer = create_mailer(relay)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port) == ("relay.example.com", 587)


@pytest.fixture
def settings(mail_settings: Settings) -> Settings:
    return mail_settings


async def test_the_app_sends_through_the_configured_relay(
    app: FastAPI, smtp_server: SmtpCapture
) -> None:
    await services_of(app).mailer.send(_message("From the app"))

    received = await smtp_server.wait_for(lambda m: m["Subject"] == "From the app")
    assert received["From"] == "Vitrina <no-reply@localhost>"
