from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin, utcnow


class Asset(Base):
    """A validated .glb stored content-addressed under the data directory."""

    __tablename__ = "catalog_asset"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    byte_size: Mapped[int] = mapped_column(BigInteger)
    # Which brand uploaded it, for listing; the file itself is public once referenced.
    brand_id: Mapped[str | None] = mapped_column(
        ForeignKey("brand.id", ondelete="SET NULL"), default=None
    )
    label: Mapped[str] = mapped_column(String(120), default="")
    nodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_product"
    __table_args__ = (UniqueConstraint("brand_id", "slug", name="uq_catalog_product_brand_slug"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    # {"en": ..., "fr": ..., "it": ...}
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    # Integer minor units (cents): exact on every backend, unlike floats or SQLite NUMERIC.
    base_price_minor: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    asset_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_asset.sha256", ondelete="SET NULL"), default=None
    )
    # Option groups, rules and explainers as validated by schemas.ProductUpsert; the
    # configurator is always read and evaluated as a whole.
    option_groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    explainers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Configuration(Base):
    """A customer's saved configuration, shared by its short id."""

    __tablename__ = "catalog_configuration"
    __table_args__ = (Index("ix_catalog_configuration_product_id", "product_id"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("catalog_product.id", ondelete="CASCADE"))
    option_ids: Mapped[list[str]] = mapped_column(JSON)
    # The price breakdown at the time it was saved (decimal strings).
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
