"""Scheduling tables: resources, appointment types, appointments, their resource
allocations and the outbox of notification mails.

No resource is ever booked twice: `scheduling_allocation` rows of one resource must not
overlap while active. The guard lives in the database, created by the migration:
an exclusion constraint (btree_gist, tstzrange) on PostgreSQL and BEFORE INSERT/UPDATE
triggers on SQLite, where writers are serialised so the trigger's check cannot race.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin


class AppointmentStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class NotificationKind(StrEnum):
    CONFIRMATION = "confirmation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"


class Resource(IdMixin, TimestampMixin, Base):
    """Something an appointment needs: an advisor, a showroom bay, a demo car."""

    __tablename__ = "scheduling_resource"

    brand_slug: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["09:00", "19:00"]], ...}: local wall-clock opening hours per weekday.
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"start": "2026-12-24", "end": "2026-12-26", "hours": [], "reason": "..."}]:
    # inclusive date ranges whose hours replace the weekly ones (empty = closed).
    exceptions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    buffer_before_min: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_min: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AppointmentType(IdMixin, TimestampMixin, Base):
    __tablename__ = "scheduling_appointment_type"
    __table_args__ = (UniqueConstraint("brand_slug", "slug"),)

    brand_slug: Mapped[str] = mapped_column(String(64), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    duration_min: Mapped[int] = mapped_column(Integer)
    # [{"kind": "demo_car", "skills": []}, {"kind": "advisor", "skills": ["test_drive"]}]
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    lead_time_min: Mapped[int] = mapped_column(Integer, default=0)
    horizon_days: Mapped[int] = mapped_column(Integer, default=60)
    slot_step_min: Mapped[int] = mapped_column(Integer, default=30)
    reminder_before_min: Mapped[int] = mapped_column(Integer, default=24 * 60)
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Appointment(IdMixin, TimestampMixin, Base):
    __tablename__ = "scheduling_appointment"
    __table_args__ = (
        UniqueConstraint("brand_slug", "idempotency_key"),
        Index("ix_scheduling_appointment_brand_start", "brand_slug", "start_at"),
    )

    brand_slug: Mapped[str] = mapped_column(String(64))
    type_id: Mapped[str] = mapped_column(ForeignKey("scheduling_appointment_type.id"))
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.HELD)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    hold_expires_at: Mapped[datetime | None]
    # Who the appointment is for: the privacy subject "guest:<session id>", or
    # "email:<address>" until the CRM maps it onto a profile ("customer:<id>").
    customer_ref: Mapped[str] = mapped_column(String(300), index=True)
    customer_email: Mapped[str | None] = mapped_column(Text)
    customer_name: Mapped[str] = mapped_column(Text, default="")
    guest_session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    notes: Mapped[str] = mapped_column(Text, default="")
    # What the appointment is about: the slug of a product of the brand's catalog ("a test
    # drive of the E1"), or "" when it is about none.
    product: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # RFC 5545 UID, kept across reschedules; SEQUENCE grows with every change sent out.
    ics_uid: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    last_change_key: Mapped[str | None] = mapped_column(String(120))
    created_by: Mapped[str | None] = mapped_column(String(36))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class Allocation(IdMixin, Base):
    """One resource blocked by one appointment, buffers included."""

    __tablename__ = "scheduling_allocation"
    __table_args__ = (
        Index("ix_scheduling_allocation_resource_block", "resource_id", "block_start"),
    )

    appointment_id: Mapped[str] = mapped_column(
        ForeignKey("scheduling_appointment.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[str] = mapped_column(ForeignKey("scheduling_resource.id"))
    block_start: Mapped[datetime]
    block_end: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set while the appointment is only held; expired holds are released before booking.
    expires_at: Mapped[datetime | None]


class Notification(IdMixin, Base):
    """A mail to send about an appointment; the worker claims, sends and marks it."""

    __tablename__ = "scheduling_notification"
    __table_args__ = (Index("ix_scheduling_notification_due", "sent_at", "due_at"),)

    appointment_id: Mapped[str] = mapped_column(
        ForeignKey("scheduling_appointment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A relay's refusal can quote the recipient's address: sealed like the appointment.
    last_error: Mapped[str] = mapped_column(Text, default="")
    sealed_for: Mapped[str | None] = mapped_column(String(64))
    # A reminder for a time that has since changed, or for a cancelled appointment.
    obsolete: Mapped[bool] = mapped_column(Boolean, default=False)
