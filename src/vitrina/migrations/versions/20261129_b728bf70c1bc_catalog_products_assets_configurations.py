"""Catalog: products, content-addressed assets and saved configurations

Revision ID: b728bf70c1bc
Revises: 8eec498d592a
Create Date: 2026-11-29 19:41:18.742255
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vitrina.core.db

revision: str = "b728bf70c1bc"
down_revision: str | None = "8eec498d592a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_asset",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("nodes", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_catalog_asset_brand_id_brand"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_catalog_asset")),
    )

    op.create_table(
        "catalog_product",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("base_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("asset_sha256", sa.String(length=64), nullable=True),
        sa.Column("option_groups", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("explainers", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_sha256"],
            ["catalog_asset.sha256"],
            name=op.f("fk_catalog_product_asset_sha256_catalog_asset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_catalog_product_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product")),
        sa.UniqueConstraint("brand_id", "slug", name="uq_catalog_product_brand_slug"),
    )

    op.create_table(
        "catalog_configuration",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("option_ids", sa.JSON(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_catalog_configuration_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_configuration")),
    )

    with op.batch_alter_table("catalog_configuration", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_configuration_product_id", ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("catalog_configuration", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_configuration_product_id")

    op.drop_table("catalog_configuration")

    op.drop_table("catalog_product")

    op.drop_table("catalog_asset")
