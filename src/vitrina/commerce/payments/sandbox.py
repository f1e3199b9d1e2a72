"""The sandbox payment provider: behaves like a real one, with test cards instead of money.

It keeps its own records (as a provider keeps them on its servers) in its own
transactions, apart from the shop's, and tells the shop what happened by webhooks signed
with HMAC-SHA256 over `<timestamp>.<body>`, delivered after the confirming call returns.

Test cards (any future expiry, any 3-digit CVC):

| number              | outcome                                                        |
| ------------------- | -------------------------------------------------------------- |
| 4242 4242 4242 4242 | succeeds (webhook `payment.succeeded`)                         |
| 4000 0027 6000 3184 | asks for a challenge; the code 123456 passes, any other fails   |
| 4000 0000 0000 0002 | declined `card_declined`                                       |
| 4000 0000 0000 9995 | declined `insufficient_funds`                                  |
| 4000 0000 0000 0069 | declined `expired_card`                                        |
| 4000 0000 0000 0341 | accepted, then fails asynchronously (webhook `payment.failed`) |

Any card is declined `do_not_honor` when the amount's minor units end in 13 (e.g. 10.13),
`invalid_number` when it fails the Luhn check, `expired_card` when its date has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

import structlog
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.commerce.models import PaymentStatus, SandboxEvent, SandboxIntent
from vitrina.commerce.payments.provider import (
    Card,
    Challenge,
    IntentState,
    PaymentError,
    RefundState,
    WebhookEvent,
    WebhookRefused,
)
from vitrina.core.db import transaction, utcnow

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "vitrina-signature"
TOLERANCE_S = 300
CHALLENGE_CODE = "123456"
SUCCESS_CARD = "4242424242424242"
CHALLENGE_CARD = "4000002760003184"
ASYNC_FAIL_CARD = "4000000000000341"
DECLINES = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
}
_CHALLENGE_PROMPT = {
    "en": "Your bank asks you to confirm this payment: enter the code it sent (sandbox: 123456).",
    "fr": "Votre banque vous demande de confirmer ce paiement : saisissez le code reçu (bac à sable : 123456).",
    "it": "La tua banca chiede di confermare il pagamento: inserisci il codice ricevuto (sandbox: 123456).",
}
# Seconds before a failed delivery is tried again, then doubling.
RETRY_BASE_S = 2.0
MAX_ATTEMPTS = 10

_FINAL = {
    "payment.succeeded": PaymentStatus.SUCCEEDED,
    "payment.failed": PaymentStatus.REQUIRES_PAYMENT_METHOD,
}

Deliver = Callable[[bytes, dict[str, str]], Awaitable[int]]
Apply = Callable[[AsyncSession, bytes, dict[str, str]], Awaitable[object]]


class LocalDelivery:
    """Delivery to the shop in this process. Called, it delivers as over HTTP (the shop's
    own transaction; the answer's status). The sandbox's loop uses `apply` instead: the
    shop applies the signed webhook (the same verification, replay and idempotency
    checks) inside the transaction that claims the event, so claim, application and
    "delivered" commit together, or the application rolls back and only the attempt is
    counted. `apply` raises to refuse; `status_of` says which status that refusal is."""

    def __init__(
        self, deliver: Deliver, apply: Apply, status_of: Callable[[Exception], int | None]
    ) -> None:
        self.deliver = deliver
        self.apply = apply
        self.status_of = status_of

    async def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        return await self.deliver(body, headers)


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _state(row: SandboxIntent, challenge: bool = False) -> IntentState:
    return IntentState(
        ref=row.id,
        status=row.status,
        amount_minor=row.amount_minor,
        currency=row.currency,
        decline_code=row.decline_code,
        challenge=Challenge("otp", dict(_CHALLENGE_PROMPT)) if challenge else None,
    )


class SandboxProvider:
    name = "sandbox"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        secret: bytes,
        webhook_delay_s: float = 0.0,
    ) -> None:
        self.sessions = sessions
        self.secret = secret
        self.webhook_delay_s = webhook_delay_s
        self.wake = asyncio.Event()

    # --- the provider's API ----------------------------------------------------------

    async def create_intent(
        self,
        db: AsyncSession,
        *,
        amount_minor: int,
        currency: str,
        reference: str,
        idempotency_key: str,
    ) -> IntentState:
        if amount_minor <= 0:
            raise PaymentError("invalid_amount", "The amount must be positive.")
        existing = (
            await db.execute(
                select(SandboxIntent).where(SandboxIntent.idempotency_key == idempotency_key)
            )
        ).scalar_one_or_none()
        if existing is not None:
            return _state(existing)
        row = SandboxIntent(
            id="pi_" + secrets.token_hex(12),
            amount_minor=amount_minor,
            currency=currency,
            reference=reference[:64],
            status=PaymentStatus.REQUIRES_PAYMENT_METHOD,
            idempotency_key=idempotency_key[:120],
        )
        db.add(row)
        await db.flush()
        return _state(row)

    async def confirm(self, db: AsyncSession, *, ref: str, card: Card) -> IntentState:
        number = "".join(c for c in card.number if not c.isspace())
        if not number.isdigit() or not 12 <= len(number) <= 19 or not _luhn_ok(number):
            raise PaymentError("invalid_number", "The card number is not valid.")
        today = utcnow()
        if (card.exp_year, card.exp_month) < (today.year, today.month) or not (
            1 <= card.exp_month <= 12
        ):
            raise PaymentError("expired_card", "The card has expired.")
        if not (card.cvc.isdigit() and len(card.cvc) in (3, 4)):
            raise PaymentError("invalid_cvc", "The security code is not valid.")
        row = await self._get(db, ref)
        if row.status not in (PaymentStatus.REQUIRES_PAYMENT_METHOD,):
            raise PaymentError(
                "unexpected_state", f"The payment is {row.status}; it cannot be confirmed."
            )
        row.card_last4 = number[-4:]
        decline = DECLINES.get(number)
        if decline is None and row.amount_minor % 100 == 13:
            decline = "do_not_honor"
        if decline is not None:
            row.decline_code = decline
            return _state(row)
        row.decline_code = None
        if number == CHALLENGE_CARD:
            row.status = PaymentStatus.REQUIRES_ACTION
            row.challenge_code_hash = hashlib.sha256(CHALLENGE_CODE.encode()).hexdigest()
            return _state(row, challenge=True)
        row.status = PaymentStatus.PROCESSING
        if number == ASYNC_FAIL_CARD:
            self._queue(db, "payment.failed", row, decline_code="card_declined")
        else:
            self._queue(db, "payment.succeeded", row)
        state = _state(row)
        await db.flush()
        self._wake_after_commit(db)
        return state

    async def answer_challenge(self, db: AsyncSession, *, ref: str, answer: str) -> IntentState:
        row = await self._get(db, ref)
        if row.status != PaymentStatus.REQUIRES_ACTION:
            raise PaymentError("unexpected_state", f"The payment is {row.status}.")
        row.challenge_attempts += 1
        given = hashlib.sha256(answer.strip().encode()).hexdigest()
        if not hmac.compare_digest(given, row.challenge_code_hash or ""):
            row.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
            row.decline_code = "authentication_failed"
            return _state(row)
        row.status = PaymentStatus.PROCESSING
        self._queue(db, "payment.succeeded", row)
        state = _state(row)
        self._wake_after_commit(db)
        return state

    async def cancel(self, db: AsyncSession, *, ref: str) -> IntentState:
        row = await self._get(db, ref)
        if row.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
            raise PaymentError("unexpected_state", f"The payment is {row.status}.")
        row.status = PaymentStatus.CANCELED
        return _state(row)

    async def refund(
        self, db: AsyncSession, *, ref: str, amount_minor: int, idempotency_key: str
    ) -> RefundState:
        refund_ref = "re_" + hashlib.sha256(f"{ref}:{idempotency_key}".encode()).hexdigest()[:24]
        row = await self._get(db, ref)
        done = (
            await db.execute(select(SandboxEvent.id).where(SandboxEvent.id == "evt_" + refund_ref))
        ).scalar_one_or_none()
        if done is not None:
            return RefundState(refund_ref, "pending")
        if row.status != PaymentStatus.SUCCEEDED:
            raise PaymentError("unexpected_state", f"The payment is {row.status}.")
        if amount_minor <= 0 or amount_minor > row.amount_minor - row.refunded_minor:
            raise PaymentError("amount_too_large", "The refund exceeds what was paid.")
        row.refunded_minor += amount_minor
        self._queue(db, "refund.succeeded", row, amount_minor=amount_minor, refund_ref=refund_ref)
        self._wake_after_commit(db)
        return RefundState(refund_ref, "pending")

    def verify_webhook(
        self, *, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> WebhookEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        try:
            timestamp = int(parts["t"])
            given = parts["v1"]
        except (KeyError, ValueError):
            raise WebhookRefused("bad_signature", "The signature header is missing.") from None
        expected = sign(self.secret, body, timestamp).split("v1=", 1)[1]
        if not hmac.compare_digest(given, expected):
            raise WebhookRefused("bad_signature", "The signature does not match the body.")
        if abs(now.timestamp() - timestamp) > TOLERANCE_S:
            raise WebhookRefused("stale", "The signature is older than the replay window.")
        try:
            data = json.loads(body)
            inner = data["data"]
            return WebhookEvent(
                id=str(data["id"]),
                type=str(data["type"]),
                intent_ref=str(inner["intent"]),
                amount_minor=int(inner["amount_minor"]),
                refund_ref=inner.get("refund"),
                decline_code=inner.get("decline_code"),
            )
        except (ValueError, KeyError, TypeError):
            raise WebhookRefused("malformed", "The event body is not understood.") from None

    def _wake_after_commit(self, db: AsyncSession) -> None:
        wake = self.wake

        def on_commit(_session: object) -> None:
            wake.set()

        sa_event.listen(db.sync_session, "after_commit", on_commit, once=True)

    # --- webhooks --------------------------------------------------------------------

    def _queue(
        self,
        db: AsyncSession,
        kind: str,
        row: SandboxIntent,
        *,
        amount_minor: int | None = None,
        refund_ref: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        event_id = "evt_" + (refund_ref or f"{row.id}_{kind.split('.')[-1]}")
        db.add(
            SandboxEvent(
                id=event_id,
                type=kind,
                payload={
                    "intent": row.id,
                    "amount_minor": row.amount_minor if amount_minor is None else amount_minor,
                    "refund": refund_ref,
                    "decline_code": decline_code,
                    "reference": row.reference,
                },
                due_at=utcnow() + timedelta(seconds=self.webhook_delay_s),
            )
        )

    def signed_request(
        self, event: SandboxEvent, *, at: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(
            {
                "id": event.id,
                "type": event.type,
                "created": int(event.created_at.timestamp()),
                "data": event.payload,
            },
            separators=(",", ":"),
        ).encode()
        timestamp = int(time.time()) if at is None else at
        return body, {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self.secret, body, timestamp),
        }

    async def deliver_due(self, deliver: Deliver) -> int:
        """Send every due event once; a failed delivery is retried later, with backoff."""
        now = utcnow()
        async with self.sessions() as db:
            due = list(
                (
                    await db.execute(
                        select(SandboxEvent)
                        .where(
                            SandboxEvent.delivered_at.is_(None),
                            SandboxEvent.due_at <= now,
                            SandboxEvent.attempts < MAX_ATTEMPTS,
                        )
                        .order_by(SandboxEvent.due_at, SandboxEvent.id)
                        .limit(50)
                    )
                ).scalars()
            )
        sent = 0
        for event in due:
            # Claim it: another node (or the loop beside a test) may look at the same row.
            retry_at = now + timedelta(seconds=RETRY_BASE_S * 2**event.attempts)
            if isinstance(deliver, LocalDelivery):
                sent += await self._deliver_locally(event, retry_at, deliver)
                continue
            async with transaction(self.sessions) as db:
                claimed = await self._claim(db, event, retry_at, delivered=False)
            if not claimed:
                continue
            body, headers = self.signed_request(event)
            try:
                status = await deliver(body, headers)
            except Exception:
                log.warning("sandbox_webhook_failed", event_type=event.type, exc_info=True)
                continue
            if 200 <= status < 300:
                async with transaction(self.sessions) as db:
                    await db.execute(
                        update(SandboxEvent)
                        .where(SandboxEvent.id == event.id)
                        .values(delivered_at=utcnow())
                    )
                sent += 1
            else:
                log.warning("sandbox_webhook_refused", event_type=event.type, status=status)
        return sent

    async def _claim(
        self, db: AsyncSession, event: SandboxEvent, retry_at: datetime, *, delivered: bool
    ) -> bool:
        """Count an attempt at the event (and, `delivered`, mark it delivered); False when
        another delivery claimed it first. The intent becomes final with its event."""
        values: dict[str, object] = {"attempts": event.attempts + 1, "due_at": retry_at}
        if delivered:
            values["delivered_at"] = utcnow()
        claimed = await db.execute(
            update(SandboxEvent)
            .where(
                SandboxEvent.id == event.id,
                SandboxEvent.attempts == event.attempts,
                SandboxEvent.delivered_at.is_(None),
            )
            .values(**values)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return False
        final = _FINAL.get(event.type)
        if final is not None:
            await db.execute(
                update(SandboxIntent)
                .where(
                    SandboxIntent.id == str(event.payload["intent"]),
                    SandboxIntent.status == PaymentStatus.PROCESSING,
                )
                .values(status=final, decline_code=event.payload.get("decline_code"))
            )
        return True

    async def _deliver_locally(
        self, event: SandboxEvent, retry_at: datetime, deliver: LocalDelivery
    ) -> int:
        """One transaction: claim, the shop's application, delivered. 1 when delivered."""
        body, headers = self.signed_request(event)
        try:
            async with transaction(self.sessions) as db:
                if not await self._claim(db, event, retry_at, delivered=True):
                    return 0
                await deliver.apply(db, body, headers)
            return 1
        except Exception as exc:
            status = deliver.status_of(exc)
            if status is None:
                log.warning("sandbox_webhook_failed", event_type=event.type, exc_info=True)
            else:
                log.warning("sandbox_webhook_refused", event_type=event.type, status=status)
        # Refused or failed: the attempt counts (tried again later, with backoff).
        async with transaction(self.sessions) as db:
            await self._claim(db, event, retry_at, delivered=False)
        return 0

    async def _get(self, db: AsyncSession, ref: str) -> SandboxIntent:
        row = await db.get(SandboxIntent, ref)
        if row is None:
            raise PaymentError("no_such_payment", f"No payment intent {ref}.")
        return row

    async def run(self, deliver: Deliver, *, interval_s: float = 1.0) -> None:
        """Deliver events as they are queued (woken at once in this process) or every
        `interval_s` (events queued by other nodes, retries)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=interval_s)
            self.wake.clear()
            if self.webhook_delay_s:
                await asyncio.sleep(self.webhook_delay_s)
            try:
                await self.deliver_due(deliver)
            except Exception:
                log.exception("sandbox_delivery_loop_failed")
