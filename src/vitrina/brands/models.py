from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin


class Brand(IdMixin, TimestampMixin, Base):
    """A brand served by this installation; every customer-facing record belongs to one."""

    __tablename__ = "brand"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    locales: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Per-locale texts: {"en": {"tagline": ..., "welcome": ...}, "fr": {...}}
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The storefront: zones, walls, stands; validated by schemas.StoreLayout.
    layout: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    theme: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
