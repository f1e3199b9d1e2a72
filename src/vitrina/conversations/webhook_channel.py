"""The generic webhook channel: a messaging-app bridge posts customer messages, signed.

Each brand has its own secret, derived from the installation's secret key (an admin reads
it from `GET /api/admin/channels/webhook/{brand}`). A request carries
`X-Vitrina-Timestamp` (Unix seconds) and `X-Vitrina-Signature: sha256=<hex>`, the
HMAC-SHA256 of `<timestamp>.<raw body>`; requests older than five minutes are refused, and
a repeated `message_id` is accepted without being stored twice.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Literal

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field

from vitrina.api.deps import ADMIN, PUBLIC, Bus, DbSession, SettingsDep
from vitrina.brands import service as brands
from vitrina.conversations import service
from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.schemas import MESSAGE_MAX_CHARS, MessageRead
from vitrina.conversations.states import Channel
from vitrina.core.errors import AppError, Unauthenticated

MAX_SKEW_S = 300

router = APIRouter(
    prefix="/api/channels/webhook", tags=["channels"], dependencies=[Depends(PUBLIC)]
)
admin_router = APIRouter(
    prefix="/api/admin/channels/webhook", tags=["admin"], dependencies=[Depends(ADMIN)]
)


class WebhookMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=120)
    text: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)
    message_id: str | None = Field(default=None, max_length=200)
    locale: Literal["en", "fr", "it"] = "en"


class WebhookChannelRead(BaseModel):
    brand: str
    url: str
    secret: str


def channel_secret(secret_key: str, brand_slug: str) -> str:
    return hmac.new(
        secret_key.encode(), f"webhook-channel:{brand_slug}".encode(), hashlib.sha256
    ).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


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
    _check_signature(request, raw, channel_secret(settings.resolved_secret_key, brand))
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


@admin_router.get(
    "/{brand}",
    response_model=WebhookChannelRead,
    summary="The brand's webhook channel URL and signing secret (admin)",
)
async def read_channel(brand: str, db: DbSession, settings: SettingsDep) -> WebhookChannelRead:
    await brands.get_by_slug_or_raise(db, slug=brand)
    return WebhookChannelRead(
        brand=brand,
        url=f"{settings.public_url.rstrip('/')}/api/channels/webhook/{brand}",
        secret=channel_secret(settings.resolved_secret_key, brand),
    )
