"""Commerce HTTP API: the storefront's cart, checkout, orders, garage and documents; the
payment provider's webhook; the staff's order desk; the brand's rules and stock.

Every write takes an `Idempotency-Key` header (see idempotency.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from vitrina.api.deps import (
    ADMIN,
    GUEST_OR_STAFF,
    PUBLIC,
    STAFF,
    AdminPrincipal,
    AnyPrincipal,
    Bus,
    DbSession,
    SettingsDep,
    StaffPrincipal,
    check_brand,
    client_ip,
    require_roles,
)
from vitrina.brands import service as brands
from vitrina.brands.models import Brand
from vitrina.catalog import money
from vitrina.catalog import service as catalog
from vitrina.commerce import carts, documents, idempotency, orders, stock, twins
from vitrina.commerce import rules as brand_rules
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.payments.provider import Card, IntentState
from vitrina.commerce.reads import cart_read, document_read, order_read, payment_read, twin_read
from vitrina.commerce.schemas import (
    BrandKeyRead,
    CardIn,
    CartItemCreate,
    CartItemUpdate,
    CartRead,
    ChallengeAnswer,
    ChallengeRead,
    CheckoutRead,
    CheckoutRequest,
    ConfirmRequest,
    DocumentCreate,
    DocumentRead,
    OrderRead,
    PaymentRead,
    ProofRequest,
    ReasonIn,
    RedeemPhysical,
    RefundRequest,
    RulesRead,
    RulesUpdate,
    SignedProof,
    StockRead,
    StockUpdate,
    TransferChallengeRequest,
    TwinRead,
    VerifyRead,
    VerifyRequest,
    WebhookAck,
)
from vitrina.commerce.wiring import Payments
from vitrina.core.components import components_of
from vitrina.core.errors import PROBLEM_JSON, AppError, Forbidden, NotFound, problem
from vitrina.core.ratelimit import limits_of
from vitrina.core.security import Principal, Role
from vitrina.crm import service as crm

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=120,
        description="Required on every write: a fresh random value per operation, the same on a retry.",
    ),
]
MAX_PDF_BYTES = 5 * 1024 * 1024
KEYED: dict[int | str, dict[str, Any]] = {
    428: {"description": "No Idempotency-Key header: every commerce write needs one"}
}


def get_payments(conn: HTTPConnection) -> Payments:
    return components_of(conn).get(Payments)


PaymentsDep = Annotated[Payments, Depends(get_payments)]

store_router = APIRouter(
    prefix="/api/brands/{brand}/commerce",
    tags=["commerce"],
    dependencies=[Depends(GUEST_OR_STAFF)],
)
public_router = APIRouter(tags=["commerce"], dependencies=[Depends(PUBLIC)])
staff_router = APIRouter(
    prefix="/api/staff/commerce",
    tags=["commerce"],
    dependencies=[Depends(STAFF)],
)
REFUNDERS = require_roles(Role.SUPERVISOR, Role.ADMIN)
RefunderPrincipal = Annotated[Principal, Depends(REFUNDERS)]
refund_router = APIRouter(
    prefix="/api/staff/commerce", tags=["commerce"], dependencies=[Depends(REFUNDERS)]
)
admin_router = APIRouter(
    prefix="/api/admin/brands/{brand}/commerce",
    tags=["admin"],
    dependencies=[Depends(ADMIN)],
)

Run = Callable[[], Awaitable[tuple[int, Any]]]


async def once(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    key: str | None,
    body: BaseModel | None,
    run: Run,
) -> JSONResponse:
    """Run a write at most once per Idempotency-Key; replay its answer on a retry."""
    key = idempotency.require(key)
    scope = idempotency.scope_of(principal)
    print_ = idempotency.fingerprint(
        request.method, request.url.path, None if body is None else body.model_dump(mode="json")
    )
    replay = await idempotency.begin(db, scope=scope, key=key, print_=print_)
    if replay is not None:
        return JSONResponse(
            replay.body,
            status_code=replay.status_code,
            media_type=PROBLEM_JSON if replay.status_code >= 400 else None,
            headers={"Idempotent-Replayed": "true"},
        )
    code, payload = await run()
    encoded = jsonable_encoder(payload)
    await idempotency.finish(db, scope=scope, key=key, status_code=code, body=encoded)
    return JSONResponse(encoded, status_code=code, media_type=PROBLEM_JSON if code >= 400 else None)


async def _brand(db: AsyncSession, slug: str) -> Brand:
    return await brands.get_by_slug_or_raise(db, slug=slug)


async def _customer_or_raise(db: AsyncSession, principal: Principal, brand: Brand) -> str:
    customer_id = await carts.customer_of(db, principal=principal, brand=brand)
    if customer_id is None:
        raise Forbidden(
            "Sign in (wallet, DID or email code) to see what you own.",
            code=CommerceErrorCode.VERIFICATION_REQUIRED,
        )
    return customer_id


def _payment_answer(
    payment_read_: PaymentRead, state: IntentState, order_id: str
) -> tuple[int, Any]:
    if state.decline_code is not None and state.status == "requires_payment_method":
        return 402, problem(
            402,
            "The payment was declined; try another card.",
            code=CommerceErrorCode.PAYMENT_DECLINED
            if state.decline_code != "authentication_failed"
            else CommerceErrorCode.CHALLENGE_FAILED,
            decline_code=state.decline_code,
            payment=jsonable_encoder(payment_read_),
            order_id=order_id,
        )
    return 200, payment_read_


# --- carts ------------------------------------------------------------------------------


@store_router.post(
    "/carts",
    response_model=CartRead,
    status_code=status.HTTP_201_CREATED,
    summary="Start a cart for this session (guest or verified customer)",
    responses=KEYED,
)
async def create_cart(
    brand: str,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    await limits_of(request).enforce(
        "commerce_writes",
        client_ip(request),
        rate=settings.public_write_rate_per_minute,
        message="Too many cart changes; try again shortly.",
    )
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        cart = await carts.create(db, principal=principal, brand=found)
        priced = await carts.price(db, brand=found, cart=cart)
        return 201, cart_read(priced, verified=cart.customer_id is not None)

    return await once(request, db, principal, idempotency_key, None, run)


@store_router.get("/carts/{cart_id}", response_model=CartRead, summary="A cart, priced now")
async def read_cart(
    brand: str,
    cart_id: str,
    principal: AnyPrincipal,
    db: DbSession,
    locale: Annotated[str, Query(pattern="^(en|fr|it)$")] = "en",
) -> CartRead:
    found = await _brand(db, brand)
    cart = await carts.get_own_or_raise(db, principal=principal, brand=found, cart_id=cart_id)
    priced = await carts.price(db, brand=found, cart=cart, locale=locale)
    customer = await carts.customer_of(db, principal=principal, brand=found)
    return cart_read(priced, verified=customer is not None)


@store_router.post(
    "/carts/{cart_id}/items",
    response_model=CartRead,
    summary="Add a configured product (by configuration id, or product and options)",
    responses=KEYED,
)
async def add_cart_item(
    brand: str,
    cart_id: str,
    body: CartItemCreate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        cart = await carts.get_own_or_raise(db, principal=principal, brand=found, cart_id=cart_id)
        await carts.add_item(
            db,
            principal=principal,
            brand=found,
            cart=cart,
            configuration_id=body.configuration_id,
            product_slug=body.product,
            option_ids=body.option_ids,
            quantity=body.quantity,
            locale=body.locale,
            bus=bus,
        )
        priced = await carts.price(db, brand=found, cart=cart, locale=body.locale)
        customer = await carts.customer_of(db, principal=principal, brand=found)
        return 200, cart_read(priced, verified=customer is not None)

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.patch(
    "/carts/{cart_id}/items/{item_id}",
    response_model=CartRead,
    summary="Change an item's quantity (0 removes it)",
    responses=KEYED,
)
async def update_cart_item(
    brand: str,
    cart_id: str,
    item_id: str,
    body: CartItemUpdate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        cart = await carts.get_own_or_raise(db, principal=principal, brand=found, cart_id=cart_id)
        await carts.set_quantity(db, cart=cart, item_id=item_id, quantity=body.quantity)
        priced = await carts.price(db, brand=found, cart=cart)
        customer = await carts.customer_of(db, principal=principal, brand=found)
        return 200, cart_read(priced, verified=customer is not None)

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.post(
    "/carts/{cart_id}/checkout",
    response_model=CheckoutRead,
    status_code=status.HTTP_201_CREATED,
    summary="Place the order: holds the stock, opens a payment for the amount due now",
    responses={
        **KEYED,
        409: {"description": "Out of stock"},
        403: {"description": "Sign-in needed"},
    },
)
async def checkout(
    brand: str,
    cart_id: str,
    body: CheckoutRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    payments: PaymentsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        shipping = body.shipping_address.model_dump()
        placed = await orders.checkout(
            db,
            bus=bus,
            provider=payments.default,
            principal=principal,
            brand=found,
            cart_id=cart_id,
            data=orders.CheckoutInput(
                plan=body.plan,
                contact_name=body.name,
                contact_email=body.email,
                shipping=shipping,
                billing=body.billing_address.model_dump() if body.billing_address else shipping,
                locale=body.locale,
            ),
        )
        return 201, CheckoutRead(
            order=await order_read(db, placed.order, brand=found, placed=placed),
            payment=payment_read(placed.payment),
        )

    return await once(request, db, principal, idempotency_key, body, run)


# --- orders and payments ----------------------------------------------------------------


@store_router.get("/orders", response_model=list[OrderRead], summary="My orders")
async def my_orders(brand: str, principal: AnyPrincipal, db: DbSession) -> list[OrderRead]:
    found = await _brand(db, brand)
    return [
        await order_read(db, o, brand=found)
        for o in await orders.list_own(db, principal=principal, brand=found)
    ]


@store_router.get("/orders/{order_id}", response_model=OrderRead, summary="One of my orders")
async def my_order(brand: str, order_id: str, principal: AnyPrincipal, db: DbSession) -> OrderRead:
    found = await _brand(db, brand)
    order = await orders.get_own_or_raise(db, principal=principal, brand=found, order_id=order_id)
    return await order_read(db, order, brand=found)


@store_router.post(
    "/orders/{order_id}/payments/{payment_id}/confirm",
    response_model=PaymentRead,
    summary="Pay with a card: processing (a webhook confirms), a challenge, or 402 declined",
    responses={**KEYED, 402: {"description": "Declined; `decline_code` says why"}},
)
async def confirm_payment(
    brand: str,
    order_id: str,
    payment_id: str,
    body: ConfirmRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    payments: PaymentsDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    await limits_of(request).enforce(
        "commerce_payments",
        client_ip(request),
        rate=settings.public_write_rate_per_minute,
        message="Too many payment attempts; try again shortly.",
    )
    found = await _brand(db, brand)
    card: CardIn = body.card

    async def run() -> tuple[int, Any]:
        order = await orders.get_own_or_raise(
            db, principal=principal, brand=found, order_id=order_id
        )
        payment = await orders.get_payment_or_raise(db, order=order, payment_id=payment_id)
        provider = payments.get(payment.provider) or payments.default
        state = await orders.confirm_payment(
            db,
            bus=bus,
            provider=provider,
            brand=found,
            order=order,
            payment=payment,
            card=Card(card.number, card.exp_month, card.exp_year, card.cvc),
        )
        return _payment_answer(payment_read(payment, state), state, order.id)

    # The card number is not part of the kept fingerprint: only its last digits.
    masked = ConfirmRequest.model_construct(
        card=card.model_copy(update={"number": card.number[-4:]})
    )
    return await once(request, db, principal, idempotency_key, masked, run)


@store_router.post(
    "/orders/{order_id}/payments/{payment_id}/challenge",
    response_model=PaymentRead,
    summary="Answer the bank's challenge (3-D Secure-like step)",
    responses={**KEYED, 402: {"description": "The challenge failed"}},
)
async def answer_challenge(
    brand: str,
    order_id: str,
    payment_id: str,
    body: ChallengeAnswer,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    payments: PaymentsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        order = await orders.get_own_or_raise(
            db, principal=principal, brand=found, order_id=order_id
        )
        payment = await orders.get_payment_or_raise(db, order=order, payment_id=payment_id)
        provider = payments.get(payment.provider) or payments.default
        state = await orders.answer_challenge(
            db,
            bus=bus,
            provider=provider,
            brand=found,
            order=order,
            payment=payment,
            answer=body.code,
        )
        return _payment_answer(payment_read(payment, state), state, order.id)

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderRead,
    summary="Cancel my pending order",
    responses=KEYED,
)
async def cancel_my_order(
    brand: str,
    order_id: str,
    body: ReasonIn,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    payments: PaymentsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        order = await orders.get_own_or_raise(
            db, principal=principal, brand=found, order_id=order_id
        )
        customer = await carts.customer_of(db, principal=principal, brand=found)
        await orders.cancel(
            db,
            bus=bus,
            provider=payments.default,
            brand=found,
            order=order,
            actor=orders.actor_of(principal, customer),
            reason=body.reason or "cancelled by the customer",
        )
        return 200, await order_read(db, order, brand=found)

    return await once(request, db, principal, idempotency_key, body, run)


# --- garage: phygital twins -------------------------------------------------------------


@store_router.get("/garage", response_model=list[TwinRead], summary="My digital twins")
async def garage(brand: str, principal: AnyPrincipal, db: DbSession) -> list[TwinRead]:
    found = await _brand(db, brand)
    customer_id = await _customer_or_raise(db, principal, found)
    return [twin_read(t) for t in await twins.garage(db, brand=found, owner_id=customer_id)]


@store_router.post(
    "/twins/{twin_id}/transfer/challenge",
    response_model=ChallengeRead,
    summary="The text to sign to transfer a twin to another customer",
    responses=KEYED,
)
async def transfer_challenge(
    brand: str,
    twin_id: str,
    body: TransferChallengeRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        owner = await _customer_or_raise(db, principal, found)
        twin = await twins.get_owned_or_raise(db, brand=found, twin_id=twin_id, customer_id=owner)
        recipient = await twins.recipient_of(
            db, brand=found, kind=body.recipient.kind, value=body.recipient.value
        )
        issued = await twins.transfer_challenge(
            db,
            settings=settings,
            principal=principal,
            brand=found,
            twin=twin,
            owner_id=owner,
            recipient_id=recipient,
            method=body.method,
            signer=body.signer,
        )
        return 200, ChallengeRead(
            message=issued.text, method=body.method, expires_at=issued.challenge.expires_at
        )

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.post(
    "/twins/{twin_id}/transfer",
    response_model=TwinRead,
    summary="Transfer a twin with the owner's signature over the challenge",
    responses=KEYED,
)
async def transfer_twin(
    brand: str,
    twin_id: str,
    body: SignedProof,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        owner = await _customer_or_raise(db, principal, found)
        twin = await twins.get_owned_or_raise(db, brand=found, twin_id=twin_id, customer_id=owner)
        moved = await twins.transfer(
            db,
            bus=bus,
            principal=principal,
            brand=found,
            twin=twin,
            owner_id=owner,
            text=body.message,
            signature=body.signature,
        )
        return 200, twin_read(moved)

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.post(
    "/twins/{twin_id}/redeem/challenge",
    response_model=ChallengeRead,
    summary="The text to sign to redeem a twin (retires it, claims the unit)",
    responses=KEYED,
)
async def redeem_challenge(
    brand: str,
    twin_id: str,
    body: ProofRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        owner = await _customer_or_raise(db, principal, found)
        twin = await twins.get_owned_or_raise(db, brand=found, twin_id=twin_id, customer_id=owner)
        issued = await twins.redeem_challenge(
            db,
            settings=settings,
            principal=principal,
            brand=found,
            twin=twin,
            owner_id=owner,
            method=body.method,
            signer=body.signer,
        )
        return 200, ChallengeRead(
            message=issued.text, method=body.method, expires_at=issued.challenge.expires_at
        )

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.post(
    "/twins/{twin_id}/redeem",
    response_model=TwinRead,
    summary="Redeem a twin with the owner's signature: the token is retired",
    responses=KEYED,
)
async def redeem_twin(
    brand: str,
    twin_id: str,
    body: SignedProof,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        owner = await _customer_or_raise(db, principal, found)
        twin = await twins.get_owned_or_raise(db, brand=found, twin_id=twin_id, customer_id=owner)
        done = await twins.redeem(
            db,
            bus=bus,
            brand=found,
            twin=twin,
            side="digital",
            actor=f"customer:{owner}",
            principal=principal,
            text=body.message,
            signature=body.signature,
        )
        return 200, twin_read(done)

    return await once(request, db, principal, idempotency_key, body, run)


# --- documents, the customer's side -----------------------------------------------------


@store_router.get(
    "/documents", response_model=list[DocumentRead], summary="Documents shared with me"
)
async def my_documents(brand: str, principal: AnyPrincipal, db: DbSession) -> list[DocumentRead]:
    found = await _brand(db, brand)
    customer_id = await _customer_or_raise(db, principal, found)
    return [
        document_read(d, brand=found)
        for d in await documents.list_of_customer(db, brand=found, customer_id=customer_id)
    ]


@store_router.get(
    "/documents/{document_id}/pdf",
    summary="The signed PDF shared with me",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def my_document_pdf(
    brand: str, document_id: str, principal: AnyPrincipal, db: DbSession
) -> Response:
    found = await _brand(db, brand)
    customer_id = await _customer_or_raise(db, principal, found)
    document = await documents.get_own_or_raise(
        db, brand=found, document_id=document_id, customer_id=customer_id
    )
    return _pdf(document)


def _pdf(document: Any) -> Response:
    content = documents.pdf_bytes(document)
    if not content:
        raise NotFound(
            "This document's content was erased.", code=CommerceErrorCode.DOCUMENT_NOT_FOUND
        )
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.kind}-{document.id[:8]}-v{document.version}.pdf"',
            "X-Document-SHA256": document.sha256,
        },
    )


@store_router.post(
    "/documents/{document_id}/countersign/challenge",
    response_model=ChallengeRead,
    summary="The text to sign to countersign a document (names its SHA-256)",
    responses=KEYED,
)
async def countersign_challenge(
    brand: str,
    document_id: str,
    body: ProofRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        customer_id = await _customer_or_raise(db, principal, found)
        document = await documents.get_own_or_raise(
            db, brand=found, document_id=document_id, customer_id=customer_id
        )
        issued = await documents.countersign_challenge(
            db,
            settings=settings,
            principal=principal,
            brand=found,
            document=document,
            method=body.method,
            signer=body.signer,
        )
        return 200, ChallengeRead(
            message=issued.text, method=body.method, expires_at=issued.challenge.expires_at
        )

    return await once(request, db, principal, idempotency_key, body, run)


@store_router.post(
    "/documents/{document_id}/countersign",
    response_model=DocumentRead,
    summary="Countersign a document with the signature over the challenge",
    responses=KEYED,
)
async def countersign(
    brand: str,
    document_id: str,
    body: SignedProof,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _brand(db, brand)

    async def run() -> tuple[int, Any]:
        customer_id = await _customer_or_raise(db, principal, found)
        document = await documents.get_own_or_raise(
            db, brand=found, document_id=document_id, customer_id=customer_id
        )
        signed = await documents.countersign(
            db,
            bus=bus,
            principal=principal,
            brand=found,
            document=document,
            text=body.message,
            signature=body.signature,
        )
        return 200, document_read(signed, brand=found)

    return await once(request, db, principal, idempotency_key, body, run)


# --- public: verification, the brand's key, webhooks ------------------------------------


def _verdict(v: documents.Verdict) -> VerifyRead:
    d = v.document
    if d is None:
        return VerifyRead(known=False)
    return VerifyRead(
        known=True,
        document_id=d.id,
        thread_id=d.thread_id,
        version=d.version,
        latest_version=v.latest_version,
        kind=d.kind,
        status=d.status,
        brand_key=d.brand_key,
        brand_signature=d.brand_signature,
        brand_signature_valid=v.brand_signature_valid,
        countersigned=d.countersigned_at is not None,
        countersign_method=d.countersign_method,
        countersignature_valid=v.countersignature_valid,
        countersigned_at=d.countersigned_at,
        brand_ledger_seq=d.brand_ledger_seq,
        countersign_ledger_seq=d.countersign_ledger_seq,
    )


@public_router.get(
    "/api/brands/{brand}/commerce/documents/key",
    response_model=BrandKeyRead,
    summary="The brand's document-signing public key (public)",
)
async def brand_document_key(brand: str, db: DbSession, settings: SettingsDep) -> BrandKeyRead:
    found = await _brand(db, brand)
    return BrandKeyRead(
        brand=found.slug,
        public_key=documents.public_key_hex(documents.brand_key(settings, found)),
    )


@public_router.post(
    "/api/brands/{brand}/commerce/documents/verify",
    response_model=VerifyRead,
    summary="Which signed version a PDF hash is, and whether both signatures hold (public)",
)
async def verify_document(brand: str, body: VerifyRequest, db: DbSession) -> VerifyRead:
    found = await _brand(db, brand)
    return _verdict(await documents.verify(db, brand=found, sha256=body.sha256))


@public_router.post(
    "/api/brands/{brand}/commerce/documents/verify-pdf",
    response_model=VerifyRead,
    summary="The same, given the PDF itself (request body, application/pdf) (public)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def verify_document_pdf(brand: str, request: Request, db: DbSession) -> VerifyRead:
    found = await _brand(db, brand)
    size, digest = 0, hashlib.sha256()
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_PDF_BYTES:
            raise AppError("The PDF is too large.", code="payload_too_large", status=413)
        digest.update(chunk)
    return _verdict(await documents.verify(db, brand=found, sha256=digest.hexdigest()))


@public_router.post(
    "/api/commerce/webhooks/{provider}",
    response_model=WebhookAck,
    summary="A payment provider's signed event (public; the signature is the credential)",
    responses={400: {"description": "Bad signature, or outside the replay window"}},
)
async def provider_webhook(
    provider: str, request: Request, db: DbSession, bus: Bus, payments: PaymentsDep
) -> WebhookAck:
    found = payments.get(provider)
    if found is None:
        raise NotFound(f"No payment provider {provider!r}.")
    body = await request.body()
    outcome = await orders.receive_webhook(
        db, bus=bus, provider=found, headers=request.headers, body=body
    )
    return WebhookAck(received=True, outcome=outcome)


# --- staff: the order desk and the customer's view --------------------------------------


async def _staff_brand(db: AsyncSession, principal: Principal, slug: str) -> Brand:
    check_brand(principal, slug)
    return await _brand(db, slug)


def _staff_actor(principal: Principal) -> str:
    return f"staff:{principal.user_id or principal.session_id}"


class CustomerCommerce(BaseModel):
    orders: list[OrderRead]
    twins: list[TwinRead]
    documents: list[DocumentRead]


@staff_router.get(
    "/brands/{brand}/customers/{customer_id}",
    response_model=CustomerCommerce,
    summary="A customer's orders, twins and documents (the console's customer view)",
)
async def customer_commerce(
    brand: str, customer_id: str, principal: StaffPrincipal, db: DbSession
) -> CustomerCommerce:
    found = await _staff_brand(db, principal, brand)
    profile = await crm.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
    root = await crm.root_of(db, profile)
    if root.brand_id != found.id:
        raise NotFound(f"No customer {customer_id}.", code="customer_not_found")
    family = await crm.family_ids(db, root_id=root.id)
    found_orders = await orders.list_of_customer(db, brand_id=found.id, customer_ids=family)
    return CustomerCommerce(
        orders=[await order_read(db, o, brand=found) for o in found_orders],
        twins=[twin_read(t) for t in await twins.garage(db, brand=found, owner_id=root.id)],
        documents=[
            document_read(d, brand=found, staff=True)
            for d in await documents.list_of_customer(db, brand=found, customer_id=root.id)
        ],
    )


@staff_router.get(
    "/brands/{brand}/orders/{order_id}", response_model=OrderRead, summary="One order (staff)"
)
async def staff_order(
    brand: str, order_id: str, principal: StaffPrincipal, db: DbSession
) -> OrderRead:
    found = await _staff_brand(db, principal, brand)
    order = await orders.get_or_raise(db, order_id=order_id, brand=found)
    return await order_read(db, order, brand=found)


@staff_router.post(
    "/brands/{brand}/orders/{order_id}/fulfil",
    response_model=OrderRead,
    summary="Mark a paid order fulfilled (staff)",
    responses=KEYED,
)
async def fulfil_order(
    brand: str,
    order_id: str,
    body: ReasonIn,
    request: Request,
    principal: StaffPrincipal,
    db: DbSession,
    bus: Bus,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _staff_brand(db, principal, brand)

    async def run() -> tuple[int, Any]:
        order = await orders.get_or_raise(db, order_id=order_id, brand=found)
        await orders.fulfil(
            db,
            bus=bus,
            brand=found,
            order=order,
            actor=_staff_actor(principal),
            reason=body.reason or "fulfilled",
        )
        return 200, await order_read(db, order, brand=found)

    return await once(request, db, principal, idempotency_key, body, run)


@staff_router.post(
    "/brands/{brand}/orders/{order_id}/cancel",
    response_model=OrderRead,
    summary="Cancel a pending order (staff)",
    responses=KEYED,
)
async def staff_cancel_order(
    brand: str,
    order_id: str,
    body: ReasonIn,
    request: Request,
    principal: StaffPrincipal,
    db: DbSession,
    bus: Bus,
    payments: PaymentsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _staff_brand(db, principal, brand)

    async def run() -> tuple[int, Any]:
        order = await orders.get_or_raise(db, order_id=order_id, brand=found)
        await orders.cancel(
            db,
            bus=bus,
            provider=payments.default,
            brand=found,
            order=order,
            actor=_staff_actor(principal),
            reason=body.reason or "cancelled by staff",
        )
        return 200, await order_read(db, order, brand=found)

    return await once(request, db, principal, idempotency_key, body, run)


@refund_router.post(
    "/brands/{brand}/orders/{order_id}/refunds",
    response_model=OrderRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Refund all or part of a paid order (supervisor); the provider confirms later",
    responses=KEYED,
)
async def refund_order(
    brand: str,
    order_id: str,
    body: RefundRequest,
    request: Request,
    principal: RefunderPrincipal,
    db: DbSession,
    bus: Bus,
    payments: PaymentsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _staff_brand(db, principal, brand)
    key = idempotency.require(idempotency_key)

    async def run() -> tuple[int, Any]:
        order = await orders.get_or_raise(db, order_id=order_id, brand=found)
        amount = (
            None
            if body.amount is None
            else money.to_minor(
                money.parse_amount(body.amount, currency=order.currency, field="amount"),
                currency=order.currency,
            )
        )
        await orders.refund(
            db,
            bus=bus,
            provider=payments.default,
            brand=found,
            order=order,
            amount_minor=amount,
            actor=_staff_actor(principal),
            reason=body.reason,
            idempotency_key=key,
        )
        return 202, await order_read(db, order, brand=found)

    return await once(request, db, principal, key, body, run)


@staff_router.post(
    "/brands/{brand}/twins/redeem-physical",
    response_model=TwinRead,
    summary="The physical unit was handed over: retire its twin (staff, by serial)",
    responses=KEYED,
)
async def redeem_physical(
    brand: str,
    body: RedeemPhysical,
    request: Request,
    principal: StaffPrincipal,
    db: DbSession,
    bus: Bus,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _staff_brand(db, principal, brand)

    async def run() -> tuple[int, Any]:
        twin = await twins.by_serial_or_raise(db, brand=found, serial=body.serial)
        done = await twins.redeem(
            db, bus=bus, brand=found, twin=twin, side="physical", actor=_staff_actor(principal)
        )
        return 200, twin_read(done)

    return await once(request, db, principal, idempotency_key, body, run)


@staff_router.post(
    "/brands/{brand}/documents",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Share a quote or financing offer with a customer as a brand-signed PDF",
    responses=KEYED,
)
async def share_document(
    brand: str,
    body: DocumentCreate,
    request: Request,
    principal: StaffPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    found = await _staff_brand(db, principal, brand)

    async def run() -> tuple[int, Any]:
        await crm.get_visible_or_raise(db, principal=principal, customer_id=body.customer_id)
        price = money.parse_amount(body.price, currency=body.currency, field="price")
        deposit = money.parse_amount(body.deposit, currency=body.currency, field="deposit")
        if deposit > price:
            raise AppError("The deposit cannot exceed the price.", status=422)
        if body.configuration_id:
            await catalog.get_configuration_or_raise(db, configuration_id=body.configuration_id)
        if body.kind == "financing":
            terms = documents.financing_terms(
                price=price,
                deposit=deposit,
                months=body.months,
                annual_rate=Decimal(body.annual_rate),
                currency=body.currency,
            )
        else:
            terms = {"currency": body.currency, "price": str(price)}
        if body.configuration_id:
            terms["configuration_id"] = body.configuration_id
        document = await documents.share(
            db,
            bus=bus,
            settings=settings,
            brand=found,
            staff_id=principal.user_id or principal.session_id,
            customer_id=body.customer_id,
            kind=body.kind,
            title=body.title,
            terms=terms,
            notes=body.notes,
            locale=body.locale,
            thread_id=body.replaces,
        )
        return 201, document_read(document, brand=found, staff=True)

    return await once(request, db, principal, idempotency_key, body, run)


@staff_router.get(
    "/brands/{brand}/documents/{document_id}/pdf",
    summary="A shared document's signed PDF (staff)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def staff_document_pdf(
    brand: str, document_id: str, principal: StaffPrincipal, db: DbSession
) -> Response:
    found = await _staff_brand(db, principal, brand)
    return _pdf(await documents.get_or_raise(db, brand=found, document_id=document_id))


# --- admin: rules and stock -------------------------------------------------------------


def _rules_read(brand: Brand, row: Any) -> RulesRead:
    return RulesRead(
        brand=brand.slug,
        tax_rate=row.tax_rate,
        prices_include_tax=row.prices_include_tax,
        tax_label=row.tax_label,
        deposit_minor=row.deposit_minor,
        phygital_products=list(row.phygital_products),
        reservation_ttl_s=row.reservation_ttl_s,
    )


@admin_router.get("/rules", response_model=RulesRead, summary="The brand's commerce rules")
async def read_rules(brand: str, principal: AdminPrincipal, db: DbSession) -> RulesRead:
    found = await _staff_brand(db, principal, brand)
    return _rules_read(found, await brand_rules.get(db, brand=found))


@admin_router.put(
    "/rules",
    response_model=RulesRead,
    summary="Set tax, deposit, phygital products and the stock hold time (admin)",
)
async def put_rules(
    brand: str, body: RulesUpdate, principal: AdminPrincipal, db: DbSession
) -> RulesRead:
    found = await _staff_brand(db, principal, brand)
    deposit = (
        None
        if body.deposit is None
        else money.to_minor(
            money.parse_amount(body.deposit, currency=body.currency, field="deposit"),
            currency=body.currency,
        )
    )
    row = await brand_rules.put(
        db,
        brand=found,
        tax_rate=Decimal(body.tax_rate),
        prices_include_tax=body.prices_include_tax,
        tax_label=body.tax_label,
        deposit_minor=deposit,
        phygital_products=body.phygital_products,
        reservation_ttl_s=body.reservation_ttl_s,
    )
    return _rules_read(found, row)


@admin_router.put(
    "/stock/{product}",
    response_model=StockRead,
    summary="Set the units on hand of a product, or of one built configuration (admin)",
)
async def put_stock(
    brand: str, product: str, body: StockUpdate, principal: AdminPrincipal, db: DbSession
) -> StockRead:
    found = await _staff_brand(db, principal, brand)
    item = await catalog.get_product_or_raise(db, brand=found, slug=product, include_inactive=True)
    await stock.set_on_hand(
        db, product=item, configuration_id=body.configuration_id, on_hand=body.on_hand
    )
    return StockRead(
        product=item.slug,
        configuration_id=body.configuration_id,
        on_hand=body.on_hand,
        available=await stock.available(db, product=item, configuration_id=body.configuration_id),
    )


routers = [store_router, public_router, staff_router, refund_router, admin_router]
