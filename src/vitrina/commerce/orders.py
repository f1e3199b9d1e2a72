"""Orders: checkout, the state machine, payments, webhooks, refunds.

    pending ──paid──> paid ──fulfil──> fulfilled
       │                │                  │
       └─cancel─> cancelled    └─refund (in full)─> refunded <─┘

Each transition is one `OrderTransition` row (who, why, how much), one ledger entry in
the same transaction, and one `OrderChanged` event after commit (the CRM timeline and the
console pick it up). Partial refunds leave the state as it is and are recorded the same
way; the order moves to `refunded` when everything paid has been refunded.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.brands.models import Brand
from vitrina.catalog import money
from vitrina.commerce import carts, journal, stock, twins
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.events import OrderChanged, OrderRefunded
from vitrina.commerce.models import (
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    Payment,
    PaymentStatus,
    Refund,
    WebhookReceipt,
)
from vitrina.commerce.payments.provider import (
    Card,
    IntentState,
    PaymentError,
    PaymentProvider,
    WebhookEvent,
    WebhookRefused,
)
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict, Forbidden, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal

ALLOWED: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.FULFILLED, OrderStatus.REFUNDED}),
    OrderStatus.FULFILLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
_SUMMARIES: dict[str, str] = {
    OrderStatus.PENDING: "Placed order {number} ({total} {currency})",
    OrderStatus.PAID: "Paid order {number} ({paid} {currency})",
    OrderStatus.FULFILLED: "Order {number} fulfilled",
    OrderStatus.CANCELLED: "Order {number} cancelled",
    OrderStatus.REFUNDED: "Order {number} refunded",
}
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class InvalidTransition(AppError):
    status = 409
    code = CommerceErrorCode.INVALID_TRANSITION


class PaymentDeclined(AppError):
    status = 402
    code = CommerceErrorCode.PAYMENT_DECLINED


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class Placed:
    """A checkout's order with what it wrote (so the answer needs no reading back)."""

    order: Order
    payment: Payment
    lines: list[OrderLine]
    history: list[OrderTransition]


@dataclass(frozen=True, slots=True)
class CheckoutInput:
    plan: str  # full | deposit
    contact_name: str
    contact_email: str
    shipping: dict[str, str]
    billing: dict[str, str]
    locale: str


def actor_of(principal: Principal, customer_id: str | None = None) -> str:
    if principal.kind == "guest":
        return f"customer:{customer_id}" if customer_id else f"guest:{principal.session_id}"
    return f"{principal.kind}:{principal.user_id or principal.session_id}"


def _number() -> str:
    return "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def amount_text(minor: int, currency: str) -> str:
    return str(money.from_minor(minor, currency=currency))


async def brand_by_id(db: AsyncSession, brand_id: str) -> Brand:
    # From the session's identity map when the request has read it already.
    found = await brands.get(db, brand_id=brand_id)
    if found is None:
        raise NotFound(f"No brand {brand_id}.")
    return found


# --- reading --------------------------------------------------------------------------


async def get_or_raise(db: AsyncSession, *, order_id: str, brand: Brand | None = None) -> Order:
    order = await db.get(Order, order_id)
    if order is None or (brand is not None and order.brand_id != brand.id):
        raise NotFound(f"No order {order_id}.", code=CommerceErrorCode.ORDER_NOT_FOUND)
    return order


async def get_own_or_raise(
    db: AsyncSession, *, principal: Principal, brand: Brand, order_id: str
) -> Order:
    """The customer's order: placed by this guest session, or by the customer the session
    has proved to be."""
    order = await get_or_raise(db, order_id=order_id, brand=brand)
    customer_id = await carts.customer_of(db, principal=principal, brand=brand)
    mine = order.session_id == principal.session_id or (
        customer_id is not None and order.customer_id == customer_id
    )
    if not mine:
        raise NotFound(f"No order {order_id}.", code=CommerceErrorCode.ORDER_NOT_FOUND)
    return order


