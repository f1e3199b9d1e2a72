from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vitrina.conversations.states import State
from vitrina.core.schemas import RequestModel as StrictModel
from vitrina.scheduling.schemas import AppointmentRead

MESSAGE_MAX_CHARS = 4000
Disposition = Literal["solved", "not_solved", "follow_up", "spam", "duplicate"]


class HandoffSummary(StrictModel):
    """What the bot hands to the advisor: what the customer wants and what was tried."""

    intent: str | None = Field(default=None, max_length=120)
    confidence: float | None = Field(default=None, ge=0, le=1)
    slots: dict[str, str] = Field(default_factory=dict)
    verified_identity: str | None = Field(default=None, max_length=254)
    tried: list[str] = Field(default_factory=list, max_length=20)
    sentiment: str | None = Field(default=None, max_length=32)
    text: str = Field(default="", max_length=2000)


class MessageCreate(StrictModel):
    body: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)


class ConversationCreate(StrictModel):
    """A conversation started over HTTP is a web-chat conversation: the channel is the
    endpoint's, never the caller's to claim (an advisor trusts it)."""

    brand: str = Field(min_length=1, max_length=64)
    locale: Literal["en", "fr", "it"] = "en"
    subject: str = Field(default="", max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=MESSAGE_MAX_CHARS)


class HandoffCreate(StrictModel):
    reason: str = Field(default="customer asked for a person", max_length=255)
    queue: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    product_line: str | None = Field(default=None, max_length=64)


class ResolveRequest(StrictModel):
    disposition: Disposition
    note: str | None = Field(default=None, max_length=MESSAGE_MAX_CHARS)


class CsatCreate(StrictModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class CallEvent(StrictModel):
    event: Literal["started", "ended", "failed"]
    duration_s: float | None = Field(default=None, ge=0, le=24 * 3600)


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    conversation_id: str
    seq: int
    author_kind: str
    author_name: str
    kind: str
    channel: str
    internal: bool
    body: str
    data: dict[str, Any]
    created_at: datetime


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    from_state: str | None
    to_state: str
    actor_kind: str
    actor_name: str
    reason: str
    created_at: datetime


class ConversationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_slug: str
    channel: str
    state: State
    locale: str
    subject: str
    customer_name: str
    customer_email: str | None
    queue: str | None
    skills: dict[str, str]
    priority: int
    queued_at: datetime | None
    escalated_at: datetime | None
    assigned_agent_id: str | None
    assigned_agent_name: str
    handoff_summary: dict[str, Any]
    world_room: str | None
    world_avatar_id: int | None
    message_count: int
    last_message_at: datetime
    created_at: datetime
    resolved_at: datetime | None
    disposition: str | None
    csat_score: int | None
    csat_comment: str | None


class ConversationDetail(ConversationRead):
    messages: list[MessageRead]
    transitions: list[TransitionRead]


class CurrentConversation(BaseModel):
    """What the storefront shows again after a reload or a reconnection: the customer's
    latest conversation (open, or resolved and waiting for a rating) and its transcript."""

    conversation: ConversationDetail | None
    survey_pending: bool


class CannedResponseCreate(StrictModel):
    locale: Literal["en", "fr", "it"]
    shortcut: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)


class CannedResponseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_slug: str
    locale: str
    shortcut: str
    title: str
    body: str


class CustomerPanelRead(BaseModel):
    customer_id: str | None
    matched_by: Literal["verified_session", "email"] | None
    verified: bool
    appointments: list[AppointmentRead]
