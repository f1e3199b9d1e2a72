"""What commerce runs beside requests: the payment providers, the sandbox's webhook
delivery, and the sweep that cancels pending orders whose hold on stock has expired.

The composition root (vitrina.services) enters `running(...)` once the database and the
bus are ready; routes reach the providers through `Payments` in the components.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.commerce import idempotency, orders
from vitrina.commerce.payments.provider import PaymentProvider
from vitrina.commerce.payments.sandbox import Deliver, LocalDelivery, SandboxProvider
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.core.events import EventBus

log = structlog.get_logger(__name__)


class Payments:
    """The payment providers by name, and the default one checkouts use."""

    def __init__(
        self, providers: dict[str, PaymentProvider], default: str, deliver: Deliver
    ) -> None:
        self.providers = providers
        self.default_name = default
        # How the sandbox's webhooks reach us (tests call `sandbox.deliver_due(deliver)`).
        self.deliver = deliver

    @property
    def default(self) -> PaymentProvider:
        return self.providers[self.default_name]

    def get(self, name: str) -> PaymentProvider | None:
        return self.providers.get(name)

    @property
    def sandbox(self) -> SandboxProvider:
        provider = self.providers["sandbox"]
        assert isinstance(provider, SandboxProvider)
        return provider


def sandbox_secret(settings: Settings) -> bytes:
    return hmac.new(
        settings.resolved_secret_key.encode(), b"vitrina sandbox webhooks", hashlib.sha256
    ).digest()


def in_process_delivery(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus, provider: PaymentProvider
) -> LocalDelivery:
    async def apply(db: AsyncSession, body: bytes, headers: dict[str, str]) -> str:
        return await orders.receive_webhook(
            db, bus=bus, provider=provider, headers=headers, body=body
        )

    async def deliver(body: bytes, headers: dict[str, str]) -> int:
        try:
            async with transaction(sessions) as db:
                await apply(db, body, headers)
        except AppError as exc:
            return exc.status
        return 200

    def status_of(exc: Exception) -> int | None:
        return exc.status if isinstance(exc, AppError) else None

    return LocalDelivery(deliver, apply, status_of)


@asynccontextmanager
async def running(
    *, settings: Settings, sessions: async_sessionmaker[AsyncSession], bus: EventBus
) -> AsyncIterator[Payments]:
    sandbox = SandboxProvider(
        sessions,
        secret=sandbox_secret(settings),
        webhook_delay_s=settings.commerce_sandbox_webhook_delay_s,
    )
    http: httpx.AsyncClient | None = None
    if settings.commerce_sandbox_webhook_url:
        http = httpx.AsyncClient(timeout=10)
        url = settings.commerce_sandbox_webhook_url

        async def over_http(body: bytes, headers: dict[str, str]) -> int:
            assert http is not None
            return (await http.post(url, content=body, headers=headers)).status_code

        deliver: Deliver = over_http
    else:
        deliver = in_process_delivery(sessions, bus, sandbox)
    payments = Payments({"sandbox": sandbox}, default="sandbox", deliver=deliver)

    async def sweep() -> None:
        while True:
            await asyncio.sleep(settings.commerce_sweep_s)
            try:
                async with transaction(sessions) as db:
                    await orders.expire_due(db, bus=bus, provider=payments.default)
                async with transaction(sessions) as db:
                    await idempotency.purge_expired(db)
            except Exception:
                log.exception("commerce_sweep_failed")

    tasks = [
        asyncio.create_task(sandbox.run(deliver), name="commerce-sandbox-webhooks"),
        asyncio.create_task(sweep(), name="commerce-sweep"),
    ]
    try:
        yield payments
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if http is not None:
            await http.aclose()