async def list_own(db: AsyncSession, *, principal: Principal, brand: Brand) -> list[Order]:
    customer_id = await carts.customer_of(db, principal=principal, brand=brand)
    who = Order.session_id == principal.session_id
    if customer_id is not None:
        who = who | (Order.customer_id == customer_id)
    rows = await db.execute(
        select(Order).where(Order.brand_id == brand.id, who).order_by(Order.created_at.desc())
    )
    return list(rows.scalars())


async def list_of_customer(
    db: AsyncSession, *, brand_id: str, customer_ids: Sequence[str]
) -> list[Order]:
    rows = await db.execute(
        select(Order)
        .where(Order.brand_id == brand_id, Order.customer_id.in_(list(customer_ids)))
        .order_by(Order.created_at.desc())
    )
    return list(rows.scalars())


async def lines_of(db: AsyncSession, *, order: Order) -> list[OrderLine]:
    rows = await db.execute(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    )
    return list(rows.scalars())


async def history_of(db: AsyncSession, *, order: Order) -> list[OrderTransition]:
    rows = await db.execute(
        select(OrderTransition)
        .where(OrderTransition.order_id == order.id)
        .order_by(OrderTransition.at, OrderTransition.id)
    )
    return list(rows.scalars())


async def payments_of(db: AsyncSession, *, order: Order) -> list[Payment]:
    rows = await db.execute(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.created_at)
    )
    return list(rows.scalars())


async def refunds_of(db: AsyncSession, *, order: Order) -> list[Refund]:
    rows = await db.execute(
        select(Refund).where(Refund.order_id == order.id).order_by(Refund.created_at)
    )
    return list(rows.scalars())


# --- transitions ----------------------------------------------------------------------


async def transition(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    brand: Brand,
    order: Order,
    to: str,
    actor: str,
    reason: str,
    amount_minor: int | None = None,
    first: bool = False,
) -> OrderTransition:
    """Move the order to `to` (or record a same-state event such as a partial refund).
    `first`: the order was just placed (written with its first state already)."""
    before = None if first else order.status
    if to != before and to not in ALLOWED.get(before or "", frozenset()) and before is not None:
        raise InvalidTransition(
            f"Order {order.number} is {before}; it cannot become {to}.",
            from_status=before,
            to_status=to,
        )
    order.status = to
    facts: dict[str, journal.Fact] = {
        "order": order.id,
        "number": order.number,
        "from": before,
        "to": to,
        "actor": journal.public_actor(actor),
        "currency": order.currency,
        "total": amount_text(order.total_minor, order.currency),
        "paid": amount_text(order.paid_minor, order.currency),
        "refunded": amount_text(order.refunded_minor, order.currency),
    }
    if amount_minor is not None:
        facts["amount"] = amount_text(amount_minor, order.currency)
    kind = "order." + (to if to != before else "refunded_partially" if amount_minor else to)
    entry = await journal.record(
        db,
        brand=brand.slug,
        kind=kind,
        facts=facts,
        subjects={"owner": order.customer_id} if order.customer_id else None,
    )
    row = OrderTransition(
        id=new_id(),
        order_id=order.id,
        from_status=before,
        to_status=to,
        actor=actor[:80],
        reason=reason[:500],
        amount_minor=amount_minor,
        ledger_seq=entry.seq,
        ledger_hash=entry.hash,
        at=utcnow(),
    )
    db.add(row)
    await db.flush()
    if bus is not None:
        if to == before and amount_minor is not None:
            summary = f"Refunded {amount_text(amount_minor, order.currency)} {order.currency} on order {order.number}"
        else:
            summary = _SUMMARIES[to].format(
                number=order.number,
                total=amount_text(order.total_minor, order.currency),
                paid=amount_text(order.paid_minor, order.currency),
                currency=order.currency,
            )
        bus.publish_on_commit(
            db,
            OrderChanged(
                brand=brand.slug,
                customer_id=order.customer_id,
                summary=summary,
                order_id=order.id,
                number=order.number,
                from_status=before,
                to_status=to,
                actor=actor,
                total=amount_text(order.total_minor, order.currency),
                currency=order.currency,
            ),
        )
    return row


# --- checkout -------------------------------------------------------------------------


