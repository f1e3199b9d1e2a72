"""Commerce tables: brand rules, stock and reservations, carts, orders and their history,
payments and refunds, the sandbox provider's own records, phygital twins, shared documents,
proof challenges and the idempotency journal.

Money is stored as integer minor units (cents) with its currency, as in the catalog.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin, utcnow


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PaymentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class TwinStatus(StrEnum):
    ACTIVE = "active"
    REDEEMED = "redeemed"


class DocumentStatus(StrEnum):
    SHARED = "shared"
    COUNTERSIGNED = "countersigned"
    WITHDRAWN = "withdrawn"


class BrandRules(Base):
    """A brand's commerce rules: tax, deposit, which products are phygital."""

    __tablename__ = "commerce_brand_rules"

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    # Decimal string, e.g. "0.22" for 22 % VAT.
    tax_rate: Mapped[str] = mapped_column(String(12), default="0")
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=True)
    tax_label: Mapped[str] = mapped_column(String(32), default="VAT")
    # A deposit the customer may pay instead of the full amount (minor units), or none.
    deposit_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    phygital_products: Mapped[list[str]] = mapped_column(JSON, default=list)
    reservation_ttl_s: Mapped[int] = mapped_column(Integer, default=900)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StockItem(IdMixin, Base):
    """Units on hand of a product, or of one saved configuration of it (a built unit)."""

    __tablename__ = "commerce_stock"
    __table_args__ = (
        UniqueConstraint("product_id", "configuration_id", name="uq_commerce_stock_unit"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("catalog_product.id", ondelete="CASCADE"))
    # "" for the product as a whole.
    configuration_id: Mapped[str] = mapped_column(String(16), default="")
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every reservation: the UPDATE is the row lock that serialises them.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)


