"""Routing HTTP API (presence, queue, accept, transfer, queues, place in queue), the
`/ws/console` live socket (the console hub and routing jobs are started by vitrina.services).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect, status
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketDisconnected

from vitrina.api import ws_text
from vitrina.api.deps import (
    GUEST_OR_STAFF,
    STAFF,
    AnyPrincipal,
    Bus,
    DbSession,
    Sessions,
    StaffPrincipal,
    require_roles,
    resolve_ws_principal,
)
from vitrina.conversations import service as conversations
from vitrina.conversations.schemas import ConversationRead
from vitrina.conversations.states import State
from vitrina.core.components import components_of
from vitrina.core.db import transaction, utcnow
from vitrina.core.errors import NotFound
from vitrina.core.security import Principal, Role
from vitrina.routing import service
from vitrina.routing.console import ConsoleHub
from vitrina.routing.jobs import RoutingJobs
from vitrina.routing.schemas import (
    AdvisorRead,
    ConsoleHello,
    CsatFigures,
    PresenceUpdate,
    QueueCreate,
    QueuePlace,
    QueueRead,
    TransferRequest,
)


def get_console_hub(conn: HTTPConnection) -> ConsoleHub:
    return components_of(conn).get(ConsoleHub)


def get_routing_jobs(conn: HTTPConnection) -> RoutingJobs:
    return components_of(conn).get(RoutingJobs)


SUPERVISOR = require_roles(Role.SUPERVISOR, Role.ADMIN)
SupervisorPrincipal = Annotated[Principal, Depends(SUPERVISOR)]

router = APIRouter(prefix="/api/console", tags=["console"], dependencies=[Depends(STAFF)])
supervisor_router = APIRouter(
    prefix="/api/routing",
    tags=["routing"],
    dependencies=[Depends(SUPERVISOR)],
)
customer_router = APIRouter(
    prefix="/api/conversations", tags=["conversations"], dependencies=[Depends(GUEST_OR_STAFF)]
)
ws_router = APIRouter()


async def _advisor_read(db: DbSession, advisor_id: str) -> AdvisorRead:
    advisor = await service.get_advisor(db, user_id=advisor_id)
    if advisor is None:
        raise NotFound("Set your presence first.", code="advisor_not_found")
    load = await conversations.count_with_advisors(db, agent_ids=[advisor_id])
    return AdvisorRead.model_validate(advisor).model_copy(
        update={"active": load.get(advisor_id, 0)}
    )


@router.put(
    "/presence",
    response_model=AdvisorRead,
    summary="Go online, away or offline; set capacity and skills (staff)",
)
async def set_presence(
    body: PresenceUpdate, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> AdvisorRead:
    advisor = await service.set_presence(db, bus=bus, principal=principal, data=body)
    return await _advisor_read(db, advisor.user_id)


@router.get("/presence", response_model=AdvisorRead, summary="My presence and load (staff)")
async def my_presence(principal: StaffPrincipal, db: DbSession) -> AdvisorRead:
    assert principal.user_id is not None
    return await _advisor_read(db, principal.user_id)


@router.get(
    "/advisors",
    response_model=list[AdvisorRead],
    summary="Advisors of my brands with presence and load (staff)",
)
async def advisors(principal: StaffPrincipal, db: DbSession) -> list[AdvisorRead]:
    rows = await service.list_advisors(db, principal=principal)
    loads = await conversations.count_with_advisors(db, agent_ids=[a.user_id for a in rows])
    return [
        AdvisorRead.model_validate(a).model_copy(update={"active": loads.get(a.user_id, 0)})
        for a in rows
    ]


@router.get(
    "/queue",
    response_model=list[ConversationRead],
    summary="Queued conversations of my brands in service order (staff)",
)
async def queue(principal: StaffPrincipal, db: DbSession) -> list[ConversationRead]:
    rows = await conversations.list_conversations(db, principal=principal, states=[State.QUEUED])
    return [ConversationRead.model_validate(c) for c in rows]


@router.post(
    "/conversations/{conversation_id}/accept",
    response_model=ConversationRead,
    summary="Accept a queued conversation; of simultaneous accepts one wins (staff)",
)
async def accept(
    conversation_id: str, principal: StaffPrincipal, db: DbSession, bus: Bus
) -> ConversationRead:
    conversation = await service.accept(
        db, bus=bus, principal=principal, conversation_id=conversation_id
    )
    return ConversationRead.model_validate(conversation)


@router.post(
    "/conversations/{conversation_id}/transfer",
    response_model=ConversationRead,
    summary="Transfer to another queue or advisor (owner or supervisor)",
)
async def transfer(
    conversation_id: str,
    body: TransferRequest,
    principal: StaffPrincipal,
    db: DbSession,
    bus: Bus,
) -> ConversationRead:
    conversation = await conversations.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    if conversation.state in {State.ASSIGNED, State.WAITING_ON_CUSTOMER}:
        conversations.check_owner(conversation, principal)
    conversation = await service.transfer(
        db,
        bus=bus,
        principal=principal,
        conversation=conversation,
        queue=body.queue,
        advisor_id=body.advisor_id,
        reason=body.reason,
    )
    return ConversationRead.model_validate(conversation)


@supervisor_router.get(
    "/queues",
    response_model=list[QueueRead],
    summary="Queues of my brands with their SLA (supervisor)",
)
async def list_queues(principal: SupervisorPrincipal, db: DbSession) -> list[QueueRead]:
    visible = conversations.visible_brands(principal)
    rows = await service.list_queues(db, brand_slugs=visible)
    return [QueueRead.model_validate(q) for q in rows]


@supervisor_router.get(
    "/csat",
    response_model=list[CsatFigures],
    summary="Customer satisfaction of my brands over the last days (supervisor)",
)
async def csat(
    principal: SupervisorPrincipal,
    db: DbSession,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> list[CsatFigures]:
    since = utcnow() - timedelta(days=days)
    visible = conversations.visible_brands(principal)
    figures = await conversations.csat_figures(db, brand_slugs=visible, since=since)
    out = []
    for brand, f in sorted(figures.items()):
        total = sum(int(score) * count for score, count in f["scores"].items())
        out.append(
            CsatFigures(
                brand_slug=brand,
                days=days,
                resolved=f["resolved"],
                rated=f["rated"],
                response_rate=round(f["rated"] / f["resolved"], 3) if f["resolved"] else 0.0,
                average=round(total / f["rated"], 2) if f["rated"] else None,
                scores=f["scores"],
            )
        )
    return out


@supervisor_router.post(
    "/queues",
    response_model=QueueRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a queue with its SLA (supervisor)",
)
async def create_queue(
    body: QueueCreate, principal: SupervisorPrincipal, db: DbSession
) -> QueueRead:
    visible = conversations.visible_brands(principal)
    if visible is not None and body.brand not in visible:
        raise NotFound(f"No brand {body.brand!r}.", code="brand_not_found")
    return QueueRead.model_validate(await service.create_queue(db, data=body))


@customer_router.get(
    "/{conversation_id}/place",
    response_model=QueuePlace,
    summary="My place in the queue and the expected wait (guest)",
)
async def place(conversation_id: str, principal: AnyPrincipal, db: DbSession) -> QueuePlace:
    conversation = await conversations.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    return await service.queue_place(db, conversation=conversation)


@ws_router.websocket("/ws/console")
async def console_socket(
    websocket: WebSocket,
    sessions: Sessions,
    hub: Annotated[ConsoleHub, Depends(get_console_hub)],
    jobs: Annotated[RoutingJobs, Depends(get_routing_jobs)],
) -> None:
    """Live console updates for staff. Authenticates with `?token=<staff bearer token>` or
    the staff session cookie on a same-origin handshake; sends JSON frames only."""
    principal = await resolve_ws_principal(websocket)
    await websocket.accept()
    if principal is None or not principal.is_staff or principal.user_id is None:
        await websocket.close(code=4401, reason="staff session required")
        return
    async with transaction(sessions) as db:
        advisor = await service.connected(db, principal=principal)
        status_now = advisor.status
    client = hub.add(websocket, principal)
    client.push(ConsoleHello(user_id=principal.user_id, status=status_now).model_dump_json())
    pump = asyncio.create_task(client.pump())
    try:
        while True:
            text = await ws_text.receive_text(websocket)
            if text is None:
                client.push(
                    json.dumps(
                        {"type": "error", "code": "bad_frame", "detail": ws_text.BINARY_DETAIL}
                    )
                )
            elif text == "ping":
                client.push('{"type":"pong"}')
            else:
                client.watching = _watched(text)
    except (WebSocketDisconnect, WebSocketDisconnected):
        pass  # the console closed or the connection dropped
    finally:
        hub.remove(client)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
        async with transaction(sessions) as db:
            remaining = await service.disconnected(db, user_id=principal.user_id)
        if remaining == 0:
            jobs.release_later(principal.user_id)


def _watched(text: str) -> str | None:
    """`{"type": "watch", "conversation_id": ...}`: the conversation open on the console."""
    with contextlib.suppress(ValueError, AttributeError):
        frame = json.loads(text[:512])
        if frame.get("type") == "watch" and isinstance(frame.get("conversation_id"), str):
            return str(frame["conversation_id"])[:36]
    return None


routers = [router, supervisor_router, customer_router, ws_router]
