"""The generic webhook channel: a messaging-app bridge posts customer messages, signed.

Each brand has its own secret, derived from the installation's secret key; an admin of the
brand obtains it once from `POST /api/admin/channels/webhook/{brand}/secret`, which
replaces the previous one (it is never shown again). A request carries
`X-Vitrina-Timestamp` (Unix seconds) and `X-Vitrina-Signature: sha256=<hex>`, the
HMAC-SHA256 of `<timestamp>.<raw body>`; requests older than five minutes are refused, and
a repeated `message_id` is accepted without being stored twice.

Replies go back to the bridge's `outbound_url` (set by an admin), signed the same way,
from an outbox (see webhook_outbox).
"""

from __future__ import annotations

import hmac
import time
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.api.deps import (
    ADMIN,
    PUBLIC,
    AdminPrincipal,
    Bus,
    DbSession,
    SettingsDep,
    check_brand,
)
from vitrina.brands import service as brands
from vitrina.conversations import service, survey
from vitrina.conversations.channels import webhook_outbox
from vitrina.conversations.channels.webhook_outbox import sign
from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.schemas import MESSAGE_MAX_CHARS, MessageRead
from vitrina.conversations.states import Channel
from vitrina.core.config import Settings
from vitrina.core.errors import AppError, NotFound, Unauthenticated
from vitrina.core.schemas import RequestModel
from vitrina.core.security import Principal

MAX_SKEW_S = 300


router = APIRouter(
    prefix="/api/channels/webhook", tags=["channels"], dependencies=[Depends(PUBLIC)]
)
admin_router = APIRouter(
    prefix="/api/admin/channels/webhook",
    tags=["admin"],
    dependencies=[Depends(ADMIN)],
)


class WebhookMessage(RequestModel):
    contact_id: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=120)
    text: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)
    message_id: str | None = Field(default=None, max_length=200)
    locale: Literal["en", "fr", "it"] = "en"


class WebhookChannelRead(BaseModel):
    brand: str
    url: str
    outbound_url: str | None


class WebhookSecretCreated(BaseModel):
    brand: str
    secret: str = Field(
        description="Shown once; the previous secret stopped working. Sign with HMAC-SHA256."
    )


class WebhookChannelUpdate(RequestModel):
    outbound_url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)] = Field(
        description="Where replies are POSTed (http or https), at most 2,000 characters"
    )


class WebhookDeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    conversation_id: str
    message_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


