"""conversations, messages, transitions, canned responses and routing

Revision ID: 8eec498d592a
Revises: c6b22fe99df9
Create Date: 2026-11-29 19:40:14.712466
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vitrina.core.db

revision: str = "8eec498d592a"
down_revision: str | None = "c6b22fe99df9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canned_response",
        sa.Column("brand_slug", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("shortcut", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_response")),
        sa.UniqueConstraint("brand_slug", "locale", "shortcut", name="uq_canned_response_key"),
    )

    op.create_table(
        "routing_advisor",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("brand_slugs", sa.JSON(), nullable=False),
        sa.Column("all_brands", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("product_lines", sa.JSON(), nullable=False),
        sa.Column("queues", sa.JSON(), nullable=False),
        sa.Column("idle_since", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("connections", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_routing_advisor")),
    )

    op.create_table(
        "routing_queue",
        sa.Column("brand_slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("sla_s", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_queue")),
        sa.UniqueConstraint("brand_slug", "name", name="uq_routing_queue_brand_name"),
    )

    op.create_table(
        "conversation",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("brand_slug", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("customer_name", sa.String(length=120), nullable=False),
        sa.Column("guest_session_id", sa.String(length=36), nullable=True),
        sa.Column("customer_email", sa.String(length=254), nullable=True),
        sa.Column("external_contact", sa.String(length=254), nullable=True),
        sa.Column("world_room", sa.String(length=160), nullable=True),
        sa.Column("world_avatar_id", sa.BigInteger(), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("queued_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("offered_to", sa.String(length=36), nullable=True),
        sa.Column("assigned_agent_id", sa.String(length=36), nullable=True),
        sa.Column("assigned_agent_name", sa.String(length=120), nullable=False),
        sa.Column("assigned_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handoff_summary", sa.JSON(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("last_message_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disposition", sa.String(length=32), nullable=True),
        sa.Column("csat_score", sa.Integer(), nullable=True),
        sa.Column("csat_comment", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_conversation_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_agent_state", ["assigned_agent_id", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conversation_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index("ix_conversation_brand_state", ["brand_slug", "state"], unique=False)
        batch_op.create_index("ix_conversation_customer_email", ["customer_email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversation_external_contact"), ["external_contact"], unique=False
        )
        batch_op.create_index(
            "ix_conversation_guest_session_id", ["guest_session_id"], unique=False
        )

    op.create_table(
        "conversation_message",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("author_kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_message_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_message")),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_conversation_message_seq"),
    )
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_message_external_id", ["external_id"], unique=False)

    op.create_table(
        "conversation_transition",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_transition_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_transition")),
    )
    with op.batch_alter_table("conversation_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_transition_conversation_id"),
            ["conversation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_transition_conversation_id"))
    op.drop_table("conversation_transition")
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_message_external_id")
    op.drop_table("conversation_message")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_guest_session_id")
        batch_op.drop_index(batch_op.f("ix_conversation_external_contact"))
        batch_op.drop_index("ix_conversation_customer_email")
        batch_op.drop_index("ix_conversation_brand_state")
        batch_op.drop_index(batch_op.f("ix_conversation_brand_id"))
        batch_op.drop_index("ix_conversation_agent_state")
    op.drop_table("conversation")
    op.drop_table("routing_queue")
    op.drop_table("routing_advisor")
    op.drop_table("canned_response")
