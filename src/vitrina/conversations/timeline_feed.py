"""Milestones of a recognised customer's conversations, announced for their CRM timeline.

A conversation knows the customer by a guest session (verified through sign-in) or an
email address; when the session is verified as a customer of the brand, or the address is
one of a customer's identities, each milestone is published as `conversations.logged`
with that `customer_id`.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import customer_link, service
from vitrina.conversations.events import ConversationLogged, MessagePosted, StateChanged
from vitrina.core.db import transaction
from vitrina.core.events import DomainEvent, EventBus

log = structlog.get_logger(__name__)

_STATE_SUMMARIES = {
    "queued": "Asked for an advisor ({channel})",
    "assigned": "Talking with an advisor ({channel})",
    "resolved": "Conversation resolved ({channel})",
}
_MESSAGE_SUMMARIES = {
    "csat": "Rated the service",
    "call_started": "Voice call started",
    "call_ended": "Voice call ended",
}


def milestone(event: DomainEvent) -> str | None:
    """The timeline summary of an event, or None when it is no milestone."""
    if isinstance(event, StateChanged):
        if event.to_state == event.from_state or event.to_state not in _STATE_SUMMARIES:
            return None
        return _STATE_SUMMARIES[event.to_state]
    if isinstance(event, MessagePosted):
        message = event.message
        key = message["kind"] if message["kind"] == "csat" else message["data"].get("event")
        if key == "call_ended":  # its text says how long, and who hung up (names may hold braces)
            return str(message["body"]).replace("{", "{{").replace("}", "}}")
        if key in _MESSAGE_SUMMARIES:
            return _MESSAGE_SUMMARIES[str(key)] + (f": {message['body']}" if key == "csat" else "")
    return None


class CustomerTimeline:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], bus: EventBus) -> None:
        self.sessions = sessions
        self.bus = bus
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        self._unsubscribe += [
            self.bus.subscribe(StateChanged, self.on_event),
            self.bus.subscribe(MessagePosted, self.on_event),
        ]

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    async def on_event(self, event: StateChanged | MessagePosted) -> None:
        summary = milestone(event)
        if summary is None:
            return
        async with transaction(self.sessions) as db:
            conversation = await service.get(db, conversation_id=event.conversation_id)
            if conversation is None:
                return
            # A verified session, or an email sender matched to the customer's identities.
            customer_id = (await customer_link.identify(db, conversation=conversation)).customer_id
            channel = conversation.channel
        if customer_id is None:
            return
        await self.bus.publish(
            ConversationLogged(
                conversation_id=event.conversation_id,
                brand_slug=event.brand_slug,
                customer_id=customer_id,
                channel=channel,
                summary=summary.format(channel=channel),
            )
        )
