"""Domain events the world publishes on the event bus (only on the avatar's own node)."""

from __future__ import annotations

from typing import ClassVar

from vitrina.core.events import DomainEvent


class _WorldEvent(DomainEvent):
    room: str
    brand: str
    zone: str
    avatar_id: int
    session_id: str | None
    user_id: str | None
    display_name: str
    badge: str
    # A private room (advisor training): no customer is there, and what happens in it
    # is nobody's conversation, queue, metric or profile.
    private: bool = False


class PresenceJoined(_WorldEvent):
    type: ClassVar[str] = "world.presence_joined"


class PresenceLeft(_WorldEvent):
    type: ClassVar[str] = "world.presence_left"
    reason: str


class ChatPosted(_WorldEvent):
    """A chat line said in a room; the conversations store persists these."""

    type: ClassVar[str] = "world.chat_posted"
    text: str


class _CallEvent(DomainEvent):
    """A voice call's milestone; `context` is what the call policy tied it to (a
    conversation id), so the conversations domain can put it on that timeline."""

    call_id: str
    context: str
    brand: str
    room: str


class CallStarted(_CallEvent):
    type: ClassVar[str] = "world.call_started"
    caller_name: str
    caller_badge: str
    callee_name: str
    callee_badge: str


class CallConnected(_CallEvent):
    type: ClassVar[str] = "world.call_connected"


class CallEnded(_CallEvent):
    type: ClassVar[str] = "world.call_ended"
    why: str  # hangup, declined, no_answer, disconnected, failed, or what ended the context
    by_name: str | None  # the party who ended it, None when the server did
    by_badge: str | None
    duration_s: float  # since connected; 0 when it never connected
    connected: bool
