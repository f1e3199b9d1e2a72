"""Advisors' presence, capacity and skills, and the queues with their SLA."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin


class Advisor(Base):
    """A member of staff as routing sees them; created on their first presence change."""

    __tablename__ = "routing_advisor"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # Copied from the staff account at each presence change; `all_brands` for super-admins.
    brand_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    all_brands: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="offline")
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    product_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    queues: Mapped[list[str]] = mapped_column(JSON, default=list)
    # When the advisor last became free; the longest idle gets the next offer.
    idle_since: Mapped[datetime]
    # Open console sockets across nodes; zero for a while means the advisor is gone.
    connections: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime]


class Queue(IdMixin, Base):
    __tablename__ = "routing_queue"
    __table_args__ = (UniqueConstraint("brand_slug", "name", name="uq_routing_queue_brand_name"),)

    brand_slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    # Seconds a handoff may wait unaccepted before it is escalated.
    sla_s: Mapped[int] = mapped_column(Integer, default=120)
