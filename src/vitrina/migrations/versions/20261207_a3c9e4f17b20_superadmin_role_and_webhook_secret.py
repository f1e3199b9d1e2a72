"""super-admin role and rotatable webhook channel secrets

Until now an admin with an empty brand list served every brand. That power is now the
explicit `superadmin` role: such admins receive it, so an existing installation keeps its
operator. Every other staff account keeps exactly the brands it lists. The webhook channel
gains a salt that rotating its signing secret replaces, and a channel may exist before its
outbound URL is known.

Revision ID: a3c9e4f17b20
Revises: 5b1e7c2d9a40
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c9e4f17b20"
down_revision: str | None = "5b1e7c2d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_staff = sa.table(
    "staff_user",
    sa.column("id", sa.String),
    sa.column("roles", sa.JSON),
    sa.column("brand_slugs", sa.JSON),
)


def _as_list(value: object) -> list[str]:
    """A JSON list column's value, which some drivers hand back as text."""
    decoded = json.loads(value) if isinstance(value, str) else value
    return [str(v) for v in decoded] if isinstance(decoded, list) else []


def upgrade() -> None:
    with op.batch_alter_table("conversation_webhook_channel", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("secret_salt", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.alter_column("outbound_url", existing_type=sa.String(length=2000), nullable=True)
    conn = op.get_bind()
    for row in conn.execute(sa.select(_staff.c.id, _staff.c.roles, _staff.c.brand_slugs)):
        roles = _as_list(row.roles)
        if "admin" in roles and not _as_list(row.brand_slugs) and "superadmin" not in roles:
            conn.execute(
                _staff.update()
                .where(_staff.c.id == row.id)
                .values(roles=sorted({*roles, "superadmin"}))
            )


def downgrade() -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(_staff.c.id, _staff.c.roles)):
        roles = _as_list(row.roles)
        if "superadmin" in roles:
            kept = sorted({*roles, "admin"} - {"superadmin"})
            conn.execute(_staff.update().where(_staff.c.id == row.id).values(roles=kept))
    conn.execute(sa.text("DELETE FROM conversation_webhook_channel WHERE outbound_url IS NULL"))
    with op.batch_alter_table("conversation_webhook_channel", schema=None) as batch_op:
        batch_op.alter_column("outbound_url", existing_type=sa.String(length=2000), nullable=False)
        batch_op.drop_column("secret_salt")
