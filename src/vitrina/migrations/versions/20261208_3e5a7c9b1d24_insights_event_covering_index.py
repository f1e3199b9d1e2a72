"""insights event covering index

Revision ID: 3e5a7c9b1d24
Revises: 8b3f0c6d2e14
Create Date: 2026-12-08 00:40:00.000000

A visitor's signals are read for every list of suggestions; with the product and kind in
the index, PostgreSQL answers from the index alone instead of fetching one heap page per
event (about 100 scattered pages a visitor). SQLite has no INCLUDE and keeps the plain one.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "3e5a7c9b1d24"
down_revision: str | None = "8b3f0c6d2e14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_insights_event_subject"
COLUMNS = ["brand_id", "subject", "occurred_at"]


def upgrade() -> None:
    op.drop_index(NAME, table_name="insights_event")
    op.create_index(NAME, "insights_event", COLUMNS, postgresql_include=["product", "kind"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="insights_event")
    op.create_index(NAME, "insights_event", COLUMNS)
