"""Conversations, their messages and the record of every state transition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin, utcnow


class Conversation(IdMixin, TimestampMixin, Base):
    """One conversation with one customer, whatever channels it crosses."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_brand_state", "brand_slug", "state"),
        Index("ix_conversation_agent_state", "assigned_agent_id", "state"),
        Index("ix_conversation_guest_session_id", "guest_session_id"),
        Index("ix_conversation_customer_email_hash", "customer_email_hash"),
        Index("ix_conversation_external_contact_hash", "external_contact_hash"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    brand_slug: Mapped[str] = mapped_column(String(64))
    # The channel the customer used last: world, widget, email or webhook.
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    subject: Mapped[str] = mapped_column(Text, default="")
    customer_name: Mapped[str] = mapped_column(Text, default="")
    guest_session_id: Mapped[str | None] = mapped_column(String(36))
    # Sealed; looked up by the blind index next to it (a keyed hash of the lowercased address).
    customer_email: Mapped[str | None] = mapped_column(Text)
    customer_email_hash: Mapped[str | None] = mapped_column(String(32))
    # The contact id on a messaging app reached through the webhook channel (sealed).
    external_contact: Mapped[str | None] = mapped_column(Text)
    external_contact_hash: Mapped[str | None] = mapped_column(String(32))
    # Where the customer stands in the world, for replies and "join in world".
    world_room: Mapped[str | None] = mapped_column(String(160))
    world_avatar_id: Mapped[int | None] = mapped_column(
        BigInteger
    )  # world avatar ids use the full 32 unsigned bits

    queue: Mapped[str | None] = mapped_column(String(64))
    skills: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    offered_to: Mapped[str | None] = mapped_column(String(36))
    assigned_agent_id: Mapped[str | None] = mapped_column(String(36))
    assigned_agent_name: Mapped[str] = mapped_column(String(120), default="")
    assigned_at: Mapped[datetime | None]
    handoff_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    message_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    disposition: Mapped[str | None] = mapped_column(String(32))
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_comment: Mapped[str | None] = mapped_column(Text)
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class Message(IdMixin, Base):
    __tablename__ = "conversation_message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_conversation_message_seq"),
        Index("ix_conversation_message_external_id", "external_id"),
    )

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    # Position in the conversation, 1-based; gives a total order across channels.
    seq: Mapped[int] = mapped_column(Integer)
    # customer, bot, agent or system
    author_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str | None] = mapped_column(String(36))
    author_name: Mapped[str] = mapped_column(Text, default="")
    # text, note (internal), event (handoff, call, channel change), csat
    kind: Mapped[str] = mapped_column(String(16), default="text")
    channel: Mapped[str] = mapped_column(String(16))
    internal: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The email Message-ID or the messaging app's message id, for threading and dedup.
    external_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class Transition(IdMixin, Base):
    """Who moved a conversation from one state to another, and why."""

    __tablename__ = "conversation_transition"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedResponse(IdMixin, Base):
    __tablename__ = "canned_response"
    __table_args__ = (
        UniqueConstraint("brand_slug", "locale", "shortcut", name="uq_canned_response_key"),
    )

    brand_slug: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    shortcut: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)


class WebhookChannel(Base):
    """Where a brand's messaging-app bridge takes the replies (set by an admin)."""

    __tablename__ = "conversation_webhook_channel"

    brand_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    outbound_url: Mapped[str | None] = mapped_column(String(2000))
    # Mixed into the derivation of the brand's signing secret: rotating it replaces the
    # secret. Alone it is worthless without the installation's secret key.
    secret_salt: Mapped[str] = mapped_column(String(64), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(IdMixin, Base):
    """A reply waiting to be POSTed to the bridge, written with the message itself (an
    outbox): it survives restarts, and one message is one delivery."""

    __tablename__ = "conversation_webhook_delivery"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_conversation_webhook_delivery_message_id"),
        Index("ix_conversation_webhook_delivery_due", "status", "next_attempt_at"),
    )

    brand_slug: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending, delivered, or dead (gave up after the last attempt; the console shows it)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A node sending it holds it until then, so two nodes never send it at once.
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))
