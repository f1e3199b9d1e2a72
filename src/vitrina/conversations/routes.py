"""Customer-facing HTTP API: a guest's conversations on the web widget or in the world.

A guest session (cookie or bearer) owns the conversations it started; anybody else's
conversation looks like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, WebSocket, status
from starlette.requests import HTTPConnection

from vitrina.api import static
from vitrina.api.deps import (
    GUEST_OR_STAFF,
    PUBLIC,
    AnyPrincipal,
    Bus,
    DbSession,
    Sessions,
    SettingsDep,
    client_ip,
    resolve_ws_principal,
)
from vitrina.brands import service as brands
from vitrina.conversations import service, survey
from vitrina.conversations.channels.widget import CustomerHub, WidgetSession
from vitrina.conversations.reads import detail
from vitrina.conversations.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationRead,
    CsatCreate,
    CurrentConversation,
    HandoffCreate,
    MessageCreate,
    MessageRead,
)
from vitrina.conversations.states import Actor, Channel
from vitrina.core.components import components_of
from vitrina.core.errors import Forbidden, NotFound
from vitrina.core.ratelimit import limits_of
from vitrina.core.security import Principal

router = APIRouter(
    prefix="/api/conversations", tags=["conversations"], dependencies=[Depends(GUEST_OR_STAFF)]
)


async def check_rate(request: Request, settings: SettingsDep, principal: Principal) -> None:
    await limits_of(request).enforce(
        "conversation_write",
        f"{client_ip(request)}|{principal.session_id}",
        rate=settings.public_write_rate_per_minute,
        message="Too many messages; slow down.",
    )


def _customer_only(principal: Principal) -> None:
    if principal.is_staff:
        raise Forbidden("Staff use the console endpoints under /api/console.")


@router.post(
    "",
    response_model=ConversationDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Start a conversation, or continue the open one (guest)",
)
async def start(
    body: ConversationCreate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
) -> ConversationDetail:
    _customer_only(principal)
    await check_rate(request, settings, principal)
    conversation = await service.find_open(
        db, brand_slug=body.brand, guest_session_id=principal.session_id
    )
    if conversation is None:
        conversation = await service.create(
            db,
            bus=bus,
            brand_slug=body.brand,
            channel=Channel.WIDGET,
            customer_name=principal.display_name,
            locale=body.locale,
            subject=body.subject,
            guest_session_id=principal.session_id,
        )
    if body.body:
        await service.post_customer_message(
            db, bus=bus, conversation=conversation, body=body.body, channel=Channel.WIDGET
        )
    return await detail(db, conversation.id, principal, internal=False)


@router.get(
    "/current",
    response_model=CurrentConversation,
    summary="My latest conversation with a brand and whether it awaits my rating (guest)",
)
async def current(brand: str, principal: AnyPrincipal, db: DbSession) -> CurrentConversation:
    _customer_only(principal)
    conversation = await service.find_open(
        db, brand_slug=brand, guest_session_id=principal.session_id
    )
    rating = await survey.pending(db, brand_slug=brand, guest_session_id=principal.session_id)
    shown = conversation or rating
    if shown is None:
        return CurrentConversation(conversation=None, survey_pending=False)
    return CurrentConversation(
        conversation=await detail(db, shown.id, principal, internal=False),
        survey_pending=conversation is None and rating is not None,
    )


@router.get(
    "/{conversation_id}",
    response_model=ConversationDetail,
    summary="My conversation and its transcript (guest)",
)
async def read(conversation_id: str, principal: AnyPrincipal, db: DbSession) -> ConversationDetail:
    _customer_only(principal)
    return await detail(db, conversation_id, principal, internal=False)


@router.post(
    "/{conversation_id}/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    summary="Write in my conversation (guest)",
)
async def write(
    conversation_id: str,
    body: MessageCreate,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
) -> MessageRead:
    _customer_only(principal)
    await check_rate(request, settings, principal)
    conversation = await service.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    message = await service.post_customer_message(
        db, bus=bus, conversation=conversation, body=body.body, channel=Channel.WIDGET
    )
    return MessageRead.model_validate(message)


@router.post(
    "/{conversation_id}/handoff",
    response_model=ConversationRead,
    summary="Ask for a human advisor (guest)",
)
async def ask_for_a_person(
    conversation_id: str, body: HandoffCreate, principal: AnyPrincipal, db: DbSession, bus: Bus
) -> ConversationRead:
    _customer_only(principal)
    conversation = await service.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    conversation = await service.request_handoff(
        db,
        bus=bus,
        conversation_id=conversation.id,
        actor=Actor.of(principal),
        reason=body.reason,
        queue=body.queue,
        product_line=body.product_line,
    )
    return ConversationRead.model_validate(conversation)


@router.post(
    "/{conversation_id}/csat",
    response_model=ConversationRead,
    summary="Rate a resolved conversation 1-5 (guest)",
)
async def rate(
    conversation_id: str, body: CsatCreate, principal: AnyPrincipal, db: DbSession, bus: Bus
) -> ConversationRead:
    _customer_only(principal)
    conversation = await service.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    conversation = await survey.submit(
        db, bus=bus, conversation=conversation, score=body.score, comment=body.comment
    )
    return ConversationRead.model_validate(conversation)


ws_router = APIRouter()
assets_router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])


def get_customer_hub(conn: HTTPConnection) -> CustomerHub:
    return components_of(conn).get(CustomerHub)


@ws_router.websocket("/ws/widget")
async def widget_socket(
    websocket: WebSocket,
    brand: str,
    settings: SettingsDep,
    sessions: Sessions,
    bus: Bus,
    hub: Annotated[CustomerHub, Depends(get_customer_hub)],
    locale: str = "en",
) -> None:
    """The chat widget's socket; see `vitrina.conversations.channels.widget` for the protocol."""
    principal = await resolve_ws_principal(websocket)
    await websocket.accept()
    async with sessions() as db:
        known = await brands.get_by_slug(db, slug=brand)
    if known is None:
        await websocket.close(code=4404, reason="unknown brand")
        return
    language = locale if locale in known.locales else known.default_locale
    session = WidgetSession(
        websocket,
        brand=brand,
        locale=language,
        settings=settings,
        sessions=sessions,
        bus=bus,
        hub=hub,
    )
    await session.run(principal)


@assets_router.get("/widget.js")
async def widget_script() -> Response:
    """The embeddable chat widget, one script tag on a brand's site:
    `<script src="https://vitrina.example/widget.js" data-brand="aurora-motors"></script>`.

    The built bundle is wrapped in a function so its names never meet the host page's."""
    bundles = sorted((static.DIST / "assets").glob("widget-*.js"), key=lambda p: p.stat().st_mtime)
    if not bundles:
        raise NotFound("The web client is not built (make install).", code="not_built")
    code = bundles[-1].read_text(encoding="utf-8")
    return Response(
        "(function(){\n" + code + "\n})();\n",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )
