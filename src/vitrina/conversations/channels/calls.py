"""Voice calls in the 3D store, seen from the conversations domain.

Two jobs: tell the world who may call whom (a customer and the advisor assigned to
that customer's open conversation, nobody else), and write each call's milestones
(started, connected, ended with its duration and who hung up) on the conversation's
timeline, from where they reach the console and the customer 360 timeline like any
other entry. A conversation that leaves its advisor (transfer, hand back, resolution)
ends its call.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import service
from vitrina.conversations.events import StateChanged
from vitrina.conversations.states import SYSTEM, WITH_ADVISOR, Actor
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.world import service as world
from vitrina.world.calls import Party
from vitrina.world.events import CallConnected, CallEnded, CallStarted
from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

# Said by the world, not by an advisor: the stand-in avatar must not repeat it in the room.
ORIGIN = "world"

_NOT_CONNECTED = {
    "declined": "Voice call declined",
    "no_answer": "Voice call not answered",
    "hangup": "Voice call cancelled",
    "disconnected": "Voice call ended before connecting: a party disconnected",
}


class AssignedAdvisorPolicy:
    """A call is allowed between a customer and the advisor their open conversation is
    assigned to; the answer is that conversation's id."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def authorize(self, *, brand: str, caller: Party, callee: Party) -> str | None:
        by_badge = {caller.badge: caller, callee.badge: callee}
        customer, advisor = by_badge.get("customer"), by_badge.get("advisor")
        if customer is None or advisor is None or advisor.user_id is None:
            return None
        if customer.user_id is not None or customer.session_id is None:
            return None
        async with self.sessions() as db:
            conversation = await service.find_open(
                db, brand_slug=brand, guest_session_id=customer.session_id
            )
        if (
            conversation is None
            or conversation.state not in WITH_ADVISOR
            or conversation.assigned_agent_id != advisor.user_id
        ):
            return None
        return conversation.id


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def ended_text(event: CallEnded) -> str:
    if not event.connected:
        text = _NOT_CONNECTED.get(event.why, f"Voice call ended before connecting ({event.why})")
        return text + (f" by {event.by_name}" if event.by_name and event.why == "declined" else "")
    text = f"Voice call ended after {duration_text(event.duration_s)}"
    if event.why == "hangup" and event.by_name:
        return f"{text}, hung up by {event.by_name}"
    if event.why == "disconnected" and event.by_name:
        return f"{text}: {event.by_name} disconnected"
    return f"{text} ({event.why})"


class CallTimeline:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, hub: WorldHub
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.hub = hub
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        world.set_call_policy(self.hub, AssignedAdvisorPolicy(self.sessions))
        self._unsubscribe += [
            self.bus.subscribe(CallStarted, self.on_started),
            self.bus.subscribe(CallConnected, self.on_connected),
            self.bus.subscribe(CallEnded, self.on_ended),
            self.bus.subscribe(StateChanged, self.on_state_changed),
        ]

    def close(self) -> None:
        world.set_call_policy(self.hub, None)
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    async def on_started(self, event: CallStarted) -> None:
        await self._record(
            event.context,
            _actor(event.caller_badge, event.caller_name),
            f"Voice call started by {event.caller_name}, calling {event.callee_name}",
            {"event": "call_started", "call_id": event.call_id, "caller": event.caller_badge},
        )

    async def on_connected(self, event: CallConnected) -> None:
        await self._record(
            event.context,
            SYSTEM,
            "Voice call connected",
            {"event": "call_connected", "call_id": event.call_id},
        )

    async def on_ended(self, event: CallEnded) -> None:
        actor = _actor(event.by_badge, event.by_name) if event.by_name else SYSTEM
        await self._record(
            event.context,
            actor,
            ended_text(event),
            {
                "event": "call_ended",
                "call_id": event.call_id,
                "duration_s": event.duration_s,
                "why": event.why,
                "ended_by": event.by_name,
                "connected": event.connected,
            },
        )

    async def on_state_changed(self, event: StateChanged) -> None:
        # Subscribers hear of a change after its commit and in their own turn, so events can
        # arrive out of order: a handoff's "queued" after the accept that followed it, or
        # that accept after the call it allowed has started. The event only says "look
        # again"; what ends a call is where the conversation is now.
        if not world.has_calls(self.hub, context=event.conversation_id):
            return
        async with self.sessions() as db:
            conversation = await service.get(db, conversation_id=event.conversation_id)
        if conversation is None:
            why, keep = "conversation erased", None
        elif conversation.state in WITH_ADVISOR:
            why, keep = "transferred", conversation.assigned_agent_id
        else:
            why, keep = f"conversation {conversation.state}", None
        await world.end_calls(self.hub, context=event.conversation_id, why=why, keep_user=keep)

    async def _record(
        self, conversation_id: str, actor: Actor, body: str, data: dict[str, object]
    ) -> None:
        async with transaction(self.sessions) as db:
            conversation = await service.get(db, conversation_id=conversation_id)
            if conversation is None:
                log.info("call_for_unknown_conversation", conversation_id=conversation_id)
                return
            await service.post_event(
                db,
                bus=self.bus,
                conversation=conversation,
                actor=actor,
                body=body,
                data={**data, "origin": ORIGIN},
            )


def _actor(badge: str | None, name: str | None) -> Actor:
    return Actor(kind="customer" if badge == "customer" else "agent", name=name or "")
