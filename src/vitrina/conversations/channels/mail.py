"""Email as a channel: an SMTP server that turns mail into conversations, and replies
sent through the shared mailer with threading headers.

Mail to `<brand-slug>@<inbound_mail_domain>` belongs to that brand. A message whose
In-Reply-To or References name a message of a conversation continues it; any other
starts a new one. Size is bounded at the SMTP level (552 above the limit), the text is
bounded when stored, and attachments are kept on disk only up to their own limit (the
others are listed as skipped). Redelivery of a Message-ID already stored is a no-op.
"""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, make_msgid, parseaddr
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.conversations import service
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import Channel, State
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.core.events import EventBus

log = structlog.get_logger(__name__)

BODY_MAX_CHARS = 20_000
TRUNCATED = "\n[… truncated]"
_QUOTE_HEADER = re.compile(r"^(On .+ wrote:|Le .+ a écrit :|Il giorno .+ ha scritto:)\s*$")
_MSGID = re.compile(r"<[^<>\s]+>")
# A reply to the rating request: "5", "4 - quick and friendly"...


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.parts)).strip()


def _text(value: object) -> str:
    """A header or body as text PostgreSQL can store (no NUL characters)."""
    return str(value).replace("\x00", "")


def reply_text(message: EmailMessage) -> str:
    """The new text of a message: plain part (or HTML as text), quoted history cut off."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        content = part.get_payload(decode=True) or b""
        content = content.decode("utf-8", "replace") if isinstance(content, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = _html_to_text(content)
    kept: list[str] = []
    for line in content.splitlines():
        if _QUOTE_HEADER.match(line.strip()):
            break
        if not line.startswith(">"):
            kept.append(line.rstrip())
    text = "\n".join(kept).strip()
    if len(text) > BODY_MAX_CHARS:  # the bound includes the marker
        text = text[: BODY_MAX_CHARS - len(TRUNCATED)] + TRUNCATED
    return text


def thread_ids(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for header in ("In-Reply-To", "References"):
        found += _MSGID.findall(str(message.get(header, "")))
    return list(dict.fromkeys(found))


def inbound_address(settings: Settings, brand_slug: str) -> str:
    return f"{brand_slug}@{settings.inbound_mail_domain}"


class MailIngest:
    """Stores inbound mail; also the aiosmtpd handler when the SMTP server runs."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        local, _, domain = address.lower().rpartition("@")
        if domain != self.settings.inbound_mail_domain.lower() or not local:
            return "550 5.1.1 No such mailbox here"
        async with self.sessions() as db:
            if await brands.get_by_slug(db, slug=local) is None:
                return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if len(raw) > self.settings.inbound_mail_max_bytes:
            return "552 5.3.4 Message too big"
        for rcpt in envelope.rcpt_tos:
            brand_slug = rcpt.lower().rpartition("@")[0]
            try:
                async with transaction(self.sessions) as db:
                    await self.ingest(db, brand_slug=brand_slug, raw=raw)
            except AppError as exc:
                return f"550 5.6.0 {exc.detail}"
            except Exception:
                log.exception("inbound_mail_failed", brand=brand_slug)
                return "451 4.3.0 Could not store the message; try again later"
        return "250 Message accepted"

    async def ingest(self, db: AsyncSession, *, brand_slug: str, raw: bytes) -> Conversation | None:
        """Store one message; returns its conversation (None for a repeated Message-ID)."""
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        name, address = parseaddr(_text(parsed.get("From", "")))
        if "@" not in address:
            raise AppError("The message has no usable From address.", code="invalid_sender")
        message_id = (_MSGID.findall(str(parsed.get("Message-ID", ""))) or [make_msgid()])[0]
        if await service.find_by_external_ids(db, brand_slug=brand_slug, external_ids=[message_id]):
            return None
        subject = _text(parsed.get("Subject", ""))[:200]
        conversation = await service.find_by_external_ids(
            db, brand_slug=brand_slug, external_ids=thread_ids(parsed)
        )
        if conversation is not None and (conversation.customer_email or "") != address.lower():
            conversation = None
        text = _text(reply_text(parsed)) or "(no text)"
        if conversation is not None and conversation.state == State.RESOLVED:
            rating = service.parse_rating(text)
            if rating and conversation.csat_score is None:
                score, comment = rating
                await service.rate(
                    db, bus=self.bus, conversation=conversation, score=score, comment=comment
                )
                return conversation
            conversation = None
        if conversation is None:
            conversation = await service.create(
                db,
                bus=self.bus,
                brand_slug=brand_slug,
                channel=Channel.EMAIL,
                customer_name=name or address,
                customer_email=address,
                subject=subject,
            )
        attachments = self._keep_attachments(parsed, conversation.id)
        await service.post_customer_message(
            db,
            bus=self.bus,
            conversation=conversation,
            body=text,
            channel=Channel.EMAIL,
            external_id=message_id,
            data={"subject": subject, "attachments": attachments},
        )
        return conversation

    def _keep_attachments(
        self, message: EmailMessage, conversation_id: str
    ) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        folder = self.settings.data_dir / "attachments" / conversation_id
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            name = Path(part.get_filename() or "attachment").name[:120]
            entry: dict[str, Any] = {
                "name": name,
                "content_type": part.get_content_type(),
                "size": len(data),
            }
            if len(data) > self.settings.inbound_attachment_max_bytes:
                entry["stored"] = False
                entry["reason"] = "larger than the attachment limit"
            else:
                digest = hashlib.sha256(data).hexdigest()
                folder.mkdir(parents=True, exist_ok=True)
                # Stored under its digest, never under the sender's file name.
                (folder / digest).write_bytes(data)
                entry.update(stored=True, sha256=digest)
            kept.append(entry)
        return kept


async def build_reply(
    db: AsyncSession,
    *,
    settings: Settings,
    conversation: Conversation,
    body: str,
    author_name: str,
) -> EmailMessage:
    """An email reply in the conversation's thread, from the brand's inbound address."""
    brand = await brands.get_by_slug_or_raise(db, slug=conversation.brand_slug)
    history = await service.messages(db, conversation=conversation, include_internal=False)
    ids = [m.external_id for m in history if m.external_id]
    customer_ids = [m.external_id for m in history if m.external_id and m.author_kind == "customer"]
    reply = EmailMessage()
    reply["From"] = formataddr(
        (f"{author_name} ({brand.name})", inbound_address(settings, brand.slug))
    )
    reply["To"] = formataddr((conversation.customer_name, conversation.customer_email or ""))
    subject = conversation.subject or f"Your conversation with {brand.name}"
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Message-ID"] = make_msgid(domain=settings.inbound_mail_domain)
    if customer_ids:
        reply["In-Reply-To"] = customer_ids[-1]
    if ids:
        reply["References"] = " ".join(ids[-20:])
    reply.set_content(body)
    return reply
