"""Replies to webhook-channel conversations, POSTed to the brand's bridge from an outbox.

Every message the customer should see (advisor and bot replies, queue places, the rating
request) of a conversation whose channel is `webhook` is written to the outbox in the
transaction of the message itself, so a reply is never lost between a commit and a crash.
The sender claims due rows with a short lease (two nodes never send the same one at
once), POSTs them signed like the inbound requests (`X-Vitrina-Timestamp`,
`X-Vitrina-Signature: sha256=HMAC(secret, "<timestamp>.<body>")`) with the delivery id in
`X-Vitrina-Delivery`, and marks them delivered on a 2xx. A failure is retried after
`webhook_retry_base_s * 2**(attempts-1)` seconds; after `webhook_max_attempts` the row is
dead and an internal event on the conversation tells the console. One conversation's
replies leave in transcript order (`seq`, which also is their commit order: appending
locks the conversation row): a later one waits while an earlier one is being retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations.events import MessagePosted
from vitrina.conversations.models import Conversation, Message, WebhookChannel, WebhookDelivery
from vitrina.conversations.states import Channel
from vitrina.core import outbound
from vitrina.core.config import Settings
from vitrina.core.db import new_id, transaction, utcnow
from vitrina.core.events import EventBus
from vitrina.core.tasks import stop_after_round

log = structlog.get_logger(__name__)

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
# What the customer sees of a conversation, and so what the bridge is sent.
SENT_KINDS = frozenset({"text", "event", "csat_request"})
_LEASE = timedelta(seconds=60)
_BATCH = 50


def channel_secret(secret_key: str, brand_slug: str, salt: str = "") -> str:
    """The brand's channel secret, derived from the installation's secret key and the
    channel's current salt (empty until the secret is first rotated)."""
    label = f"webhook-channel:{brand_slug}" + (f":{salt}" if salt else "")
    return hmac.new(secret_key.encode(), label.encode(), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# The channel's configuration ----------------------------------------------------------


async def get_channel(db: AsyncSession, *, brand_slug: str) -> WebhookChannel | None:
    return await db.get(WebhookChannel, brand_slug)


async def _channel_for_update(db: AsyncSession, brand_slug: str) -> WebhookChannel:
    channel = await get_channel(db, brand_slug=brand_slug)
    if channel is None:
        channel = WebhookChannel(
            brand_slug=brand_slug, outbound_url=None, secret_salt="", updated_at=utcnow()
        )
        db.add(channel)
    return channel


async def set_outbound_url(db: AsyncSession, *, brand_slug: str, url: str) -> WebhookChannel:
    channel = await _channel_for_update(db, brand_slug)
    channel.outbound_url = url
    channel.updated_at = utcnow()
    await db.flush()
    return channel


async def secret_of(db: AsyncSession, *, secret_key: str, brand_slug: str) -> str:
    """The signing secret the brand's bridge and Vitrina share right now."""
    channel = await get_channel(db, brand_slug=brand_slug)
    return channel_secret(secret_key, brand_slug, channel.secret_salt if channel else "")


async def rotate_secret(db: AsyncSession, *, secret_key: str, brand_slug: str) -> str:
    """Replace the brand's signing secret; the old one stops working at once."""
    channel = await _channel_for_update(db, brand_slug)
    channel.secret_salt = secrets.token_hex(16)
    channel.updated_at = utcnow()
    await db.flush()
    return channel_secret(secret_key, brand_slug, channel.secret_salt)


# The outbox ---------------------------------------------------------------------------


def wanted(conversation: Conversation, message: Message) -> bool:
    return (
        conversation.channel == Channel.WEBHOOK.value
        and conversation.external_contact is not None
        and not message.internal
        and message.author_kind != "customer"
        and message.kind in SENT_KINDS
    )


def enqueue(db: AsyncSession, *, conversation: Conversation, message: Message) -> None:
    """Queue a message for the bridge, in the caller's transaction (the outbox)."""
    if not wanted(conversation, message):
        return
    assert conversation.external_contact is not None
    delivery_id = new_id()
    contact = conversation.external_contact.removeprefix(f"{conversation.brand_slug}:")
    db.add(
        WebhookDelivery(
            id=delivery_id,
            brand_slug=conversation.brand_slug,
            conversation_id=conversation.id,
            message_id=message.id,
            payload={
                "type": "message",
                "delivery_id": delivery_id,
                "brand": conversation.brand_slug,
                "contact_id": contact,
                "conversation_id": conversation.id,
                "message": {
                    "id": message.id,
                    "seq": message.seq,
                    "kind": message.kind,
                    "author_kind": message.author_kind,
                    "author_name": message.author_name,
                    "text": message.body,
                    "created_at": message.created_at.isoformat(),
                },
            },
            status=PENDING,
            attempts=0,
            next_attempt_at=message.created_at,
            last_error="",
            created_at=message.created_at,
        )
    )


async def list_deliveries(
    db: AsyncSession, *, brand_slug: str, status: str | None = None, limit: int = 100
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.brand_slug == brand_slug)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    query = query.order_by(WebhookDelivery.created_at.desc()).limit(limit)
    return list((await db.execute(query)).scalars())


async def get_delivery(db: AsyncSession, *, delivery_id: str) -> WebhookDelivery | None:
    return await db.get(WebhookDelivery, delivery_id)


async def retry(db: AsyncSession, *, delivery: WebhookDelivery) -> WebhookDelivery:
    """Give a dead delivery a fresh round of attempts (after the bridge is fixed)."""
    delivery.status = PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.lease_until = None
    await db.flush()
    return delivery


# The sender ---------------------------------------------------------------------------

# Told about a delivery that gave up: (db, conversation id, delivery) -> writes the event.
OnDead = Callable[[AsyncSession, str, WebhookDelivery], Any]


class WebhookSender:
    """Sends due deliveries; woken by replies on the webhook channel, and by a timer."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        settings: Settings,
        *,
        on_dead: OnDead,
        timeout_s: float = 10.0,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings
        self.on_dead = on_dead
        self.retry_base_s = settings.webhook_retry_base_s
        self.max_attempts = settings.webhook_max_attempts
        self.poll_s = min(1.0, self.retry_base_s)
        self._client = outbound.client(timeout_s=timeout_s)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._unsubscribe = self.bus.subscribe(MessagePosted, self._on_message)
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._stopping = True
        self._wake.set()
        await stop_after_round(self._task)
        await self._client.aclose()

    def _on_message(self, event: MessagePosted) -> None:
        if event.channel == Channel.WEBHOOK.value:
            self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.run_due()
            except Exception:
                log.exception("webhook_channel_send_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)
            self._wake.clear()

    async def run_due(self) -> int:
        """Attempt every delivery due now; returns how many were attempted."""
        attempted = 0
        while True:
            claimed = await self._claim()
            if not claimed:
                return attempted
            # One conversation's replies go one at a time, in order; conversations in parallel.
            await asyncio.gather(*(self._send(d, url, salt) for d, url, salt in claimed))
            attempted += len(claimed)

    async def _claim(self) -> list[tuple[WebhookDelivery, str | None, str]]:
        now = utcnow()
        claimed: list[tuple[WebhookDelivery, str | None, str]] = []
        async with transaction(self.sessions) as db:
            # The conversations waiting longest, then each one's earliest reply by its place
            # in the transcript (`seq`: timestamps are taken before the order is settled).
            waiting = (
                await db.execute(
                    select(WebhookDelivery.conversation_id)
                    .where(WebhookDelivery.status == PENDING)
                    .group_by(WebhookDelivery.conversation_id)
                    .order_by(func.min(WebhookDelivery.created_at))
                    .limit(_BATCH)
                )
            ).scalars()
            pending = (
                await db.execute(
                    select(WebhookDelivery)
                    .join(Message, Message.id == WebhookDelivery.message_id)
                    .where(
                        WebhookDelivery.status == PENDING,
                        WebhookDelivery.conversation_id.in_(list(waiting)),
                    )
                    .order_by(WebhookDelivery.conversation_id, Message.seq)
                )
            ).scalars()
            heads: dict[str, WebhookDelivery] = {}
            for delivery in pending:
                heads.setdefault(delivery.conversation_id, delivery)
            urls: dict[str, tuple[str | None, str]] = {}
            for delivery in heads.values():
                leased = delivery.lease_until is not None and delivery.lease_until > now
                if delivery.next_attempt_at > now or leased:
                    continue
                result = await db.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == delivery.id,
                        WebhookDelivery.status == PENDING,
                        WebhookDelivery.attempts == delivery.attempts,
                    )
                    .values(lease_until=now + _LEASE)
                    .execution_options(synchronize_session=False)
                )
                if getattr(result, "rowcount", 0) != 1:
                    continue  # another node took it
                if delivery.brand_slug not in urls:
                    channel = await get_channel(db, brand_slug=delivery.brand_slug)
                    urls[delivery.brand_slug] = (
                        (channel.outbound_url, channel.secret_salt) if channel else (None, "")
                    )
                url, salt = urls[delivery.brand_slug]
                claimed.append((delivery, url, salt))
        return claimed

    async def _send(self, delivery: WebhookDelivery, url: str | None, salt: str) -> None:
        error = await self._post(delivery, url, salt) if url else "no outbound URL is configured"
        async with transaction(self.sessions) as db:
            row = await db.get(WebhookDelivery, delivery.id)
            if row is None:
                return  # the conversation was erased meanwhile
            row.attempts += 1
            row.lease_until = None
            if error is None:
                row.status = DELIVERED
                row.delivered_at = utcnow()
                row.last_error = ""
                return
            row.last_error = error[:500]
            if url is None or row.attempts >= self.max_attempts:
                row.status = DEAD
                await db.flush()
                await self.on_dead(db, row.conversation_id, row)
                log.warning("webhook_reply_dead", delivery_id=row.id, why=row.last_error)
                return
            delay = self.retry_base_s * 2 ** (row.attempts - 1)
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)

    async def _post(self, delivery: WebhookDelivery, url: str, salt: str) -> str | None:
        """POST one delivery; None when the bridge took it, else what went wrong."""
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        secret = channel_secret(self.settings.resolved_secret_key, delivery.brand_slug, salt)
        headers = {
            "content-type": "application/json",
            "user-agent": "Vitrina-Channel/1",
            "x-vitrina-timestamp": timestamp,
            "x-vitrina-signature": sign(secret, timestamp, body),
            "x-vitrina-delivery": delivery.id,
        }
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"
