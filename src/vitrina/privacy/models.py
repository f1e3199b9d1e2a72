"""Consent texts and records, data keys and tombstones, privacy requests, access audit.

A subject is written `guest:<session id>` or `customer:<customer id>`: consent and
signals work for anonymous guests before the CRM knows them, and for customers after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, event
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin


class ConsentText(IdMixin, Base):
    """One published version of a purpose's wording for a brand, in every locale."""

    __tablename__ = "privacy_consent_text"
    __table_args__ = (
        Index("ux_privacy_consent_text_version", "brand_id", "purpose", "version", unique=True),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    # {"en": {"title": ..., "body": ...}, "fr": {...}, "it": {...}}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A material change: consents given to earlier versions stop counting from here on.
    requires_reconsent: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(120), default="")


class ConsentRecord(IdMixin, Base):
    """One choice, never updated: the consent in force is the latest record at a time."""

    __tablename__ = "privacy_consent_record"
    __table_args__ = (
        Index("ix_privacy_consent_record_lookup", "brand_id", "subject", "purpose", "recorded_at"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))
    text_version: Mapped[int] = mapped_column(Integer)
    granted: Mapped[bool] = mapped_column(Boolean)
    # storefront_3d, storefront_2d, privacy_centre, agent, api
    channel: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]


class AppendOnlyError(RuntimeError):
    """Consent records are history: a change of mind is a new record, never an edit."""


@event.listens_for(ConsentRecord, "before_update")
@event.listens_for(ConsentRecord, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, record: ConsentRecord) -> None:
    raise AppendOnlyError(f"consent record {record.id} is append-only")


class DataKey(Base):
    """A subject's data key, wrapped by the master key; deleting it shreds the subject."""

    __tablename__ = "privacy_data_key"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    master_id: Mapped[str] = mapped_column(String(16))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Tombstone(Base):
    """An erased subject: no new key is ever issued for it and signals for it are refused."""

    __tablename__ = "privacy_tombstone"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime]
    request_id: Mapped[str | None] = mapped_column(String(36))


class PrivacyRequest(IdMixin, Base):
    """A data subject's request to access (export) or erase their data, due in 30 days."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        Index("ix_privacy_request_status_due", "status", "due_at"),
        Index("ix_privacy_request_subject", "subject"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # access | erasure
    status: Mapped[str] = mapped_column(String(16), default="pending")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(120), default="")
    # "subject" when the customer asked, else the staff user who filed it for them.
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    due_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))
    # Access exports: where the archive was written (under <data_dir>/exports), its size.
    archive: Mapped[str | None] = mapped_column(String(500))
    archive_bytes: Mapped[int | None] = mapped_column(Integer)
    # {"section": row count} of the export, or what each eraser removed.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AccessAudit(IdMixin, Base):
    """A member of staff read a subject's personal data: who, what, why, when."""

    __tablename__ = "privacy_access_audit"
    __table_args__ = (
        Index("ix_privacy_access_audit_subject", "subject"),
        Index("ix_privacy_access_audit_brand_at", "brand_id", "at"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    staff_user_id: Mapped[str | None] = mapped_column(String(36))
    staff_name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(120))
    why: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime]
