"""Live updates for agent consoles: domain events become JSON frames on every node.

Each node subscribes to one broker channel. A domain event seen on the node where it
happened is turned into a frame and published there; every node then hands the frame
to its own console sockets whose staff member may see the frame's brand. Each socket
has a bounded outbox, so a slow console never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from starlette.websockets import WebSocket

from vitrina.conversations import service as conversations
from vitrina.conversations.events import Escalated, MessagePosted, StateChanged
from vitrina.core.broker import Broker, Unsubscribe
from vitrina.core.events import DomainEvent, EventBus
from vitrina.core.security import Principal, Role
from vitrina.routing.events import Offered, PresenceChanged

log = structlog.get_logger(__name__)

CHANNEL = "vitrina:console"
OUTBOX_LIMIT = 1000


@dataclass(eq=False)
class ConsoleClient:
    websocket: WebSocket
    principal: Principal
    outbox: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(OUTBOX_LIMIT))
    dropped: int = 0
    # The conversation open on this console (sent by the console as a `watch` frame).
    watching: str | None = None

    @property
    def oversees(self) -> bool:
        return self.principal.has_any_role(frozenset({Role.SUPERVISOR, Role.ADMIN}))

    def wants_message(self, frame: dict[str, Any]) -> bool:
        """Messages go to the advisor who owns the conversation, to a console that has it
        open, and to supervisors; not to every advisor of the brand."""
        return (
            frame.get("agent_id") == self.principal.user_id
            or frame["conversation_id"] == self.watching
            or self.oversees
        )

    def may_see(self, brand: str | None) -> bool:
        visible = conversations.visible_brands(self.principal)
        return brand is None or visible is None or brand in visible

    def push(self, text: str) -> None:
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            # The console is far behind; it reloads its state when it reconnects.
            self.dropped += 1

    async def pump(self) -> None:
        while True:
            await self.websocket.send_text(await self.outbox.get())


def frame_of(event: DomainEvent) -> dict[str, Any] | None:
    """The console frame for a domain event, or None when consoles need not hear of it."""
    if isinstance(event, MessagePosted):
        return {
            "type": "message",
            "brand": event.brand_slug,
            "conversation_id": event.conversation_id,
            "agent_id": event.agent_id,
            "message": event.message,
        }
    if isinstance(event, StateChanged):
        return {
            "type": "conversation",
            "brand": event.brand_slug,
            "conversation_id": event.conversation_id,
            "from_state": event.from_state,
            "state": event.to_state,
            "agent_id": event.agent_id,
            "previous_agent_id": event.previous_agent_id,
            "reason": event.reason,
        }
    if isinstance(event, Offered):
        return {
            "type": "offer",
            "brand": event.brand_slug,
            "conversation_id": event.conversation_id,
            "advisor_id": event.advisor_id,
        }
    if isinstance(event, Escalated):
        return {
            "type": "escalated",
            "brand": event.brand_slug,
            "conversation_id": event.conversation_id,
            "queue": event.queue,
            "waited_s": round(event.waited_s, 1),
        }
    if isinstance(event, PresenceChanged):
        return {
            "type": "presence",
            "brand": None,
            "brands": event.brand_slugs,
            "all_brands": event.all_brands,
            "user_id": event.user_id,
            "display_name": event.display_name,
            "status": event.status,
        }
    return None


class ConsoleHub:
    def __init__(self, broker: Broker, bus: EventBus) -> None:
        self.broker = broker
        self.bus = bus
        self.clients: set[ConsoleClient] = set()
        self._unsubscribe_bus: list[Callable[[], None]] = []
        self._unsubscribe_broker: Unsubscribe | None = None

    async def start(self) -> None:
        self._unsubscribe_broker = await self.broker.subscribe(CHANNEL, self._deliver)
        for event_type in (MessagePosted, StateChanged, Offered, Escalated, PresenceChanged):
            self._unsubscribe_bus.append(self.bus.subscribe(event_type, self._publish))

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe_bus:
            unsubscribe()
        if self._unsubscribe_broker is not None:
            with contextlib.suppress(Exception):
                await self._unsubscribe_broker()

    async def _publish(self, event: DomainEvent) -> None:
        frame = frame_of(event)
        if frame is not None:
            await self.broker.publish(CHANNEL, json.dumps(frame).encode())

    async def _deliver(self, payload: bytes) -> None:
        frame = json.loads(payload)
        text = payload.decode()
        for client in list(self.clients):
            if frame.get("type") == "presence":
                visible = conversations.visible_brands(client.principal)
                if not (visible is None or frame["all_brands"] or visible & set(frame["brands"])):
                    continue
            elif not client.may_see(frame.get("brand")) or (
                frame.get("type") == "message" and not client.wants_message(frame)
            ):
                continue
            client.push(text)

    def add(self, websocket: WebSocket, principal: Principal) -> ConsoleClient:
        client = ConsoleClient(websocket, principal)
        self.clients.add(client)
        return client

    def remove(self, client: ConsoleClient) -> None:
        self.clients.discard(client)
