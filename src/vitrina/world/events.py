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


class PresenceJoined(_WorldEvent):
    type: ClassVar[str] = "world.presence_joined"


class PresenceLeft(_WorldEvent):
    type: ClassVar[str] = "world.presence_left"
    reason: str


class ChatPosted(_WorldEvent):
    """A chat line said in a room; the conversations store persists these."""

    type: ClassVar[str] = "world.chat_posted"
    text: str
