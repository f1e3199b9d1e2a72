"""crm identity value index

Revision ID: e9673539bd99
Revises: 9fafa9eb9337
Create Date: 2026-11-29 20:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e9673539bd99"
down_revision: str | None = "9fafa9eb9337"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Search by any identifier does not always know the brand (admins see all brands).
    with op.batch_alter_table("crm_identity", schema=None) as batch_op:
        batch_op.create_index("ix_crm_identity_value", ["value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crm_identity", schema=None) as batch_op:
        batch_op.drop_index("ix_crm_identity_value")
