"""Events routing publishes for the agent console, after commit."""

from __future__ import annotations

from typing import ClassVar

from vitrina.core.events import DomainEvent


class Offered(DomainEvent):
    """Routing chose `advisor_id` for a queued conversation (the console rings)."""

    type: ClassVar[str] = "routing.offered"
    conversation_id: str
    brand_slug: str
    advisor_id: str
    decision_ms: float


class PresenceChanged(DomainEvent):
    type: ClassVar[str] = "routing.presence_changed"
    user_id: str
    display_name: str
    status: str
    brand_slugs: list[str]
    all_brands: bool
