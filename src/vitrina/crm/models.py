"""Customer profiles, the identity graph, the timeline, notes, merges and webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin


class CustomerProfile(IdMixin, TimestampMixin, Base):
    """One customer of one brand. A merged profile points at the profile that absorbed it."""

    __tablename__ = "crm_profile"
    __table_args__ = (
        Index("ix_crm_profile_brand_created", "brand_id", "created_at"),
        Index("ix_crm_profile_merged_into_id", "merged_into_id"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("crm_profile.id", ondelete="SET NULL")
    )
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class CustomerIdentity(IdMixin, Base):
    """An identifier a customer is known by; unique per brand once normalised."""

    __tablename__ = "crm_identity"
    __table_args__ = (
        # The value is sealed: uniqueness and lookups use its blind index (keyed hash).
        UniqueConstraint(
            "brand_id", "kind", "value_hash", name="uq_crm_identity_brand_kind_value_hash"
        ),
        Index("ix_crm_identity_profile_id", "profile_id"),
        # Search by any identifier does not always know the brand (admins see all).
        Index("ix_crm_identity_value_hash", "value_hash"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    value_hash: Mapped[str | None] = mapped_column(String(32))
    # For wallets: the EIP-155 chain the address was proven on.
    chain_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set when the customer proved control (signature, code); None for imported data.
    verified_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class TimelineEntry(IdMixin, Base):
    __tablename__ = "crm_timeline"
    __table_args__ = (Index("ix_crm_timeline_profile_occurred", "profile_id", "occurred_at"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class CustomerNote(IdMixin, Base):
    __tablename__ = "crm_note"
    __table_args__ = (Index("ix_crm_note_profile_id", "profile_id"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    author_id: Mapped[str | None] = mapped_column(String(36))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class ProfileMerge(IdMixin, Base):
    """The audit record of a merge; undoing it clears the pointer and stamps `undone_at`."""

    __tablename__ = "crm_merge"
    __table_args__ = (Index("ix_crm_merge_survivor_id", "survivor_id"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    survivor_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    merged_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(120))
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    __tablename__ = "crm_webhook_endpoint"

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(500))
    # Kept readable because signing needs it; shown to the operator once, at creation.
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)


class WebhookDelivery(IdMixin, Base):
    """One event for one endpoint: the delivery log, and the outbox the dispatcher drains."""

    __tablename__ = "crm_webhook_delivery"
    __table_args__ = (
        Index("ix_crm_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_crm_webhook_delivery_endpoint", "endpoint_id", "created_at"),
    )

    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("crm_webhook_endpoint.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class CustomerVerification(IdMixin, Base):
    """A guest session proved to be a customer: by which method, at which level, until when."""

    __tablename__ = "customer_verification"
    __table_args__ = (Index("ix_customer_verification_session", "session_id", "verified_at"),)

    session_id: Mapped[str] = mapped_column(String(36))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    customer_id: Mapped[str] = mapped_column(String(36))
    method: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(default=1)
    identifier: Mapped[str] = mapped_column(Text)
    verified_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))
