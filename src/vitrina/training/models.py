"""Training tables: scenarios per brand, sessions, their replayable events, comments.

Nothing here is a customer's: the simulated customer is fiction, and the trainee's
replies are staff data (see personal_data.py). Other domains' tables are never written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin


class TrainingScenario(IdMixin, TimestampMixin, Base):
    """A scenario's YAML source, as authored; parsed and validated on every save."""

    __tablename__ = "training_scenario"
    __table_args__ = (UniqueConstraint("brand_slug", "slug", name="ux_training_scenario_slug"),)

    brand_slug: Mapped[str] = mapped_column(String(64), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The staff member who saved it last (None: shipped with the demo).
    updated_by: Mapped[str | None] = mapped_column(String(36), default=None)


class TrainingSession(IdMixin, TimestampMixin, Base):
    """One rehearsal of a scenario by one advisor; `source` is the scenario as it was
    when the session was created, so editing the scenario never rescored a session."""

    __tablename__ = "training_session"
    __table_args__ = (Index("ix_training_session_trainee", "trainee_id", "created_at"),)

    brand_slug: Mapped[str] = mapped_column(String(64), index=True)
    scenario_slug: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    trainee_id: Mapped[str] = mapped_column(String(36))
    assigned_by: Mapped[str | None] = mapped_column(String(36), default=None)
    # assigned -> running -> ended
    state: Mapped[str] = mapped_column(String(16), default="assigned")
    # The private world zone of the session's room (`training-<token>`), while running.
    zone: Mapped[str | None] = mapped_column(String(64), default=None)
    engine: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    score_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    score: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class TrainingEvent(IdMixin, Base):
    """One moment of a session, for the replay: a line said, an emote, a move."""

    __tablename__ = "training_event"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="ux_training_event_seq"),)

    session_id: Mapped[str] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    offset_s: Mapped[float] = mapped_column(Float)  # since the session started
    who: Mapped[str] = mapped_column(String(16))  # trainee, customer, system
    kind: Mapped[str] = mapped_column(String(16))  # say, emote, move, mood, start, end
    line: Mapped[str] = mapped_column(Text, default="")
    # How the reply was read (intent, confidence, labels, branch, step) or where to.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TrainingComment(IdMixin, Base):
    __tablename__ = "training_comment"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(String(36))
    author: Mapped[str] = mapped_column(String(120))
    remark: Mapped[str] = mapped_column(Text)
    # Tied to one event of the replay, or to the whole session.
    seq: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime]