async def checkout(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    principal: Principal,
    brand: Brand,
    cart_id: str,
    data: CheckoutInput,
) -> Placed:
    cart = await carts.get_own_or_raise(db, principal=principal, brand=brand, cart_id=cart_id)
    if cart.status != "open":
        raise Conflict("This cart was checked out already.", code=CommerceErrorCode.CART_CLOSED)
    priced = await carts.price(db, brand=brand, cart=cart, locale=data.locale, stock_levels=False)
    if not priced.lines or priced.currency is None:
        raise AppError("The cart is empty.", code=CommerceErrorCode.CART_EMPTY, status=422)
    customer_id = await carts.customer_of(db, principal=principal, brand=brand)
    if customer_id is None and any(line.phygital for line in priced.lines):
        raise Forbidden(
            "Phygital items come with a digital twin in your name: sign in (wallet, DID or "
            "email code) before checking out.",
            code=CommerceErrorCode.VERIFICATION_REQUIRED,
        )
    currency = priced.currency

    def to_minor(amount: Decimal) -> int:
        return money.to_minor(amount, currency=currency)

    total_minor = to_minor(priced.total)
    if data.plan == "deposit":
        deposit = priced.deposit
        if deposit is None:
            raise AppError(
                f"{brand.name} takes no deposit; pay in full.",
                code=CommerceErrorCode.NOT_PURCHASABLE,
                status=422,
            )
        due_minor = to_minor(deposit)
    else:
        due_minor = total_minor
    now = utcnow()
    order = Order(
        id=new_id(),
        brand_id=brand.id,
        number=_number(),
        cart_id=cart.id,
        session_id=principal.session_id,
        customer_id=customer_id,
        status=OrderStatus.PENDING,
        currency=currency,
        plan=data.plan,
        net_minor=to_minor(priced.net),
        tax_minor=to_minor(priced.tax),
        total_minor=total_minor,
        due_now_minor=due_minor,
        paid_minor=0,
        refunded_minor=0,
        tax_rate=priced.rules.tax_rate,
        prices_include_tax=priced.rules.prices_include_tax,
        locale=data.locale,
        reservation_expires_at=now + timedelta(seconds=priced.rules.reservation_ttl_s),
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        shipping_address=dict(data.shipping),
        billing_address=dict(data.billing or data.shipping),
    )
    # Written with its first state; the first transition below records it.
    db.add(order)
    lines: list[OrderLine] = []
    for line in priced.lines:
        lines.append(
            OrderLine(
                id=new_id(),
                order_id=order.id,
                product_id=line.product.id,
                product_slug=line.product.slug,
                product_title=line.product.name.get(data.locale) or line.product.name["en"],
                configuration_id=line.item.configuration_id,
                option_ids=line.option_ids,
                breakdown=line.breakdown,
                quantity=line.item.quantity,
                unit_price_minor=to_minor(line.amounts.unit_price),
                line_net_minor=to_minor(line.amounts.net),
                line_tax_minor=to_minor(line.amounts.tax),
                line_total_minor=to_minor(line.amounts.total),
                phygital=line.phygital,
            )
        )
    db.add_all(lines)
    await db.flush()
    assert order.reservation_expires_at is not None
    await stock.reserve(
        db,
        order_id=order.id,
        needs=[
            stock.Need(line.product, line.item.configuration_id, line.item.quantity)
            for line in priced.lines
        ],
        expires_at=order.reservation_expires_at,
    )
    cart.status = "checked_out"
    first = await transition(
        db,
        bus=bus,
        brand=brand,
        order=order,
        to=OrderStatus.PENDING,
        actor=actor_of(principal, customer_id),
        reason="checkout",
        first=True,
    )
    payment = await _new_payment(
        db, provider=provider, order=order, amount_minor=due_minor, attempt=1
    )
    return Placed(order, payment, sorted(lines, key=lambda line: line.id), [first])


