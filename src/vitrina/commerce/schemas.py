"""API shapes of commerce. Amounts travel as exact decimal strings with their currency."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vitrina.catalog.schemas import Breakdown, Price
from vitrina.core.schemas import RequestModel

Locale = Literal["en", "fr", "it"]
ProofMethod = Literal["siwe", "did"]


class Strict(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)


# --- requests ---------------------------------------------------------------------------


class CartItemCreate(Strict):
    """A saved configuration (`configuration_id`), or a product and its options."""

    configuration_id: str | None = Field(default=None, min_length=4, max_length=16)
    product: str | None = Field(default=None, min_length=1, max_length=64)
    option_ids: list[str] = Field(default_factory=list, max_length=200)
    quantity: int = Field(default=1, ge=1, le=20)
    locale: Locale = "en"


class CartItemUpdate(Strict):
    quantity: int = Field(ge=0, le=20, description="0 removes the item")


class AddressIn(Strict):
    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field(default="", max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class CheckoutRequest(Strict):
    plan: Literal["full", "deposit"] = "full"
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    shipping_address: AddressIn
    billing_address: AddressIn | None = None
    locale: Locale = "en"


class CardIn(Strict):
    number: str = Field(min_length=12, max_length=23, pattern=r"^[0-9 ]+$")
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=2100)
    cvc: str = Field(min_length=3, max_length=4, pattern=r"^[0-9]+$")


class ConfirmRequest(Strict):
    card: CardIn


class ChallengeAnswer(Strict):
    code: str = Field(min_length=1, max_length=12)


class ReasonIn(Strict):
    reason: str = Field(default="", max_length=500)


class RefundRequest(Strict):
    amount: Price | None = Field(
        default=None, description='Decimal string, e.g. "250.00"; omitted: all that remains'
    )
    reason: str = Field(default="", max_length=500)


class RulesUpdate(Strict):
    tax_rate: str = Field(pattern=r"^0(\.\d{1,4})?$", description='e.g. "0.22"')
    prices_include_tax: bool = True
    tax_label: str = Field(default="VAT", min_length=1, max_length=32)
    deposit: Price | None = Field(default=None, description="in the brand's currency")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    phygital_products: list[str] = Field(default_factory=list, max_length=500)
    reservation_ttl_s: int = Field(default=900, ge=60, le=7 * 24 * 3600)


class StockUpdate(Strict):
    on_hand: int = Field(ge=0, le=10_000_000)
    configuration_id: str = Field(default="", max_length=16)


class ProofRequest(Strict):
    method: ProofMethod
    signer: str = Field(
        min_length=4, max_length=200, description="The wallet address or the did:key"
    )


class RecipientIn(Strict):
    kind: Literal["email", "wallet", "did"]
    value: str = Field(min_length=3, max_length=254)


class TransferChallengeRequest(ProofRequest):
    recipient: RecipientIn


class SignedProof(Strict):
    message: str = Field(min_length=10, max_length=4000)
    signature: str = Field(min_length=10, max_length=400)


class RedeemPhysical(Strict):
    serial: str = Field(min_length=3, max_length=40)
    reason: str = Field(default="", max_length=500)


class DocumentCreate(Strict):
    customer_id: str = Field(min_length=1, max_length=36)
    kind: Literal["quote", "financing"]
    title: str = Field(min_length=1, max_length=200)
    configuration_id: str | None = Field(default=None, max_length=16)
    price: Price
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    deposit: Price = "0"
    months: int = Field(default=48, ge=1, le=120)
    annual_rate: str = Field(default="0.0499", pattern=r"^0(\.\d{1,6})?$")
    notes: str = Field(default="", max_length=2000)
    locale: Locale = "en"
    replaces: str | None = Field(
        default=None, max_length=36, description="The offer (thread id) this is a new version of"
    )


class VerifyRequest(Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


# --- answers ----------------------------------------------------------------------------


class Money(BaseModel):
    amount: str
    currency: str


class CartLineRead(BaseModel):
    id: str
    product: str
    product_name: dict[str, str]
    configuration_id: str
    option_ids: list[str]
    breakdown: Breakdown
    quantity: int
    unit_price: str
    net: str
    tax: str
    total: str
    phygital: bool
    available: int


class CartRead(BaseModel):
    id: str
    brand: str
    status: str
    currency: str | None
    lines: list[CartLineRead]
    net: str
    tax: str
    total: str
    tax_rate: str
    tax_label: str
    prices_include_tax: bool
    deposit: str | None = Field(description="What the deposit plan asks today, if offered")
    verified_customer: bool


class OrderLineRead(BaseModel):
    product: str
    product_title: str
    configuration_id: str
    option_ids: list[str]
    breakdown: dict[str, Any]
    quantity: int
    unit_price: str
    net: str
    tax: str
    total: str
    phygital: bool


class TransitionRead(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    amount: str | None
    ledger_seq: int | None
    at: datetime


class PaymentRead(BaseModel):
    id: str
    provider: str
    status: str
    amount: str
    currency: str
    decline_code: str | None
    refunded: str
    challenge: dict[str, Any] | None = None


class RefundRead(BaseModel):
    id: str
    amount: str
    status: str
    actor: str
    created_at: datetime


class TwinRead(BaseModel):
    id: str
    token: str
    product: str
    product_title: str
    configuration_id: str
    serial: str
    status: str
    redeemed_side: str | None
    minted_at: datetime
    redeemed_at: datetime | None
    transfers: int
    order_id: str | None


class OrderRead(BaseModel):
    id: str
    number: str
    brand: str
    status: str
    plan: str
    currency: str
    net: str
    tax: str
    total: str
    due_now: str
    paid: str
    refunded: str
    balance: str
    tax_rate: str
    prices_include_tax: bool
    customer_id: str | None
    contact_name: str
    contact_email: str
    shipping_address: dict[str, Any]
    reservation_expires_at: datetime | None
    lines: list[OrderLineRead]
    payments: list[PaymentRead]
    refunds: list[RefundRead]
    history: list[TransitionRead]
    twins: list[TwinRead]
    created_at: datetime


class CheckoutRead(BaseModel):
    order: OrderRead
    payment: PaymentRead


class RulesRead(BaseModel):
    brand: str
    tax_rate: str
    prices_include_tax: bool
    tax_label: str
    deposit_minor: int | None
    phygital_products: list[str]
    reservation_ttl_s: int


class StockRead(BaseModel):
    product: str
    configuration_id: str
    on_hand: int
    available: int


class ChallengeRead(BaseModel):
    message: str = Field(description="The exact text to sign, unchanged")
    method: ProofMethod
    expires_at: datetime


class DocumentRead(BaseModel):
    id: str
    thread_id: str
    version: int
    kind: str
    title: str
    status: str
    terms: dict[str, Any]
    sha256: str
    brand_key: str
    brand_signature: str
    brand_ledger_seq: int | None
    countersign_method: str | None
    countersigned_at: datetime | None
    countersign_ledger_seq: int | None
    pdf_url: str
    created_at: datetime


class VerifyRead(BaseModel):
    known: bool
    document_id: str | None = None
    thread_id: str | None = None
    version: int | None = None
    latest_version: int | None = None
    kind: str | None = None
    status: str | None = None
    brand_key: str | None = None
    brand_signature: str | None = None
    brand_signature_valid: bool = False
    countersigned: bool = False
    countersign_method: str | None = None
    countersignature_valid: bool = False
    countersigned_at: datetime | None = None
    brand_ledger_seq: int | None = None
    countersign_ledger_seq: int | None = None


class WebhookAck(BaseModel):
    received: bool
    outcome: str


class BrandKeyRead(BaseModel):
    brand: str
    algorithm: str = "Ed25519"
    public_key: str = Field(description="Raw 32-byte key in hex")
