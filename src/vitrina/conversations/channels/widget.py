"""The web chat widget's socket, `/ws/widget`: one JSON socket per customer.

Authentication: `?token=` (the guest token a previous `welcome` gave out), or the guest
cookie on a same-origin handshake; otherwise a new guest session is created and its
token sent in `welcome` for the widget to keep. The widget lives on brands' own sites,
and WebSockets need no CORS, so the same socket serves any origin.

Client frames: `say {text}`, `handoff {reason?}`, `rate {score, comment?}`, `ping`.
Server frames: `welcome {token, conversation, messages}`, `message {message}`,
`state {state}`, `error {code, detail}`, `pong`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any, Literal

import structlog
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from vitrina.api import nul_guard, ws_text
from vitrina.conversations import service, survey
from vitrina.conversations.events import MessagePosted, StateChanged
from vitrina.conversations.schemas import MESSAGE_MAX_CHARS, ConversationRead, MessageRead
from vitrina.conversations.states import Actor, Channel
from vitrina.core.broker import Broker, Unsubscribe
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.core.events import DomainEvent, EventBus
from vitrina.core.ratelimit import RateLimiter
from vitrina.core.security import Principal
from vitrina.identity import service as identity

log = structlog.get_logger(__name__)

CHANNEL = "vitrina:customer"
MAX_FRAME_CHARS = MESSAGE_MAX_CHARS + 512


class Say(BaseModel):
    type: Literal["say"]
    text: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)


class Handoff(BaseModel):
    type: Literal["handoff"]
    reason: str = Field(default="customer asked for a person", max_length=255)


class Rate(BaseModel):
    type: Literal["rate"]
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class Ping(BaseModel):
    type: Literal["ping"]


ClientFrame = TypeAdapter(Annotated[Say | Handoff | Rate | Ping, Field(discriminator="type")])


class CustomerHub:
    """Customers' live sockets by conversation, fed from every node through the broker."""

    def __init__(self, broker: Broker, bus: EventBus) -> None:
        self.broker = broker
        self.bus = bus
        self.sockets: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._unsubscribe_bus: list[Callable[[], None]] = []
        self._unsubscribe_broker: Unsubscribe | None = None

    async def start(self) -> None:
        self._unsubscribe_broker = await self.broker.subscribe(CHANNEL, self._deliver)
        self._unsubscribe_bus.append(self.bus.subscribe(MessagePosted, self._publish))
        self._unsubscribe_bus.append(self.bus.subscribe(StateChanged, self._publish))

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe_bus:
            unsubscribe()
        if self._unsubscribe_broker is not None:
            with contextlib.suppress(Exception):
                await self._unsubscribe_broker()

    async def _publish(self, event: DomainEvent) -> None:
        frame: dict[str, Any]
        if isinstance(event, MessagePosted):
            if event.message.get("internal"):
                return
            frame = {"type": "message", "message": event.message}
        elif isinstance(event, StateChanged):
            frame = {"type": "state", "state": event.to_state}
        else:
            return
        frame["conversation_id"] = event.conversation_id
        await self.broker.publish(CHANNEL, json.dumps(frame).encode())

    async def _deliver(self, payload: bytes) -> None:
        conversation_id = json.loads(payload).get("conversation_id")
        for outbox in list(self.sockets.get(conversation_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                outbox.put_nowait(payload.decode())

    def watch(self, conversation_id: str, outbox: asyncio.Queue[str]) -> None:
        self.sockets[conversation_id].add(outbox)

    def unwatch(self, conversation_id: str, outbox: asyncio.Queue[str]) -> None:
        watchers = self.sockets.get(conversation_id)
        if watchers is not None:
            watchers.discard(outbox)
            if not watchers:
                self.sockets.pop(conversation_id, None)


class WidgetSession:
    def __init__(
        self,
        websocket: WebSocket,
        *,
        brand: str,
        locale: str,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        hub: CustomerHub,
    ) -> None:
        self.ws = websocket
        self.brand = brand
        self.locale = locale
        self.settings = settings
        self.sessions = sessions
        self.bus = bus
        self.hub = hub
        self.outbox: asyncio.Queue[str] = asyncio.Queue(500)
        self.limiter = RateLimiter(rate=self.settings.public_write_rate_per_minute, per=60.0)
        self.conversation_id: str | None = None
        self.principal: Principal | None = None

    async def run(self, principal: Principal | None) -> None:
        token = self.ws.query_params.get("token") or ""
        async with transaction(self.sessions) as db:
            if principal is None or principal.is_staff:
                _guest, token = await identity.create_guest(
                    db,
                    secret=self.settings.resolved_secret_key,
                    brand_slug=self.brand,
                    locale=self.locale,
                )
                principal = identity.resolve_guest_cookie(
                    token, secret=self.settings.resolved_secret_key, max_age_s=60
                )
            assert principal is not None
            self.principal = principal
            welcome = await self._welcome(db, token)
        self.outbox.put_nowait(json.dumps(welcome))
        writer = asyncio.create_task(self._write())
        try:
            await self._read()
        except (WebSocketDisconnect, WebSocketDisconnected):
            pass  # the customer closed the widget or the connection dropped
        finally:
            if self.conversation_id:
                self.hub.unwatch(self.conversation_id, self.outbox)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer

    async def _welcome(self, db: AsyncSession, token: str) -> dict[str, Any]:
        assert self.principal is not None
        conversation = await service.find_open(
            db, brand_slug=self.brand, guest_session_id=self.principal.session_id
        )
        frame: dict[str, Any] = {
            "type": "welcome",
            "token": token,
            "name": self.principal.display_name,
            "conversation": None,
            "messages": [],
        }
        if conversation is not None:
            self._follow(conversation.id)
            frame["conversation"] = ConversationRead.model_validate(conversation).model_dump(
                mode="json"
            )
            msgs = await service.messages(db, conversation=conversation, include_internal=False)
            frame["messages"] = [
                MessageRead.model_validate(m).model_dump(mode="json") for m in msgs
            ]
        return frame

    def _follow(self, conversation_id: str) -> None:
        if self.conversation_id != conversation_id:
            if self.conversation_id:
                self.hub.unwatch(self.conversation_id, self.outbox)
            self.conversation_id = conversation_id
            self.hub.watch(conversation_id, self.outbox)

    async def _write(self) -> None:
        while True:
            await self.ws.send_text(await self.outbox.get())

    async def _read(self) -> None:
        while True:
            raw = await ws_text.receive_text(self.ws)
            if raw is None:
                self._error("bad_frame", ws_text.BINARY_DETAIL)
                continue
            if len(raw) > MAX_FRAME_CHARS:
                self._error("payload_too_large", "Frame too large.")
                continue
            if nul_guard.has_json_nul(raw.encode()):
                self._error("validation_error", nul_guard.DETAIL)
                continue
            try:
                frame = ClientFrame.validate_json(raw)
            except ValidationError as exc:
                self._error("validation_error", exc.errors(include_url=False)[0]["msg"])
                continue
            if isinstance(frame, Ping):
                self.outbox.put_nowait('{"type":"pong"}')
                continue
            assert self.principal is not None
            if not self.limiter.allow(self.principal.session_id):
                self._error("rate_limited", "Too many messages; slow down.")
                continue
            try:
                async with transaction(self.sessions) as db:
                    await self._handle(db, frame)
            except AppError as exc:
                self._error(str(exc.code), exc.detail)
            except Exception:
                # One failed message must not end the customer's chat: it is rolled back,
                # logged, and the customer told to try again.
                log.exception("widget_frame_failed", brand=self.brand)
                self._error("internal_error", "That message could not be handled; try again.")

    async def _handle(self, db: AsyncSession, frame: Say | Handoff | Rate) -> None:
        assert self.principal is not None
        conversation = await service.find_open(
            db, brand_slug=self.brand, guest_session_id=self.principal.session_id
        )
        if isinstance(frame, Rate):
            if self.conversation_id is None:
                self._error("csat_not_open", "Nothing to rate yet.")
                return
            closed = await service.get_for_principal(
                db, conversation_id=self.conversation_id, principal=self.principal
            )
            await survey.submit(
                db, bus=self.bus, conversation=closed, score=frame.score, comment=frame.comment
            )
            return
        if conversation is None and isinstance(frame, Say):
            rated = await survey.answer_if_rating(
                db,
                bus=self.bus,
                brand_slug=self.brand,
                text=frame.text,
                guest_session_id=self.principal.session_id,
            )
            if rated is not None:
                return
        if conversation is None:
            conversation = await service.create(
                db,
                bus=self.bus,
                brand_slug=self.brand,
                channel=Channel.WIDGET,
                customer_name=self.principal.display_name,
                locale=self.locale,
                guest_session_id=self.principal.session_id,
            )
            self._follow(conversation.id)
            self.outbox.put_nowait(
                json.dumps(
                    {
                        "type": "conversation",
                        "conversation": ConversationRead.model_validate(conversation).model_dump(
                            mode="json"
                        ),
                    }
                )
            )
        self._follow(conversation.id)
        if isinstance(frame, Say):
            await service.post_customer_message(
                db,
                bus=self.bus,
                conversation=conversation,
                body=frame.text,
                channel=Channel.WIDGET,
            )
        else:
            await service.request_handoff(
                db,
                bus=self.bus,
                conversation_id=conversation.id,
                actor=Actor.of(self.principal),
                reason=frame.reason,
            )

    def _error(self, code: str, detail: str) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.outbox.put_nowait(json.dumps({"type": "error", "code": code, "detail": detail}))