async def _new_payment(
    db: AsyncSession,
    *,
    provider: PaymentProvider,
    order: Order,
    amount_minor: int,
    attempt: int | None = None,
) -> Payment:
    if attempt is None:
        attempt = len(await payments_of(db, order=order)) + 1
    try:
        state = await provider.create_intent(
            db,
            amount_minor=amount_minor,
            currency=order.currency,
            reference=order.number,
            idempotency_key=f"order:{order.id}:{attempt}",
        )
    except PaymentError as exc:
        raise PaymentDeclined(exc.detail, decline_code=exc.code) from None
    payment = Payment(
        id=new_id(),
        order_id=order.id,
        brand_id=order.brand_id,
        provider=provider.name,
        provider_ref=state.ref,
        amount_minor=amount_minor,
        currency=order.currency,
        status=state.status,
    )
    db.add(payment)
    await db.flush()
    return payment


async def get_payment_or_raise(db: AsyncSession, *, order: Order, payment_id: str) -> Payment:
    payment = await db.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id:
        raise NotFound(f"No payment {payment_id}.", code=CommerceErrorCode.PAYMENT_NOT_FOUND)
    return payment


async def _payable(
    db: AsyncSession, *, bus: EventBus | None, brand: Brand, order: Order, provider: PaymentProvider
) -> None:
    if order.status != OrderStatus.PENDING:
        raise InvalidTransition(f"Order {order.number} is {order.status}; nothing to pay.")
    if order.reservation_expires_at is not None and order.reservation_expires_at <= utcnow():
        raise Conflict(
            "The items were held for you until "
            f"{order.reservation_expires_at:%H:%M} UTC; that time has passed. Check out again.",
            code=CommerceErrorCode.RESERVATION_EXPIRED,
        )


async def confirm_payment(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    brand: Brand,
    order: Order,
    payment: Payment,
    card: Card,
) -> IntentState:
    """Hand the card to the provider. Returns its answer: processing (a webhook will say
    paid), requires_action (a challenge), or requires_payment_method with a decline code.
    """
    await _payable(db, bus=bus, brand=brand, order=order, provider=provider)
    if payment.status != PaymentStatus.REQUIRES_PAYMENT_METHOD:
        raise Conflict(f"This payment is {payment.status}.", code=CommerceErrorCode.PAYMENT_STATE)
    try:
        state = await provider.confirm(db, ref=payment.provider_ref, card=card)
    except PaymentError as exc:
        raise PaymentDeclined(exc.detail, decline_code=exc.code) from None
    payment.status = state.status
    payment.decline_code = state.decline_code
    await db.flush()
    return state


async def answer_challenge(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    brand: Brand,
    order: Order,
    payment: Payment,
    answer: str,
) -> IntentState:
    await _payable(db, bus=bus, brand=brand, order=order, provider=provider)
    if payment.status != PaymentStatus.REQUIRES_ACTION:
        raise Conflict(
            f"This payment is {payment.status}; no challenge is open.",
            code=CommerceErrorCode.PAYMENT_STATE,
        )
    try:
        state = await provider.answer_challenge(db, ref=payment.provider_ref, answer=answer)
    except PaymentError as exc:
        raise PaymentDeclined(exc.detail, decline_code=exc.code) from None
    payment.status = state.status
    payment.decline_code = state.decline_code
    await db.flush()
    return state


async def cancel(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    brand: Brand,
    order: Order,
    actor: str,
    reason: str,
) -> None:
    if order.status != OrderStatus.PENDING:
        raise InvalidTransition(
            f"Order {order.number} is {order.status}; only a pending order can be cancelled "
            "(a paid one is refunded).",
            from_status=order.status,
            to_status=OrderStatus.CANCELLED,
        )
    for payment in await payments_of(db, order=order):
        if payment.status == PaymentStatus.PROCESSING:
            raise Conflict(
                "A payment is being processed; wait for its outcome.",
                code=CommerceErrorCode.PAYMENT_STATE,
            )
        if payment.status in (PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.REQUIRES_ACTION):
            await provider.cancel(db, ref=payment.provider_ref)
            payment.status = PaymentStatus.CANCELED
    await stock.release(db, order_id=order.id)
    await transition(
        db, bus=bus, brand=brand, order=order, to=OrderStatus.CANCELLED, actor=actor, reason=reason
    )


