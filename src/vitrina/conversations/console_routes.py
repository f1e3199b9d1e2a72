"""The agent console's HTTP API for conversations: transcript, replies, notes, hand back,
resolve, calls, canned responses. Queue, presence, accept and transfer live in routing.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from vitrina.api.deps import STAFF, Bus, DbSession, StaffPrincipal, require_roles
from vitrina.brands import service as brands
from vitrina.conversations import canned, rating_page, reads, service
from vitrina.conversations import routes as customer_routes
from vitrina.conversations.channels import webhook_routes as webhook_channel
from vitrina.conversations.models import Conversation
from vitrina.conversations.schemas import (
    CallEvent,
    CannedResponseCreate,
    CannedResponseRead,
    ConversationDetail,
    ConversationRead,
    CustomerPanelRead,
    HandoffCreate,
    HandoffSummary,
    MessageCreate,
    MessageRead,
    ResolveRequest,
)
from vitrina.conversations.states import WITH_ADVISOR, Actor, State
from vitrina.core.errors import NotFound
from vitrina.core.security import Principal, Role

SUPERVISOR = require_roles(Role.SUPERVISOR, Role.ADMIN)
SupervisorPrincipal = Annotated[Principal, Depends(SUPERVISOR)]

router = APIRouter(
    prefix="/api/console",
    tags=["console"],
    dependencies=[Depends(STAFF)],
)
supervisor_router = APIRouter(
    prefix="/api/console",
    tags=["console"],
    dependencies=[Depends(SUPERVISOR)],
)


async def _visible(db: DbSession, conversation_id: str, principal: Principal) -> Conversation:
    return await service.get_for_principal(db, conversation_id=conversation_id, principal=principal)


def _check_brand(principal: Principal, brand: str) -> None:
    visible = service.visible_brands(principal)
    if visible is not None and brand not in visible:
        raise NotFound(f"No brand {brand!r}.", code="brand_not_found")


@router.get(
    "/conversations",
    response_model=list[ConversationRead],
    summary="Conversations of my brands, by state (staff)",
)
async def list_conversations(
    principal: StaffPrincipal,
    db: DbSession,
    state: Annotated[list[State] | None, Query()] = None,
    mine: bool = False,
) -> list[ConversationRead]:
    rows = await service.list_conversations(
        db, principal=principal, states=state, assigned_to=principal.user_id if mine else None
    )
    return [ConversationRead.model_validate(c) for c in rows]


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationDetail,
    summary="Transcript across channels, notes and transitions (staff)",
)
async def read(
    conversation_id: str, principal: StaffPrincipal, db: DbSession
) -> ConversationDetail:
    return await reads.transcript(db, conversation_id=conversation_id, principal=principal)


@router.get(
    "/conversations/{conversation_id}/customer",
    response_model=CustomerPanelRead,
    summary="The conversation's customer in the CRM, and their appointments (staff)",
)
async def customer_panel(
    conversation_id: str, principal: StaffPrincipal, db: DbSession
) -> CustomerPanelRead:
    return await reads.customer_panel(db, conversation_id=conversation_id, principal=principal)


@router.get(
    "/customers/{conversation_id}/history",
    response_model=list[ConversationRead],
    summary="The customer's other conversations on every channel (staff)",
)
async def history(
    conversation_id: str, principal: StaffPrincipal, db: DbSession
) -> list[ConversationRead]:
    conversation = await _visible(db, conversation_id, principal)
    rows = await service.list_for_customer(
        db,
        brand_slug=conversation.brand_slug,
        guest_session_ids=[conversation.guest_session_id] if conversation.guest_session_id else [],
        emails=[conversation.customer_email] if conversation.customer_email else [],
    )
    return [ConversationRead.model_validate(c) for c in rows]


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    summary="Reply to the customer in their channel (owner or supervisor)",
)
async def reply(
    conversation_id: str, body: MessageCreate, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> MessageRead:
    conversation = await _visible(db, conversation_id, principal)
    message = await service.post_agent_message(
        db, bus=bus, conversation=conversation, principal=principal, body=body.body
    )
    return MessageRead.model_validate(message)


@router.post(
    "/conversations/{conversation_id}/notes",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    summary="Internal note, never shown to the customer (staff)",
)
async def note(
    conversation_id: str, body: MessageCreate, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> MessageRead:
    conversation = await _visible(db, conversation_id, principal)
    message = await service.add_note(
        db, bus=bus, conversation=conversation, principal=principal, body=body.body
    )
    return MessageRead.model_validate(message)


@router.post(
    "/conversations/{conversation_id}/hand-back",
    response_model=ConversationRead,
    summary="Hand the customer back to the bot (owner or supervisor)",
)
async def hand_back(
    conversation_id: str, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> ConversationRead:
    conversation = await _visible(db, conversation_id, principal)
    conversation = await service.hand_back_to_bot(
        db, bus=bus, conversation=conversation, principal=principal
    )
    return ConversationRead.model_validate(conversation)


@router.post(
    "/conversations/{conversation_id}/resolve",
    response_model=ConversationRead,
    summary="Resolve with a disposition; the customer is asked to rate (owner or supervisor)",
)
async def resolve(
    conversation_id: str, body: ResolveRequest, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> ConversationRead:
    conversation = await _visible(db, conversation_id, principal)
    if body.note:
        await service.add_note(
            db, bus=bus, conversation=conversation, principal=principal, body=body.note
        )
    if conversation.state in WITH_ADVISOR:
        service.check_owner(conversation, principal)
    conversation = await service.resolve(
        db,
        bus=bus,
        conversation=conversation,
        actor=Actor.of(principal),
        disposition=body.disposition,
    )
    return ConversationRead.model_validate(conversation)


@router.post(
    "/conversations/{conversation_id}/calls",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a voice call on the timeline (owner or supervisor)",
)
async def call(
    conversation_id: str, body: CallEvent, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> MessageRead:
    conversation = await _visible(db, conversation_id, principal)
    text = {
        "started": f"Voice call started by {principal.display_name}",
        "ended": "Voice call ended"
        + (f" after {round(body.duration_s)} s" if body.duration_s is not None else ""),
        "failed": "Voice call could not connect",
    }[body.event]
    message = await service.post_event(
        db,
        bus=bus,
        conversation=conversation,
        actor=Actor.of(principal),
        body=text,
        data={"event": f"call_{body.event}", "duration_s": body.duration_s},
    )
    return MessageRead.model_validate(message)


class JoinWorld(BaseModel):
    url: str
    room: str | None
    customer_avatar_id: int | None


@router.post(
    "/conversations/{conversation_id}/join-world",
    response_model=JoinWorld,
    summary="Where to open the 3D store to stand next to the customer (owner or supervisor)",
)
async def join_world(
    conversation_id: str, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> JoinWorld:
    """The advisor opens the returned URL; when their avatar enters the customer's room the
    server places it next to the customer."""
    conversation = await _visible(db, conversation_id, principal)
    service.check_owner(conversation, principal)
    query = ""
    if conversation.world_room:
        zone = conversation.world_room.partition("/")[2].partition("#")[0]
        query = "?" + urlencode({"zone": zone, "conversation": conversation.id})
    await service.post_event(
        db,
        bus=bus,
        conversation=conversation,
        actor=Actor.of(principal),
        internal=True,
        body=f"{principal.display_name} is joining in the world",
        data={"event": "joining_world", "room": conversation.world_room},
    )
    return JoinWorld(
        url=f"/store/{conversation.brand_slug}{query}",
        room=conversation.world_room,
        customer_avatar_id=conversation.world_avatar_id,
    )


@supervisor_router.post(
    "/conversations/{conversation_id}/handoff",
    response_model=ConversationRead,
    summary="Take a conversation from the bot into a queue (supervisor)",
)
async def supervisor_handoff(
    conversation_id: str,
    body: HandoffCreate,
    principal: SupervisorPrincipal,
    db: DbSession,
    bus: Bus,
) -> ConversationRead:
    conversation = await _visible(db, conversation_id, principal)
    conversation = await service.request_handoff(
        db,
        bus=bus,
        conversation_id=conversation.id,
        actor=Actor.of(principal),
        reason=body.reason,
        queue=body.queue,
        product_line=body.product_line,
        summary=HandoffSummary(text=f"Supervisor {principal.display_name}: {body.reason}"),
    )
    return ConversationRead.model_validate(conversation)


@router.get(
    "/canned",
    response_model=list[CannedResponseRead],
    summary="Canned responses of a brand, optionally in one language (staff)",
)
async def list_canned(
    brand: str, principal: StaffPrincipal, db: DbSession, locale: str | None = None
) -> list[CannedResponseRead]:
    _check_brand(principal, brand)
    rows = await canned.list_canned(db, brand_slug=brand, locale=locale)
    return [CannedResponseRead.model_validate(c) for c in rows]


@supervisor_router.post(
    "/canned",
    response_model=CannedResponseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a canned response (supervisor)",
)
async def create_canned(
    brand: str, body: CannedResponseCreate, principal: SupervisorPrincipal, db: DbSession
) -> CannedResponseRead:
    _check_brand(principal, brand)
    await brands.get_by_slug_or_raise(db, slug=brand)
    row = await canned.create_canned(db, brand_slug=brand, data=body)
    return CannedResponseRead.model_validate(row)


routers = [
    customer_routes.router,
    rating_page.router,
    customer_routes.ws_router,
    customer_routes.assets_router,
    webhook_channel.router,
    webhook_channel.admin_router,
    router,
    supervisor_router,
]
