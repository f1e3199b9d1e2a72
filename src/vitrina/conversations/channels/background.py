"""What the conversations domain runs beside requests: the webhook outbox, the customers'
live sockets, the world channel, email replies, and the inbound SMTP server when it is
configured.

`running(...)` starts them; the composition root (vitrina.services) enters it once the
database, the broker, the mailer and the world hub are running.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import service
from vitrina.conversations.channels.calls import CallTimeline
from vitrina.conversations.channels.mail import MailIngest, build_reply
from vitrina.conversations.channels.webhook_outbox import WebhookSender
from vitrina.conversations.channels.widget import CustomerHub
from vitrina.conversations.channels.world import WorldChannel
from vitrina.conversations.events import MessagePosted
from vitrina.conversations.models import Conversation, WebhookDelivery
from vitrina.conversations.notices import notice
from vitrina.conversations.rating_links import rating_url
from vitrina.conversations.states import SYSTEM, Channel
from vitrina.conversations.timeline_feed import CustomerTimeline
from vitrina.core.broker import Broker
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.core.mailer import Mailer, MailError
from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

EMAILED_AUTHORS = frozenset({"agent", "supervisor"})


class EmailReplies:
    """Sends advisors' replies (and the rating request) of email conversations by mail."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        settings: Settings,
        mailer: Mailer,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings
        self.mailer = mailer
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        self._unsubscribe = self.bus.subscribe(MessagePosted, self.on_message)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    async def on_message(self, event: MessagePosted) -> None:
        message: dict[str, Any] = event.message
        wanted = message["kind"] == "text" and message["author_kind"] in EMAILED_AUTHORS
        rating = message["kind"] == "csat_request"
        if message["internal"] or not (wanted or rating) or event.channel != Channel.EMAIL:
            return
        async with transaction(self.sessions) as db:
            conversation = await service.get(db, conversation_id=event.conversation_id)
            if conversation is None or not conversation.customer_email:
                return
            body = message["body"]
            if rating:
                body = rating_request(self.settings, conversation)
            reply = await build_reply(
                db,
                settings=self.settings,
                conversation=conversation,
                body=body,
                author_name=message["author_name"],
            )
            try:
                await self.mailer.send(reply, about=conversation.sealed_for)
            except MailError as exc:
                log.warning("email_reply_failed", conversation_id=conversation.id, why=str(exc))
                await service.post_event(
                    db,
                    bus=self.bus,
                    conversation=conversation,
                    actor=SYSTEM,
                    internal=True,
                    body=f"The email reply could not be sent: {exc}",
                    data={"event": "email_failed", "message_id": message["id"]},
                )
                return
            await service.set_external_id(
                db, message_id=message["id"], external_id=str(reply["Message-ID"])
            )


def rating_request(settings: Settings, conversation: Conversation) -> str:
    """The rating request by mail: one link per score (each opens the rating page with
    that score chosen, a comment optional), and a reply with a number counts too."""
    links = "\n".join(
        f"{score} - {rating_url(settings, conversation.id, score)}" for score in range(1, 6)
    )
    return (
        f"{notice('csat_request_email', conversation.locale)}\n\n{links}\n\n"
        f"{notice('csat_request_email_reply', conversation.locale)}"
    )


async def start_smtp(settings: Settings, ingest: MailIngest) -> asyncio.Server:
    host, _, port = (settings.inbound_smtp_listen or "").rpartition(":")
    loop = asyncio.get_running_loop()
    factory = partial(
        SMTP,
        ingest,
        hostname=settings.inbound_mail_domain,
        data_size_limit=settings.inbound_mail_max_bytes,
        enable_SMTPUTF8=True,
        ident="Vitrina inbound mail",
    )
    server = await loop.create_server(factory, host=host or "127.0.0.1", port=int(port))
    log.info("inbound_smtp_listening", listen=settings.inbound_smtp_listen)
    return server


@dataclass(frozen=True)
class Channels:
    """The parts of the channels that requests and sockets use."""

    customers: CustomerHub
    mail_ingest: MailIngest
    webhook_sender: WebhookSender


async def tell_console(
    bus: EventBus, db: AsyncSession, conversation_id: str, delivery: WebhookDelivery
) -> None:
    """A reply the bridge never took shows in the console as an internal event."""
    conversation = await service.get(db, conversation_id=conversation_id)
    if conversation is None:
        return
    await service.post_event(
        db,
        bus=bus,
        conversation=conversation,
        actor=SYSTEM,
        internal=True,
        body=f"Not delivered to the messaging app after {delivery.attempts} "
        f"attempt{'s' if delivery.attempts != 1 else ''}: {delivery.last_error}",
        data={
            "event": "webhook_dead",
            "delivery_id": delivery.id,
            "message_id": delivery.message_id,
        },
    )


@asynccontextmanager
async def running(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus,
    broker: Broker,
    mailer: Mailer,
    world_hub: WorldHub,
) -> AsyncIterator[Channels]:
    """Start every channel; each is stopped in reverse order, also when a later one fails.

    Webhook replies are sent from the outbox while this runs (left where they are when it
    stops)."""
    async with contextlib.AsyncExitStack() as stack:
        sender = WebhookSender(sessions, bus, settings, on_dead=partial(tell_console, bus))
        sender.start()
        stack.push_async_callback(sender.close)
        customers = CustomerHub(broker, bus)
        await customers.start()
        stack.push_async_callback(customers.close)
        world = WorldChannel(sessions, bus, world_hub)
        world.start()
        stack.push_async_callback(world.close)
        calls = CallTimeline(sessions, bus, world_hub)
        calls.start()
        stack.callback(calls.close)
        timeline = CustomerTimeline(sessions, bus)
        replies = EmailReplies(sessions, bus, settings, mailer)
        replies.start()
        stack.callback(replies.close)
        timeline.start()
        stack.callback(timeline.close)
        ingest = MailIngest(sessions, bus, settings)
        if settings.inbound_smtp_listen:
            smtp = await start_smtp(settings, ingest)
            stack.push_async_callback(_close_smtp, smtp)
        yield Channels(customers=customers, mail_ingest=ingest, webhook_sender=sender)


async def _close_smtp(server: asyncio.Server) -> None:
    server.close()
    with contextlib.suppress(Exception):
        await server.wait_closed()
