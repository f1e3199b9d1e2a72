"""Interaction signals kept after consent gating: clicks and views, and dwell aggregates.

Raw gaze rays have no table: they are reduced to per-part dwell time at ingestion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
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
        # Covering on PostgreSQL: a visitor's signals are read from the index alone.
        Index(
            "ix_insights_event_subject",
            "brand_id",
            "subject",
            "occurred_at",
            postgresql_include=["product", "kind"],
        ),
        Index("ix_insights_event_occurred_at", "occurred_at"),
    )

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    product: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime]


class Persona(IdMixin, Base):
    """A kind of visitor a brand designs for: its store route, greeter lines and weights."""

    __tablename__ = "insights_persona"
    __table_args__ = (UniqueConstraint("brand_id", "key", name="uq_insights_persona_brand_key"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # {"en": ..., "fr": ..., "it": ...} for name and greeter line; route: stand ids in
    # order; weights: product slug -> boost in [0, 1].
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    greeting: Mapped[dict[str, str]] = mapped_column(JSON)
    route: Mapped[list[str]] = mapped_column(JSON, default=list)
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)


class PersonaChoice(Base):
    """The persona a visitor chose for a brand: a preference kept under their consent."""

    __tablename__ = "insights_persona_choice"

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    persona: Mapped[str] = mapped_column(String(64))
    chosen_at: Mapped[datetime]