def _check_signature(request: Request, body: bytes, secret: str) -> None:
    timestamp = request.headers.get("x-vitrina-timestamp", "")
    signature = request.headers.get("x-vitrina-signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_S:
        raise Unauthenticated("Missing or stale X-Vitrina-Timestamp.", code=Code.INVALID_SIGNATURE)
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        raise Unauthenticated("The signature does not match.", code=Code.INVALID_SIGNATURE)


@router.post(
    "/{brand}",
    response_model=MessageRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="A customer message from a messaging app, HMAC-signed (public, signed)",
)
async def receive(
    brand: str, request: Request, db: DbSession, bus: Bus, settings: SettingsDep
) -> MessageRead:
    await brands.get_by_slug_or_raise(db, slug=brand)
    raw = await request.body()
    secret = await webhook_outbox.secret_of(
        db, secret_key=settings.resolved_secret_key, brand_slug=brand
    )
    _check_signature(request, raw, secret)
    try:
        body = WebhookMessage.model_validate_json(raw)
    except ValueError as exc:
        raise AppError(f"Invalid message: {exc}", status=422) from None
    contact = f"{brand}:{body.contact_id}"
    external_id = f"webhook:{body.message_id}" if body.message_id else None
    if external_id:
        existing = await service.find_by_external_ids(
            db, brand_slug=brand, external_ids=[external_id]
        )
        if existing is not None:
            already = await service.messages(db, conversation=existing, include_internal=False)
            return MessageRead.model_validate(
                next(m for m in already if m.external_id == external_id)
            )
    conversation = await service.find_open(db, brand_slug=brand, external_contact=contact)
    if conversation is None:
        # The answer to the rating request the bridge was sent after resolution.
        latest = await survey.answer_if_rating(
            db, bus=bus, brand_slug=brand, text=body.text, external_contact=contact
        )
        if latest is not None:
            shown = await service.messages(db, conversation=latest, include_internal=False)
            rated = next(m for m in reversed(shown) if m.kind == "csat")
            if external_id:  # a redelivery is then recognised like any other message
                await service.set_external_id(db, message_id=rated.id, external_id=external_id)
            return MessageRead.model_validate(rated)
        conversation = await service.create(
            db,
            bus=bus,
            brand_slug=brand,
            channel=Channel.WEBHOOK,
            customer_name=body.name or body.contact_id,
            locale=body.locale,
            external_contact=contact,
        )
    message = await service.post_customer_message(
        db,
        bus=bus,
        conversation=conversation,
        body=body.text,
        channel=Channel.WEBHOOK,
        external_id=external_id,
    )
    return MessageRead.model_validate(message)


async def _channel_read(db: AsyncSession, settings: Settings, brand: str) -> WebhookChannelRead:
    channel = await webhook_outbox.get_channel(db, brand_slug=brand)
    return WebhookChannelRead(
        brand=brand,
        url=f"{settings.public_url.rstrip('/')}/api/channels/webhook/{brand}",
        outbound_url=channel.outbound_url if channel else None,
    )


async def _served_brand(db: AsyncSession, principal: Principal, brand: str) -> None:
    check_brand(principal, brand)
    await brands.get_by_slug_or_raise(db, slug=brand)


@admin_router.get(
    "/{brand}",
    response_model=WebhookChannelRead,
    summary="The brand's webhook channel URLs (admin of the brand)",
)
async def read_channel(
    brand: str, db: DbSession, settings: SettingsDep, principal: AdminPrincipal
) -> WebhookChannelRead:
    await _served_brand(db, principal, brand)
    return await _channel_read(db, settings, brand)


@admin_router.post(
    "/{brand}/secret",
    response_model=WebhookSecretCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Issue a new signing secret, shown once; the old one stops working (admin of the brand)",
)
async def rotate_channel_secret(
    brand: str, db: DbSession, settings: SettingsDep, principal: AdminPrincipal
) -> WebhookSecretCreated:
    await _served_brand(db, principal, brand)
    secret = await webhook_outbox.rotate_secret(
        db, secret_key=settings.resolved_secret_key, brand_slug=brand
    )
    return WebhookSecretCreated(brand=brand, secret=secret)


@admin_router.put(
    "/{brand}",
    response_model=WebhookChannelRead,
    summary="Set where the brand's replies are POSTed (admin of the brand)",
)
async def update_channel(
    brand: str,
    body: WebhookChannelUpdate,
    db: DbSession,
    settings: SettingsDep,
    principal: AdminPrincipal,
) -> WebhookChannelRead:
    await _served_brand(db, principal, brand)
    await webhook_outbox.set_outbound_url(db, brand_slug=brand, url=str(body.outbound_url))
    return await _channel_read(db, settings, brand)


@admin_router.get(
    "/{brand}/deliveries",
    response_model=list[WebhookDeliveryRead],
    summary="Replies sent or waiting for the bridge, newest first; `status=dead` (admin of the brand)",
)
async def list_deliveries(
    brand: str,
    db: DbSession,
    principal: AdminPrincipal,
    status_: Annotated[
        Literal["pending", "delivered", "dead"] | None, Query(alias="status")
    ] = None,
) -> list[WebhookDeliveryRead]:
    await _served_brand(db, principal, brand)
    rows = await webhook_outbox.list_deliveries(db, brand_slug=brand, status=status_)
    return [WebhookDeliveryRead.model_validate(r) for r in rows]


@admin_router.post(
    "/{brand}/deliveries/{delivery_id}/retry",
    response_model=WebhookDeliveryRead,
    summary="Try a dead reply again from the start (admin of the brand)",
)
async def retry_delivery(
    brand: str, delivery_id: str, db: DbSession, principal: AdminPrincipal
) -> WebhookDeliveryRead:
    await _served_brand(db, principal, brand)
    delivery = await webhook_outbox.get_delivery(db, delivery_id=delivery_id)
    if delivery is None or delivery.brand_slug != brand or delivery.status != "dead":
        raise NotFound(f"No dead delivery {delivery_id}.", code=Code.DELIVERY_NOT_FOUND)
    return WebhookDeliveryRead.model_validate(await webhook_outbox.retry(db, delivery=delivery))
