"""insights: brand personas and the persona each visitor chose

Revision ID: c4d81f2a6e53
Revises: c0e3a1f5d7b9
Create Date: 2026-12-07 13:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vitrina.core.db

revision: str = "c4d81f2a6e53"
down_revision: str | None = "c0e3a1f5d7b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insights_persona",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("greeting", sa.JSON(), nullable=False),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_insights_persona_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insights_persona")),
        sa.UniqueConstraint("brand_id", "key", name="uq_insights_persona_brand_key"),
    )
    op.create_table(
        "insights_persona_choice",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("persona", sa.String(length=64), nullable=False),
        sa.Column("chosen_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_insights_persona_choice_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brand_id", "subject", name=op.f("pk_insights_persona_choice")),
    )


def downgrade() -> None:
    op.drop_table("insights_persona_choice")
    op.drop_table("insights_persona")
