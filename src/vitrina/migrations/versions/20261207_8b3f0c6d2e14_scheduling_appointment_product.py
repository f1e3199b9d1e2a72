"""scheduling appointment product

Revision ID: 8b3f0c6d2e14
Revises: 5d7e1a2b9c30
Create Date: 2026-12-07 20:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b3f0c6d2e14"
down_revision: str | None = "5d7e1a2b9c30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scheduling_appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("product", sa.String(length=64), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduling_appointment", schema=None) as batch_op:
        batch_op.drop_column("product")
