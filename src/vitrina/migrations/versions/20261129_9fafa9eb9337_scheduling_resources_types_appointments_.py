"""scheduling resources types appointments allocations notifications

Revision ID: 9fafa9eb9337
Revises: b95217f14e76
Create Date: 2026-11-29 19:42:08.422912
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vitrina.core.db

revision: str = "9fafa9eb9337"
down_revision: str | None = "b95217f14e76"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OVERLAP_CHECK = (
    "BEGIN SELECT RAISE(ABORT, 'scheduling_allocation_no_overlap') "
    "WHERE EXISTS (SELECT 1 FROM scheduling_allocation AS other "
    "WHERE other.resource_id = NEW.resource_id AND other.active AND other.id != NEW.id "
    "AND other.block_start < NEW.block_end AND other.block_end > NEW.block_start); END"
)
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER scheduling_allocation_no_overlap_insert "
    "BEFORE INSERT ON scheduling_allocation WHEN NEW.active " + _OVERLAP_CHECK,
    "CREATE TRIGGER scheduling_allocation_no_overlap_update "
    "BEFORE UPDATE ON scheduling_allocation WHEN NEW.active " + _OVERLAP_CHECK,
)


def upgrade() -> None:
    op.create_table(
        "scheduling_appointment_type",
        sa.Column("brand_slug", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("lead_time_min", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("slot_step_min", sa.Integer(), nullable=False),
        sa.Column("reminder_before_min", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_appointment_type")),
        sa.UniqueConstraint(
            "brand_slug", "slug", name=op.f("uq_scheduling_appointment_type_brand_slug")
        ),
    )
    with op.batch_alter_table("scheduling_appointment_type", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_appointment_type_brand_slug"), ["brand_slug"], unique=False
        )
    op.create_table(
        "scheduling_resource",
        sa.Column("brand_slug", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekly_hours", sa.JSON(), nullable=False),
        sa.Column("exceptions", sa.JSON(), nullable=False),
        sa.Column("buffer_before_min", sa.Integer(), nullable=False),
        sa.Column("buffer_after_min", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_resource")),
    )
    with op.batch_alter_table("scheduling_resource", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_resource_brand_slug"), ["brand_slug"], unique=False
        )
    op.create_table(
        "scheduling_appointment",
        sa.Column("brand_slug", sa.String(length=64), nullable=False),
        sa.Column("type_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hold_expires_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("customer_ref", sa.String(length=300), nullable=False),
        sa.Column("customer_email", sa.String(length=254), nullable=True),
        sa.Column("customer_name", sa.String(length=120), nullable=False),
        sa.Column("guest_session_id", sa.String(length=36), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("ics_uid", sa.String(length=120), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("last_change_key", sa.String(length=120), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("cancelled_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["scheduling_appointment_type.id"],
            name=op.f("fk_scheduling_appointment_type_id_scheduling_appointment_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_appointment")),
        sa.UniqueConstraint(
            "brand_slug", "idempotency_key", name=op.f("uq_scheduling_appointment_brand_slug")
        ),
        sa.UniqueConstraint("ics_uid", name=op.f("uq_scheduling_appointment_ics_uid")),
    )
    with op.batch_alter_table("scheduling_appointment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scheduling_appointment_brand_start", ["brand_slug", "start_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduling_appointment_customer_ref"), ["customer_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduling_appointment_guest_session_id"),
            ["guest_session_id"],
            unique=False,
        )
    op.create_table(
        "scheduling_allocation",
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("block_start", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("block_end", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["scheduling_appointment.id"],
            name=op.f("fk_scheduling_allocation_appointment_id_scheduling_appointment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["scheduling_resource.id"],
            name=op.f("fk_scheduling_allocation_resource_id_scheduling_resource"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_allocation")),
    )
    with op.batch_alter_table("scheduling_allocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_allocation_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            "ix_scheduling_allocation_resource_block", ["resource_id", "block_start"], unique=False
        )
    op.create_table(
        "scheduling_notification",
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("obsolete", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["scheduling_appointment.id"],
            name=op.f("fk_scheduling_notification_appointment_id_scheduling_appointment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_notification")),
    )
    with op.batch_alter_table("scheduling_notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_notification_appointment_id"),
            ["appointment_id"],
            unique=False,
        )
        batch_op.create_index("ix_scheduling_notification_due", ["sent_at", "due_at"], unique=False)

    if op.get_context().dialect.name == "postgresql":
        # The database, not the application, refuses two overlapping active allocations
        # of one resource, even from concurrent transactions.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE scheduling_allocation ADD CONSTRAINT scheduling_allocation_no_overlap "
            "EXCLUDE USING gist (resource_id WITH =, "
            "tstzrange(block_start, block_end, '[)') WITH &&) WHERE (active)"
        )
    else:
        # SQLite serialises writers, so a check made by the inserting statement itself
        # sees every committed allocation; the triggers make that check.
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE scheduling_allocation DROP CONSTRAINT scheduling_allocation_no_overlap"
        )
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS scheduling_allocation_no_overlap_{event}")
    with op.batch_alter_table("scheduling_notification", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduling_notification_due")
        batch_op.drop_index(batch_op.f("ix_scheduling_notification_appointment_id"))
    op.drop_table("scheduling_notification")
    with op.batch_alter_table("scheduling_allocation", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduling_allocation_resource_block")
        batch_op.drop_index(batch_op.f("ix_scheduling_allocation_appointment_id"))
    op.drop_table("scheduling_allocation")
    with op.batch_alter_table("scheduling_appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_appointment_guest_session_id"))
        batch_op.drop_index(batch_op.f("ix_scheduling_appointment_customer_ref"))
        batch_op.drop_index("ix_scheduling_appointment_brand_start")
    op.drop_table("scheduling_appointment")
    with op.batch_alter_table("scheduling_resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_resource_brand_slug"))
    op.drop_table("scheduling_resource")
    with op.batch_alter_table("scheduling_appointment_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_appointment_type_brand_slug"))
    op.drop_table("scheduling_appointment_type")