async def fulfil(
    db: AsyncSession, *, bus: EventBus | None, brand: Brand, order: Order, actor: str, reason: str
) -> None:
    await transition(
        db, bus=bus, brand=brand, order=order, to=OrderStatus.FULFILLED, actor=actor, reason=reason
    )


async def refund(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    brand: Brand,
    order: Order,
    amount_minor: int | None,
    actor: str,
    reason: str,
    idempotency_key: str,
) -> Refund:
    """Ask the provider to refund all that remains (None) or part of it; the order's
    figures change when the provider's webhook confirms it."""
    if order.status not in (OrderStatus.PAID, OrderStatus.FULFILLED):
        raise InvalidTransition(
            f"Order {order.number} is {order.status}; only a paid order can be refunded."
        )
    payments = [
        p for p in await payments_of(db, order=order) if p.status == PaymentStatus.SUCCEEDED
    ]
    refundable = sum(p.amount_minor - p.refunded_minor for p in payments)
    wanted = refundable if amount_minor is None else amount_minor
    if wanted <= 0 or wanted > refundable:
        raise AppError(
            f"At most {amount_text(refundable, order.currency)} {order.currency} can be refunded.",
            code=CommerceErrorCode.REFUND_TOO_LARGE,
            status=422,
            refundable=amount_text(refundable, order.currency),
        )
    left = wanted
    made: Refund | None = None
    for payment in payments:
        part = min(left, payment.amount_minor - payment.refunded_minor)
        if part <= 0:
            continue
        try:
            state = await provider.refund(
                db,
                ref=payment.provider_ref,
                amount_minor=part,
                idempotency_key=f"{idempotency_key}:{payment.id}",
            )
        except PaymentError as exc:
            raise AppError(exc.detail, code=CommerceErrorCode.PAYMENT_STATE, status=409) from None
        payment.refunded_minor += part
        made = Refund(
            id=new_id(),
            payment_id=payment.id,
            order_id=order.id,
            provider_ref=state.ref,
            amount_minor=part,
            status="pending",
            actor=actor[:80],
        )
        db.add(made)
        left -= part
        if left == 0:
            break
    assert made is not None
    db.add(
        OrderTransition(
            id=new_id(),
            order_id=order.id,
            from_status=order.status,
            to_status=order.status,
            actor=actor[:80],
            reason=f"refund requested: {reason}"[:500],
            amount_minor=wanted,
            at=utcnow(),
        )
    )
    await db.flush()
    return made


# --- webhooks -------------------------------------------------------------------------


