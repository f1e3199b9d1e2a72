"""crm identity chain id as a 64-bit integer

EIP-155 chain ids go beyond 32 bits (up to EIP-2294's 4,503,599,627,370,476), and a 32-bit
column turned such a wallet into a database overflow.

Revision ID: 5b1e7c2d9a40
Revises: 2e0096e0a69e
Create Date: 2026-12-04 19:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e7c2d9a40"
down_revision: str | None = "2e0096e0a69e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crm_identity", schema=None) as batch_op:
        batch_op.alter_column(
            "chain_id", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("crm_identity", schema=None) as batch_op:
        batch_op.alter_column(
            "chain_id", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=True
        )
