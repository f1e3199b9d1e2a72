"""Outbound email: one `Mailer` protocol, an SMTP relay adapter and a development outbox.

Every domain that sends mail (sign-in codes, the email channel, appointment confirmations)
depends on the `Mailer` protocol only. `create_mailer(settings)` picks the adapter:
`SmtpMailer` when `VITRINA_SMTP_HOST` is set, otherwise `OutboxDirMailer`, which writes
each message as an .eml file under `<data_dir>/outbox` so that a development install
without a relay still shows what would have been sent.

A sender says whom a message is about (`about=`, the privacy subject whose key seals the
record it comes from: `conversation:<id>`, `appointment:<id>`, `guest:<id>`). The outbox
files each message under a folder named by a keyed hash of it, so that an erasure deletes
the person's mail with their keys (`forget_outbox`); a relay ignores it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import shutil
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Protocol, runtime_checkable

import aiosmtplib
import structlog
from pydantic import SecretStr

from vitrina.core.config import Settings

log = structlog.get_logger(__name__)


class MailError(RuntimeError):
    """The message could not be handed to the relay (connection, refusal, auth)."""


@runtime_checkable
class Mailer(Protocol):
    async def send(self, message: EmailMessage, *, about: str | None = None) -> None:
        """Hand `message` to the transport; raise `MailError` if it was not accepted."""
        ...


def _complete_headers(message: EmailMessage, *, sender: str) -> None:
    """Fill the headers every message must carry when the caller left them out."""
    if message["From"] is None:
        message["From"] = sender
    if message["Date"] is None:
        message["Date"] = format_datetime(datetime.now(UTC))
    if message["Message-ID"] is None:
        message["Message-ID"] = make_msgid(domain=_domain_of(sender))


def _recipient_count(message: EmailMessage) -> int:
    return sum(
        len(getaddresses([str(v)])) for h in ("To", "Cc", "Bcc") for v in message.get_all(h, [])
    )


def _reason(exc: aiosmtplib.SMTPException) -> str:
    """The kind of refusal and the relay's reply code, without the reply's text."""
    code = getattr(exc, "code", None)
    if code is None and isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = exc.recipients[0].code
    return type(exc).__name__ + (f" ({code})" if code is not None else "")


def _domain_of(address: str) -> str:
    _, _, domain = address.rpartition("@")
    return domain.strip(" >") or "localhost"


class SmtpMailer:
    """Sends through an SMTP relay, one connection per message.

    `use_tls` is implicit TLS (port 465); `starttls` upgrades a plain connection (port 587).
    """

    def __init__(
        self,
        *,
        host: str,
        port: int = 25,
        sender: str,
        starttls: bool = False,
        use_tls: bool = False,
        username: str | None = None,
        password: SecretStr | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        if starttls and use_tls:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.use_tls = use_tls
        self.username = username
        self.password = password
        self.timeout_s = timeout_s

    async def send(self, message: EmailMessage, *, about: str | None = None) -> None:
        _complete_headers(message, sender=self.sender)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                start_tls=self.starttls,
                use_tls=self.use_tls,
                username=self.username,
                password=self.password.get_secret_value() if self.password else None,
                timeout=self.timeout_s,
            )
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError, OSError) as exc:
            raise MailError(f"cannot reach SMTP relay {self.host}:{self.port}: {exc}") from exc
        except aiosmtplib.SMTPException as exc:
            # The relay's own words often quote the refused address; its reply code is enough
            # to tell a full mailbox from a bad login, and the relay's log has the rest.
            raise MailError(
                f"SMTP relay {self.host}:{self.port} refused the message: {_reason(exc)}"
            ) from exc
        # Who it went to and what it said stay out of the log: a subject can be as personal
        # as the address; callers log which of their records a mail was about.
        log.info("mail_sent", relay=self.host, recipient_count=_recipient_count(message))


class OutboxDirMailer:
    """Writes each message to `<directory>/<about>/<timestamp>-<id>.eml` instead of sending
    it, `<about>` being a keyed hash of whom it is about ("general" when unsaid)."""

    def __init__(self, *, directory: Path, sender: str, secret: str = "") -> None:
        self.directory = directory
        self.sender = sender
        self.secret = secret

    def folder(self, about: str | None) -> Path:
        if about is None:
            return self.directory / "general"
        tag = hmac.new(self.secret.encode(), about.encode(), hashlib.sha256).hexdigest()[:32]
        return self.directory / tag

    def forget(self, subjects: Iterable[str]) -> int:
        """Delete the mail written about these subjects; how many folders went."""
        gone = 0
        for subject in subjects:
            folder = self.folder(subject)
            if folder.exists():
                shutil.rmtree(folder)
                gone += 1
        return gone

    async def send(self, message: EmailMessage, *, about: str | None = None) -> None:
        _complete_headers(message, sender=self.sender)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder(about) / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())
        log.info("mail_written", path=str(path), recipient_count=_recipient_count(message))

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _outbox(settings: Settings) -> OutboxDirMailer:
    return OutboxDirMailer(
        directory=settings.data_dir / "outbox",
        sender=settings.mail_from,
        secret=settings.resolved_secret_key,
    )


def forget_outbox(settings: Settings, subjects: Iterable[str]) -> int:
    """After an erasure: delete the outbox mail about the erased subjects (development
    installs without a relay; a relay keeps nothing here)."""
    return _outbox(settings).forget(subjects) if settings.smtp_host is None else 0


def create_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host is None:
        return _outbox(settings)
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        starttls=settings.smtp_starttls,
        use_tls=settings.smtp_tls,
        username=settings.smtp_username.get_secret_value() if settings.smtp_username else None,
        password=settings.smtp_password,
    )


def latest_in_outbox(directory: Path, *, to: str | None = None) -> EmailMessage | None:
    """The newest message the development outbox holds (for `to`, when given).

    How a developer reads the sign-in codes and replies a local install sends:
    `vitrina mail latest`.
    """
    if not directory.is_dir():
        return None
    # Mail is filed in a folder per person it is about; names start with the time.
    found = [*directory.glob("*.eml"), *directory.glob("*/*.eml")]
    for path in sorted(found, key=lambda p: p.name, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if to is None or to.lower() in str(message.get("To", "")).lower():
            return message
    return None