async def apply_webhook(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    event: WebhookEvent,
) -> str:
    """Apply a verified provider event once. Returns applied | duplicate | ignored."""
    # The receipt first, in one statement: a second delivery of the event finds it and
    # changes nothing. The same event delivered twice at once: the second waits at this
    # insert for the first's commit (PostgreSQL's unique index; SQLite's write turn),
    # then is told "duplicate".
    make = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    received = await db.execute(
        make(WebhookReceipt)
        .values(provider=provider.name, event_id=event.id, received_at=utcnow())
        .on_conflict_do_nothing()
        .returning(WebhookReceipt.event_id)
    )
    if received.first() is None:
        return "duplicate"
    payment = (
        await db.execute(
            select(Payment).where(
                Payment.provider == provider.name, Payment.provider_ref == event.intent_ref
            )
        )
    ).scalar_one_or_none()
    if payment is None:
        return "ignored"
    order = await get_or_raise(db, order_id=payment.order_id)
    brand = await brand_by_id(db, order.brand_id)
    actor = f"provider:{provider.name}"
    if event.type == "payment.succeeded":
        if payment.status == PaymentStatus.SUCCEEDED:
            return "duplicate"
        payment.status = PaymentStatus.SUCCEEDED
        payment.decline_code = None
        order.paid_minor += payment.amount_minor
        if order.status == OrderStatus.PENDING and await stock.consume(db, order_id=order.id):
            await transition(
                db,
                bus=bus,
                brand=brand,
                order=order,
                to=OrderStatus.PAID,
                actor=actor,
                reason=f"payment {payment.provider_ref} succeeded",
                amount_minor=payment.amount_minor,
            )
            await twins.mint_for_order(db, bus=bus, brand=brand, order=order)
        else:
            # Paid too late: the order was cancelled (or its units sold) meanwhile.
            if order.status == OrderStatus.PENDING:
                await stock.release(db, order_id=order.id)
                await transition(
                    db,
                    bus=bus,
                    brand=brand,
                    order=order,
                    to=OrderStatus.CANCELLED,
                    actor="system",
                    reason="the reserved units were sold while the payment was processed",
                )
            state = await provider.refund(
                db,
                ref=payment.provider_ref,
                amount_minor=payment.amount_minor,
                idempotency_key=f"late:{payment.id}",
            )
            payment.refunded_minor = payment.amount_minor
            db.add(
                Refund(
                    id=new_id(),
                    payment_id=payment.id,
                    order_id=order.id,
                    provider_ref=state.ref,
                    amount_minor=payment.amount_minor,
                    actor="system",
                )
            )
        await db.flush()
        return "applied"
    if event.type == "payment.failed":
        payment.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
        payment.decline_code = event.decline_code or "card_declined"
        await db.flush()
        return "applied"
    if event.type in ("refund.succeeded", "refund.failed"):
        row = (
            await db.execute(
                select(Refund).where(
                    Refund.payment_id == payment.id, Refund.provider_ref == event.refund_ref
                )
            )
        ).scalar_one_or_none()
        if row is None or row.status != "pending":
            return "ignored"
        if event.type == "refund.failed":
            row.status = "failed"
            payment.refunded_minor -= row.amount_minor
            await db.flush()
            return "applied"
        row.status = "succeeded"
        order.refunded_minor += row.amount_minor
        if order.status in (OrderStatus.PAID, OrderStatus.FULFILLED):
            full = order.refunded_minor >= order.paid_minor
            await transition(
                db,
                bus=bus,
                brand=brand,
                order=order,
                to=OrderStatus.REFUNDED if full else order.status,
                actor=row.actor,
                reason=f"refund {row.provider_ref} succeeded",
                amount_minor=row.amount_minor,
            )
            if bus is not None:
                bus.publish_on_commit(
                    db,
                    OrderRefunded(
                        brand=brand.slug,
                        order_id=order.id,
                        number=order.number,
                        amount=amount_text(row.amount_minor, order.currency),
                        currency=order.currency,
                        actor=row.actor,
                    ),
                )
        await db.flush()
        return "applied"
    return "ignored"


# --- expiry ---------------------------------------------------------------------------


async def expire_due(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
) -> int:
    """Cancel pending orders whose hold has run out and that no payment is processing."""
    rows = await db.execute(
        select(Order)
        .where(Order.status == OrderStatus.PENDING, Order.reservation_expires_at <= utcnow())
        .limit(100)
    )
    done = 0
    for order in rows.scalars():
        if any(p.status == PaymentStatus.PROCESSING for p in await payments_of(db, order=order)):
            continue
        brand = await brand_by_id(db, order.brand_id)
        await cancel(
            db,
            bus=bus,
            provider=provider,
            brand=brand,
            order=order,
            actor="system",
            reason="the hold on the items expired before payment",
        )
        done += 1
    return done


class WebhookInvalid(AppError):
    status = 400
    code = CommerceErrorCode.WEBHOOK_SIGNATURE


async def receive_webhook(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    provider: PaymentProvider,
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """Verify a provider's webhook (signature, replay window) and apply it once."""
    try:
        event = provider.verify_webhook(headers=headers, body=body, now=utcnow())
    except WebhookRefused as exc:
        code = (
            CommerceErrorCode.WEBHOOK_REPLAYED
            if exc.reason == "stale"
            else CommerceErrorCode.WEBHOOK_SIGNATURE
        )
        raise WebhookInvalid(exc.detail, code=code, reason=exc.reason) from None
    return await apply_webhook(db, bus=bus, provider=provider, event=event)
