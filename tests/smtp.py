"""A real SMTP server on loopback that captures what the application sends.

Registered for every test by `pytest_plugins = ["tests.smtp"]` in tests/conftest.py.

- `smtp_server`: an aiosmtpd server on a free 127.0.0.1 port; `messages` holds every
  received mail as a parsed `EmailMessage`, `await smtp_server.wait_for(predicate)` waits
  until one matches.
- `mail_settings`: the test `settings` pointed at that server.

To make the app itself send there, override `settings` in a domain's conftest.py:

    @pytest.fixture
    def settings(settings: Settings, smtp_server: SmtpCapture) -> Settings:
        return smtp_server.configure(settings)
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from vitrina.core.config import Settings


class SmtpCapture:
    """Collects messages accepted by the server; safe to read from the test's event loop."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self._messages.append(parsed)
            self.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    async def wait_for(
        self, predicate: Callable[[EmailMessage], bool] = lambda _: True, timeout: float = 5.0
    ) -> EmailMessage:
        """The first captured message matching `predicate`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                if predicate(message):
                    return message
            if time.monotonic() > deadline:
                subjects = [m["Subject"] for m in self.messages]
                raise AssertionError(f"no matching mail within {timeout}s; received: {subjects}")
            await asyncio.sleep(0.02)

    def configure(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={"smtp_host": self.host, "smtp_port": self.port, "smtp_starttls": False}
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[SmtpCapture]:
    capture = SmtpCapture("127.0.0.1", _free_port())
    controller = Controller(capture, hostname=capture.host, port=capture.port)
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: SmtpCapture) -> Settings:
    return smtp_server.configure(settings)
