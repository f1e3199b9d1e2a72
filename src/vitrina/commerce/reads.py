"""Stored rows to API shapes (schemas.*Read)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.catalog import money
from vitrina.catalog.schemas import Breakdown
from vitrina.commerce import orders, twins
from vitrina.commerce.carts import PricedCart
from vitrina.commerce.models import Document, Order, Payment, Twin
from vitrina.commerce.payments.provider import IntentState
from vitrina.commerce.schemas import (
    CartLineRead,
    CartRead,
    DocumentRead,
    OrderLineRead,
    OrderRead,
    PaymentRead,
    RefundRead,
    TransitionRead,
    TwinRead,
)


def _amount(minor: int, currency: str) -> str:
    return str(money.from_minor(minor, currency=currency))


def cart_read(priced: PricedCart, *, verified: bool) -> CartRead:
    cart = priced.cart
    deposit = priced.deposit
    return CartRead(
        id=cart.id,
        brand=priced.brand.slug,
        status=cart.status,
        currency=priced.currency,
        lines=[
            CartLineRead(
                id=line.item.id,
                product=line.product.slug,
                product_name=dict(line.product.name),
                configuration_id=line.item.configuration_id,
                option_ids=line.option_ids,
                breakdown=Breakdown.model_validate(line.breakdown),
                quantity=line.item.quantity,
                unit_price=str(line.amounts.unit_price),
                net=str(line.amounts.net),
                tax=str(line.amounts.tax),
                total=str(line.amounts.total),
                phygital=line.phygital,
                available=line.available,
            )
            for line in priced.lines
        ],
        net=str(priced.net),
        tax=str(priced.tax),
        total=str(priced.total),
        tax_rate=priced.rules.tax_rate,
        tax_label=priced.rules.tax_label,
        prices_include_tax=priced.rules.prices_include_tax,
        deposit=None if deposit is None else str(deposit),
        verified_customer=verified,
    )


def payment_read(payment: Payment, state: IntentState | None = None) -> PaymentRead:
    challenge = None
    if state is not None and state.challenge is not None:
        challenge = asdict(state.challenge)
    return PaymentRead(
        id=payment.id,
        provider=payment.provider,
        status=payment.status,
        amount=_amount(payment.amount_minor, payment.currency),
        currency=payment.currency,
        decline_code=payment.decline_code,
        refunded=_amount(payment.refunded_minor, payment.currency),
        challenge=challenge,
    )


def twin_read(twin: Twin) -> TwinRead:
    return TwinRead(
        id=twin.id,
        token=twin.token,
        product=twin.product_slug,
        product_title=twin.product_title,
        configuration_id=twin.configuration_id,
        serial=twin.serial,
        status=twin.status,
        redeemed_side=twin.redeemed_side,
        minted_at=twin.minted_at,
        redeemed_at=twin.redeemed_at,
        transfers=twin.transfers,
        order_id=twin.order_id,
    )


async def order_read(
    db: AsyncSession, order: Order, *, brand: Brand, placed: orders.Placed | None = None
) -> OrderRead:
    """The order as the API shows it. `placed`: the order was just placed in this request,
    its lines, payment and first transition are at hand (no refunds or twins yet)."""
    cur = order.currency
    lines = placed.lines if placed is not None else await orders.lines_of(db, order=order)
    payments = [placed.payment] if placed is not None else await orders.payments_of(db, order=order)
    refunds = [] if placed is not None else await orders.refunds_of(db, order=order)
    history = placed.history if placed is not None else await orders.history_of(db, order=order)
    made = [] if placed is not None else await twins.of_order(db, order=order)
    return OrderRead(
        id=order.id,
        number=order.number,
        brand=brand.slug,
        status=order.status,
        plan=order.plan,
        currency=cur,
        net=_amount(order.net_minor, cur),
        tax=_amount(order.tax_minor, cur),
        total=_amount(order.total_minor, cur),
        due_now=_amount(order.due_now_minor, cur),
        paid=_amount(order.paid_minor, cur),
        refunded=_amount(order.refunded_minor, cur),
        balance=_amount(order.total_minor - order.paid_minor, cur)
        if order.status not in ("cancelled", "refunded")
        else _amount(0, cur),
        tax_rate=order.tax_rate,
        prices_include_tax=order.prices_include_tax,
        customer_id=order.customer_id,
        contact_name=order.contact_name,
        contact_email=order.contact_email,
        shipping_address=dict(order.shipping_address or {}),
        reservation_expires_at=order.reservation_expires_at,
        lines=[
            OrderLineRead(
                product=line.product_slug,
                product_title=line.product_title,
                configuration_id=line.configuration_id,
                option_ids=list(line.option_ids),
                breakdown=dict(line.breakdown),
                quantity=line.quantity,
                unit_price=_amount(line.unit_price_minor, cur),
                net=_amount(line.line_net_minor, cur),
                tax=_amount(line.line_tax_minor, cur),
                total=_amount(line.line_total_minor, cur),
                phygital=line.phygital,
            )
            for line in lines
        ],
        payments=[payment_read(p) for p in payments],
        refunds=[
            RefundRead(
                id=r.id,
                amount=_amount(r.amount_minor, cur),
                status=r.status,
                actor=r.actor,
                created_at=r.created_at,
            )
            for r in refunds
        ],
        history=[
            TransitionRead(
                from_status=t.from_status,
                to_status=t.to_status,
                actor=t.actor,
                reason=t.reason,
                amount=None if t.amount_minor is None else _amount(t.amount_minor, cur),
                ledger_seq=t.ledger_seq,
                at=t.at,
            )
            for t in history
        ],
        twins=[twin_read(t) for t in made],
        created_at=order.created_at,
    )


def document_read(document: Document, *, brand: Brand, staff: bool = False) -> DocumentRead:
    base = "/api/staff/commerce" if staff else f"/api/brands/{brand.slug}/commerce"
    pdf_url = (
        f"{base}/brands/{brand.slug}/documents/{document.id}/pdf"
        if staff
        else f"{base}/documents/{document.id}/pdf"
    )
    return DocumentRead(
        id=document.id,
        thread_id=document.thread_id,
        version=document.version,
        kind=document.kind,
        title=document.title,
        status=document.status,
        terms=dict(document.terms),
        sha256=document.sha256,
        brand_key=document.brand_key,
        brand_signature=document.brand_signature,
        brand_ledger_seq=document.brand_ledger_seq,
        countersign_method=document.countersign_method,
        countersigned_at=document.countersigned_at,
        countersign_ledger_seq=document.countersign_ledger_seq,
        pdf_url=pdf_url,
        created_at=document.created_at,
    )
