"""Events the conversations domain publishes on the bus, after the change commits.

The bot subscribes to `CustomerMessage`; routing to `HandoffRequested` and
`StateChanged`; channel adapters and the console to `MessagePosted`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from vitrina.core.events import DomainEvent


class _ConversationEvent(DomainEvent):
    conversation_id: str
    brand_slug: str


class CustomerMessage(_ConversationEvent):
    """The customer wrote; `state` says whether the bot is the one to answer."""

    type: ClassVar[str] = "conversations.customer_message"
    message_id: str
    channel: str
    locale: str
    state: str
    text: str


class MessagePosted(_ConversationEvent):
    """Any message or timeline entry; `message` is a `MessageRead` dump."""

    type: ClassVar[str] = "conversations.message_posted"
    channel: str
    message: dict[str, Any]
    # The advisor who owns the conversation, if any: consoles hear of messages they serve.
    agent_id: str | None = None


class StateChanged(_ConversationEvent):
    type: ClassVar[str] = "conversations.state_changed"
    from_state: str | None
    to_state: str
    agent_id: str | None
    previous_agent_id: str | None
    actor_kind: str
    reason: str


class HandoffRequested(_ConversationEvent):
    type: ClassVar[str] = "conversations.handoff_requested"
    queue: str
    skills: dict[str, str]


class Escalated(_ConversationEvent):
    """An unaccepted handoff passed its queue's SLA."""

    type: ClassVar[str] = "conversations.escalated"
    queue: str
    waited_s: float


class ConversationLogged(_ConversationEvent):
    """A milestone of a known customer's conversation (handed over, resolved, rated, a
    call); the CRM records events that carry a `customer_id` on that customer's timeline."""

    type: ClassVar[str] = "conversations.logged"
    customer_id: str
    channel: str
    summary: str
