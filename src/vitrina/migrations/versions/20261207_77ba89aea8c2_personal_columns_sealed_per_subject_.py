"""personal columns sealed per subject with blind indexes

Every table with personal columns gets `sealed_for` (whose data key seals the row); the
sealed columns become TEXT (a token is longer than its plaintext); identifiers that are
searched for get a blind-index column (a keyed hash), which replaces the plaintext indexes
and the identity uniqueness constraint. Existing rows keep their plaintext until
`vitrina privacy encrypt-existing` seals them (resumable, in batches).

Revision ID: 77ba89aea8c2
Revises: a3c9e4f17b20
Create Date: 2026-12-07 06:52:32.125807
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "77ba89aea8c2"
down_revision: str | None = "a3c9e4f17b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bot_conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_email_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("external_contact_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "subject",
            existing_type=sa.VARCHAR(length=200),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "customer_name",
            existing_type=sa.VARCHAR(length=120),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "customer_email",
            existing_type=sa.VARCHAR(length=254),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "external_contact",
            existing_type=sa.VARCHAR(length=254),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.drop_index(batch_op.f("ix_conversation_customer_email"))
        batch_op.drop_index(batch_op.f("ix_conversation_external_contact"))
        batch_op.create_index(
            "ix_conversation_customer_email_hash", ["customer_email_hash"], unique=False
        )
        batch_op.create_index(
            "ix_conversation_external_contact_hash", ["external_contact_hash"], unique=False
        )

    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "author_name",
            existing_type=sa.VARCHAR(length=120),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("conversation_transition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "actor_name",
            existing_type=sa.VARCHAR(length=120),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "reason", existing_type=sa.VARCHAR(length=255), type_=sa.Text(), existing_nullable=False
        )

    with op.batch_alter_table("conversation_webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))

    with op.batch_alter_table("crm_account_access", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "actor_name",
            existing_type=sa.VARCHAR(length=120),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "reason", existing_type=sa.VARCHAR(length=500), type_=sa.Text(), existing_nullable=False
        )

    with op.batch_alter_table("crm_financing_contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "number", existing_type=sa.VARCHAR(length=40), type_=sa.Text(), existing_nullable=False
        )

    with op.batch_alter_table("crm_identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "value", existing_type=sa.VARCHAR(length=255), type_=sa.Text(), existing_nullable=False
        )
        batch_op.drop_index(batch_op.f("ix_crm_identity_value"))
        batch_op.drop_constraint(batch_op.f("uq_crm_identity_brand_kind_value"), type_="unique")
        batch_op.create_index("ix_crm_identity_value_hash", ["value_hash"], unique=False)
        batch_op.create_unique_constraint(
            "uq_crm_identity_brand_kind_value_hash", ["brand_id", "kind", "value_hash"]
        )

    with op.batch_alter_table("crm_merge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "reason", existing_type=sa.VARCHAR(length=500), type_=sa.Text(), existing_nullable=False
        )

    with op.batch_alter_table("crm_note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))

    with op.batch_alter_table("crm_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "display_name",
            existing_type=sa.VARCHAR(length=120),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("crm_service_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "description",
            existing_type=sa.VARCHAR(length=500),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("crm_timeline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "summary",
            existing_type=sa.VARCHAR(length=500),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("crm_vehicle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "vin", existing_type=sa.VARCHAR(length=17), type_=sa.Text(), existing_nullable=False
        )
        batch_op.alter_column(
            "registration",
            existing_type=sa.VARCHAR(length=20),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("crm_webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))

    with op.batch_alter_table("customer_challenge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "subject",
            existing_type=sa.VARCHAR(length=255),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("customer_verification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "identifier",
            existing_type=sa.VARCHAR(length=255),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("guest_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "display_name",
            existing_type=sa.VARCHAR(length=60),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("scheduling_appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "customer_email",
            existing_type=sa.VARCHAR(length=254),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "customer_name",
            existing_type=sa.VARCHAR(length=120),
            type_=sa.Text(),
            existing_nullable=False,
        )

    with op.batch_alter_table("scheduling_notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduling_notification", schema=None) as batch_op:
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("scheduling_appointment", schema=None) as batch_op:
        batch_op.alter_column(
            "customer_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=120),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "customer_email",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=254),
            existing_nullable=True,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("guest_session", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=60),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("customer_verification", schema=None) as batch_op:
        batch_op.alter_column(
            "identifier",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=255),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("customer_challenge", schema=None) as batch_op:
        batch_op.alter_column(
            "subject",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=255),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")
        batch_op.drop_column("subject_hash")

    with op.batch_alter_table("crm_webhook_delivery", schema=None) as batch_op:
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_vehicle", schema=None) as batch_op:
        batch_op.alter_column(
            "registration",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=20),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "vin", existing_type=sa.Text(), type_=sa.VARCHAR(length=17), existing_nullable=False
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_timeline", schema=None) as batch_op:
        batch_op.alter_column(
            "summary",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=500),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_service_record", schema=None) as batch_op:
        batch_op.alter_column(
            "description",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=500),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_profile", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=120),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_note", schema=None) as batch_op:
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_merge", schema=None) as batch_op:
        batch_op.alter_column(
            "reason", existing_type=sa.Text(), type_=sa.VARCHAR(length=500), existing_nullable=False
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_identity", schema=None) as batch_op:
        batch_op.drop_constraint("uq_crm_identity_brand_kind_value_hash", type_="unique")
        batch_op.drop_index("ix_crm_identity_value_hash")
        batch_op.create_unique_constraint(
            batch_op.f("uq_crm_identity_brand_kind_value"), ["brand_id", "kind", "value"]
        )
        batch_op.create_index(batch_op.f("ix_crm_identity_value"), ["value"], unique=False)
        batch_op.alter_column(
            "value", existing_type=sa.Text(), type_=sa.VARCHAR(length=255), existing_nullable=False
        )
        batch_op.drop_column("sealed_for")
        batch_op.drop_column("value_hash")

    with op.batch_alter_table("crm_financing_contract", schema=None) as batch_op:
        batch_op.alter_column(
            "number", existing_type=sa.Text(), type_=sa.VARCHAR(length=40), existing_nullable=False
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("crm_account_access", schema=None) as batch_op:
        batch_op.alter_column(
            "reason", existing_type=sa.Text(), type_=sa.VARCHAR(length=500), existing_nullable=False
        )
        batch_op.alter_column(
            "actor_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=120),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("conversation_webhook_delivery", schema=None) as batch_op:
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("conversation_transition", schema=None) as batch_op:
        batch_op.alter_column(
            "reason", existing_type=sa.Text(), type_=sa.VARCHAR(length=255), existing_nullable=False
        )
        batch_op.alter_column(
            "actor_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=120),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.alter_column(
            "author_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=120),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_external_contact_hash")
        batch_op.drop_index("ix_conversation_customer_email_hash")
        batch_op.create_index(
            batch_op.f("ix_conversation_external_contact"), ["external_contact"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_customer_email"), ["customer_email"], unique=False
        )
        batch_op.alter_column(
            "external_contact",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=254),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "customer_email",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=254),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "customer_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=120),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "subject",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=200),
            existing_nullable=False,
        )
        batch_op.drop_column("sealed_for")
        batch_op.drop_column("external_contact_hash")
        batch_op.drop_column("customer_email_hash")

    with op.batch_alter_table("bot_conversation", schema=None) as batch_op:
        batch_op.drop_column("sealed_for")
