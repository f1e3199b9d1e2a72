"""The payment provider interface: what commerce asks of any provider.

A provider creates a payment intent for an amount, confirms it with a payment method
(which may need a challenge step, like 3-D Secure), refunds all or part of it, and tells
us what happened by signed webhooks; `verify_webhook` checks the signature and freshness
and turns the body into a `WebhookEvent`. Adding a real provider is one class with these
methods (its HTTP client inside), registered in `commerce.wiring`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Card:
    """A card as typed into the checkout form; providers never let us store it."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str


@dataclass(frozen=True, slots=True)
class Challenge:
    """A challenge step the customer must pass (3-D Secure-like)."""

    kind: str
    prompt: dict[str, str]


@dataclass(frozen=True, slots=True)
class IntentState:
    ref: str
    status: str  # a models.PaymentStatus value
    amount_minor: int
    currency: str
    decline_code: str | None = None
    challenge: Challenge | None = None


@dataclass(frozen=True, slots=True)
class RefundState:
    ref: str
    status: str  # pending | succeeded | failed


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    id: str
    type: str  # payment.succeeded | payment.failed | refund.succeeded | refund.failed
    intent_ref: str
    amount_minor: int
    refund_ref: str | None = None
    decline_code: str | None = None


class PaymentError(Exception):
    """The provider refused an operation; `code` is stable (e.g. card_declined)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class WebhookRefused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason  # bad_signature | stale | malformed
        self.detail = detail


class PaymentProvider(Protocol):
    """`db` is the shop's transaction: a provider that keeps local records (the sandbox)
    writes them there, so they commit with the shop's change; a remote provider ignores it
    and makes its HTTP call, with the idempotency key, so that a retry is harmless."""

    name: str

    async def create_intent(
        self,
        db: AsyncSession,
        *,
        amount_minor: int,
        currency: str,
        reference: str,
        idempotency_key: str,
    ) -> IntentState: ...

    async def confirm(self, db: AsyncSession, *, ref: str, card: Card) -> IntentState: ...

    async def answer_challenge(self, db: AsyncSession, *, ref: str, answer: str) -> IntentState: ...

    async def cancel(self, db: AsyncSession, *, ref: str) -> IntentState: ...

    async def refund(
        self, db: AsyncSession, *, ref: str, amount_minor: int, idempotency_key: str
    ) -> RefundState: ...

    def verify_webhook(
        self, *, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> WebhookEvent: ...
