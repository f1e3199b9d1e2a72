"""Outbound webhooks: endpoints per brand, HMAC-SHA256 signatures, retries with backoff.

Deliveries are queued by `crm.events.emit` in the transaction of the change. The
dispatcher claims due deliveries with a short lease (so several app nodes never send
the same one at once), POSTs them, and either marks them delivered or schedules the next
attempt after `webhook_retry_base_s * 2**(attempts-1)` seconds, up to
`webhook_max_attempts`, after which the delivery is marked failed.

Receivers check `Vitrina-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
with the endpoint's secret, and may drop repeated `Vitrina-Delivery` ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.core import outbound
from vitrina.core.db import new_id, transaction, utcnow
from vitrina.core.errors import NotFound
from vitrina.core.events import EventBus
from vitrina.core.tasks import stop_after_round
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.events import CrmEvent
from vitrina.crm.models import WebhookDelivery, WebhookEndpoint

log = structlog.get_logger(__name__)

_LEASE = timedelta(seconds=60)
_BATCH = 20


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance_s: int = 300) -> bool:
    """What a receiver does (and what the tests do): check the MAC and the timestamp."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


async def create_endpoint(
    db: AsyncSession, *, brand_id: str, url: str, events: list[str]
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        id=new_id(),
        brand_id=brand_id,
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
        events=sorted(set(events)),
        is_active=True,
    )
    db.add(endpoint)
    await db.flush()
    return endpoint


async def get_endpoint_or_raise(
    db: AsyncSession, *, endpoint_id: str, brand_ids: set[str] | None
) -> WebhookEndpoint:
    endpoint = await db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (brand_ids is not None and endpoint.brand_id not in brand_ids):
        raise NotFound(f"No webhook {endpoint_id}.", code=CrmErrorCode.WEBHOOK_NOT_FOUND)
    return endpoint


async def list_endpoints(db: AsyncSession, *, brand_ids: set[str] | None) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)
    if brand_ids is not None:
        stmt = stmt.where(WebhookEndpoint.brand_id.in_(brand_ids))
    return list((await db.execute(stmt)).scalars())


async def deliveries(
    db: AsyncSession, *, endpoint_id: str, limit: int = 100
) -> list[WebhookDelivery]:
    rows = await db.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(limit)
    )
    return list(rows.scalars())


class Dispatcher:
    """Sends due deliveries; woken by CRM events, and by a timer for retries."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        retry_base_s: float,
        max_attempts: int,
        timeout_s: float = 10.0,
        poll_s: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.retry_base_s = retry_base_s
        self.max_attempts = max_attempts
        self.poll_s = min(poll_s, retry_base_s)
        self._client = outbound.client(timeout_s=timeout_s)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(CrmEvent, lambda _event: self._wake.set())

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        self._stopping = True
        self._wake.set()
        await stop_after_round(self._task)
        await self._client.aclose()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.run_due()
            except Exception:
                log.exception("webhook_dispatch_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)
            self._wake.clear()

    async def run_due(self) -> int:
        """Send every delivery that is due now; returns how many were attempted."""
        sent = 0
        while True:
            claimed = await self._claim()
            if not claimed:
                return sent
            await asyncio.gather(*(self._send(d, e) for d, e in claimed))
            sent += len(claimed)

    async def _claim(self) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
        now = utcnow()
        claimed = []
        async with transaction(self.sessions) as db:
            due = await db.execute(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(_BATCH)
            )
            for delivery_id in list(due.scalars()):
                result = await db.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == delivery_id,
                        or_(
                            WebhookDelivery.lease_until.is_(None),
                            WebhookDelivery.lease_until < now,
                        ),
                    )
                    .values(lease_until=now + _LEASE)
                    .execution_options(synchronize_session=False)
                )
                if getattr(result, "rowcount", 0) != 1:
                    continue
                delivery = await db.get(WebhookDelivery, delivery_id)
                assert delivery is not None
                endpoint = await db.get(WebhookEndpoint, delivery.endpoint_id)
                if endpoint is not None:
                    claimed.append((delivery, endpoint))
        return claimed

    async def _send(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "content-type": "application/json",
            "user-agent": "Vitrina-Webhooks/1",
            "vitrina-event": delivery.event_type,
            "vitrina-delivery": delivery.id,
            "vitrina-signature": sign(endpoint.secret, int(time.time()), body),
        }
        status_code: int | None = None
        error = ""
        try:
            response = await self._client.post(endpoint.url, content=body, headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": status_code,
            "last_error": error,
            "lease_until": None,
        }
        now = utcnow()
        if not error:
            values.update(status="delivered", delivered_at=now)
        elif attempts >= self.max_attempts:
            values.update(status="failed")
        else:
            delay = self.retry_base_s * 2 ** (attempts - 1)
            values.update(next_attempt_at=now + timedelta(seconds=delay))
        async with transaction(self.sessions) as db:
            await db.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(values)
            )
        log.info(
            "webhook_attempt",
            delivery_id=delivery.id,
            # The id, not the URL: webhook URLs often carry the receiver's secret.
            endpoint_id=endpoint.id,
            status_code=status_code,
            error=error,
            attempts=attempts,
        )