class Reservation(IdMixin, Base):
    __tablename__ = "commerce_reservation"
    __table_args__ = (Index("ix_commerce_reservation_stock_state", "stock_id", "state"),)

    stock_id: Mapped[str] = mapped_column(ForeignKey("commerce_stock.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(
        ForeignKey("commerce_order.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    # active -> consumed (paid) | released (cancelled or expired)
    state: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[datetime]


class Cart(IdMixin, TimestampMixin, Base):
    __tablename__ = "commerce_cart"

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    # The guest session that owns it; a verified customer is noted when known.
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    currency: Mapped[str | None] = mapped_column(String(3), default=None)


class CartItem(IdMixin, Base):
    __tablename__ = "commerce_cart_item"

    cart_id: Mapped[str] = mapped_column(
        ForeignKey("commerce_cart.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[str] = mapped_column(ForeignKey("catalog_product.id", ondelete="CASCADE"))
    configuration_id: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(IdMixin, TimestampMixin, Base):
    __tablename__ = "commerce_order"
    __table_args__ = (UniqueConstraint("brand_id", "number", name="uq_commerce_order_number"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(24))
    cart_id: Mapped[str | None] = mapped_column(String(36), default=None)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING)
    currency: Mapped[str] = mapped_column(String(3))
    plan: Mapped[str] = mapped_column(String(16), default="full")
    net_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    due_now_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_rate: Mapped[str] = mapped_column(String(12))
    prices_include_tax: Mapped[bool] = mapped_column(Boolean)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    reservation_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Personal: sealed under the customer (or the guest session) in personal_data.py.
    contact_name: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(Text, default="")
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    billing_address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class OrderLine(IdMixin, Base):
    __tablename__ = "commerce_order_line"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("commerce_order.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_product.id", ondelete="SET NULL")
    )
    product_slug: Mapped[str] = mapped_column(String(64))
    product_title: Mapped[str] = mapped_column(String(200))
    configuration_id: Mapped[str] = mapped_column(String(16))
    option_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The catalog's price breakdown as quoted when the order was placed (decimal strings).
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    line_net_minor: Mapped[int] = mapped_column(BigInteger)
    line_tax_minor: Mapped[int] = mapped_column(BigInteger)
    line_total_minor: Mapped[int] = mapped_column(BigInteger)
    phygital: Mapped[bool] = mapped_column(Boolean, default=False)


class OrderTransition(IdMixin, Base):
    """One change of an order's state: who, why, and the ledger entry that records it."""

    __tablename__ = "commerce_order_transition"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("commerce_order.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    # "customer:<id>", "guest:<session>", "staff:<user id>", "provider:sandbox", "system"
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    ledger_hash: Mapped[str | None] = mapped_column(String(128), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class Payment(IdMixin, TimestampMixin, Base):
    __tablename__ = "commerce_payment"
    __table_args__ = (
        UniqueConstraint("provider", "provider_ref", name="uq_commerce_payment_provider_ref"),
    )

    order_id: Mapped[str] = mapped_column(
        ForeignKey("commerce_order.id", ondelete="CASCADE"), index=True
    )
    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(32))
    provider_ref: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    decline_code: Mapped[str | None] = mapped_column(String(32), default=None)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class Refund(IdMixin, Base):
    __tablename__ = "commerce_refund"

    payment_id: Mapped[str] = mapped_column(
        ForeignKey("commerce_payment.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce_order.id", ondelete="CASCADE"))
    provider_ref: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookReceipt(Base):
    """A provider event already applied: a second delivery of it changes nothing."""

    __tablename__ = "commerce_webhook_receipt"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SandboxIntent(TimestampMixin, Base):
    """The sandbox provider's side of a payment: what a real provider keeps on its servers."""

    __tablename__ = "commerce_sandbox_intent"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    decline_code: Mapped[str | None] = mapped_column(String(32), default=None)
    challenge_code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    challenge_attempts: Mapped[int] = mapped_column(Integer, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)


class SandboxEvent(Base):
    """An event the sandbox provider sends to the webhook endpoint (its outbox)."""

    __tablename__ = "commerce_sandbox_event"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Twin(IdMixin, Base):
    """A phygital item's digital twin token, paired with one physical unit by its serial."""

    __tablename__ = "commerce_twin"
    __table_args__ = (UniqueConstraint("brand_id", "serial", name="uq_commerce_twin_serial"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    product_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_product.id", ondelete="SET NULL")
    )
    product_slug: Mapped[str] = mapped_column(String(64))
    product_title: Mapped[str] = mapped_column(String(200))
    configuration_id: Mapped[str] = mapped_column(String(16))
    serial: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(36), index=True)
    order_id: Mapped[str | None] = mapped_column(
        ForeignKey("commerce_order.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default=TwinStatus.ACTIVE)
    # Which side was redeemed: "physical" (unit handed over) or "digital" (token redeemed).
    redeemed_side: Mapped[str | None] = mapped_column(String(16), default=None)
    minted_at: Mapped[datetime] = mapped_column(default=utcnow)
    redeemed_at: Mapped[datetime | None] = mapped_column(default=None)
    transfers: Mapped[int] = mapped_column(Integer, default=0)


class ProofChallenge(IdMixin, Base):
    """A nonce issued for one signed act (a twin transfer or redemption, a countersignature)."""

    __tablename__ = "commerce_proof_challenge"

    purpose: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[str] = mapped_column(String(36), index=True)
    session_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36))
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the signed text commits to (the recipient of a transfer, a document's hash).
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class Document(IdMixin, TimestampMixin, Base):
    """A quote or financing offer shared with a customer as a brand-signed PDF."""

    __tablename__ = "commerce_document"
    __table_args__ = (UniqueConstraint("sha256", name="uq_commerce_document_sha256"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    # Versions of one offer share a thread id; each version is its own signed PDF.
    thread_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    configuration_id: Mapped[str | None] = mapped_column(String(16), default=None)
    # The figures of the offer (amounts, rate, months), not personal.
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.SHARED)
    created_by: Mapped[str] = mapped_column(String(36))
    sha256: Mapped[str] = mapped_column(String(64))
    brand_key: Mapped[str] = mapped_column(String(64))
    brand_signature: Mapped[str] = mapped_column(String(128))
    brand_ledger_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Personal: the PDF names the customer (base64, sealed under the customer).
    pdf_content: Mapped[str] = mapped_column(Text, default="")
    countersign_method: Mapped[str | None] = mapped_column(String(16), default=None)
    countersigner: Mapped[str] = mapped_column(Text, default="")
    countersign_message: Mapped[str] = mapped_column(Text, default="")
    countersignature: Mapped[str | None] = mapped_column(String(200), default=None)
    countersigned_at: Mapped[datetime | None] = mapped_column(default=None)
    countersign_ledger_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The answer given to a write made with an Idempotency-Key, replayed on a retry."""

    __tablename__ = "commerce_idempotency"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sealed_for: Mapped[str | None] = mapped_column(String(64))
