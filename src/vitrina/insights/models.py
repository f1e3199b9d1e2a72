"""Interaction signals kept after consent gating: clicks and views, and dwell aggregates.

Raw gaze rays have no table: they are reduced to per-part dwell time at ingestion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin


class DwellAggregate(IdMixin, Base):
    """Time a subject spent looking at one part of a product, summed per hour."""

    __tablename__ = "insights_dwell"
    __table_args__ = (
        Index(
            "ux_insights_dwell_bucket",
            "brand_id",
            "subject",
            "product",
            "part",
            "bucket_start",
            unique=True,
        ),
        Index("ix_insights_dwell_bucket_start", "bucket_start"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(64))
    bucket_start: Mapped[datetime]
    total_ms: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime]


class InteractionEvent(IdMixin, Base):
    """One click on, or view of, a product (or one of its parts)."""

    __tablename__ = "insights_event"
    __table_args__ = (
        Index("ix_insights_event_subject", "brand_id", "subject", "occurred_at"),
        Index("ix_insights_event_occurred_at", "occurred_at"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    product: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime]
