"""What the conversations domain runs beside requests: the customers' live sockets, the
world channel, email replies, and the inbound SMTP server when it is configured.

Started by the console router's lifespan (see console_routes), after the app's own
lifespan opened the database, the broker, the mailer and the world hub.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import service
from vitrina.conversations.calls import CallTimeline
from vitrina.conversations.email_channel import MailIngest, build_reply
from vitrina.conversations.events import MessagePosted
from vitrina.conversations.models import Conversation
from vitrina.conversations.notices import notice
from vitrina.conversations.rating_links import rating_url
from vitrina.conversations.states import SYSTEM, Channel
from vitrina.conversations.timeline_feed import CustomerTimeline
from vitrina.conversations.widget import CustomerHub
from vitrina.conversations.world_channel import WorldChannel
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.core.mailer import Mailer, MailError

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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = app.state
    settings: Settings = state.settings
    customers = CustomerHub(state.broker, state.bus)
    await customers.start()
    state.customer_hub = customers
    hub = getattr(state, "world_hub", None)
    world = WorldChannel(state.sessions, state.bus, hub) if hub is not None else None
    if world is not None:
        world.start()
    calls = CallTimeline(state.sessions, state.bus, hub) if hub is not None else None
    if calls is not None:
        calls.start()
    replies = EmailReplies(state.sessions, state.bus, settings, state.mailer)
    replies.start()
    timeline = CustomerTimeline(state.sessions, state.bus)
    timeline.start()
    ingest = MailIngest(state.sessions, state.bus, settings)
    state.mail_ingest = ingest
    smtp = await start_smtp(settings, ingest) if settings.inbound_smtp_listen else None
    try:
        yield
    finally:
        if smtp is not None:
            smtp.close()
            with contextlib.suppress(Exception):
                await smtp.wait_closed()
        replies.close()
        timeline.close()
        if calls is not None:
            calls.close()
        if world is not None:
            await world.close()
        await customers.close()
