"""commerce: brand rules, stock and reservations, carts, orders and their history,
payments and refunds, the sandbox provider's records, phygital twins, shared documents,
proof challenges and the idempotency journal

Revision ID: c0e3a1f5d7b9
Revises: f9ab65b93bf7
Create Date: 2026-12-07 13:22:36.142828
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import vitrina.core.db

revision: str = "c0e3a1f5d7b9"
down_revision: str | None = "f9ab65b93bf7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commerce_idempotency",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sealed_for", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_commerce_idempotency")),
    )
    with op.batch_alter_table("commerce_idempotency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_idempotency_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "commerce_proof_challenge",
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("expires_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sealed_for", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_proof_challenge")),
        sa.UniqueConstraint("nonce_hash", name=op.f("uq_commerce_proof_challenge_nonce_hash")),
    )
    with op.batch_alter_table("commerce_proof_challenge", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_proof_challenge_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "commerce_sandbox_event",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_sandbox_event")),
    )
    with op.batch_alter_table("commerce_sandbox_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_sandbox_event_due_at"), ["due_at"], unique=False
        )

    op.create_table(
        "commerce_sandbox_intent",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.Column("decline_code", sa.String(length=32), nullable=True),
        sa.Column("challenge_code_hash", sa.String(length=64), nullable=True),
        sa.Column("challenge_attempts", sa.Integer(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_sandbox_intent")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_commerce_sandbox_intent_idempotency_key")
        ),
    )
    op.create_table(
        "commerce_webhook_receipt",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_commerce_webhook_receipt")),
    )
    op.create_table(
        "commerce_brand_rules",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("tax_rate", sa.String(length=12), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("tax_label", sa.String(length=32), nullable=False),
        sa.Column("deposit_minor", sa.BigInteger(), nullable=True),
        sa.Column("phygital_products", sa.JSON(), nullable=False),
        sa.Column("reservation_ttl_s", sa.Integer(), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_brand_rules_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brand_id", name=op.f("pk_commerce_brand_rules")),
    )
    op.create_table(
        "commerce_cart",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_cart_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_cart")),
    )
    with op.batch_alter_table("commerce_cart", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commerce_cart_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commerce_cart_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "commerce_document",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("configuration_id", sa.String(length=16), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("brand_key", sa.String(length=64), nullable=False),
        sa.Column("brand_signature", sa.String(length=128), nullable=False),
        sa.Column("brand_ledger_seq", sa.BigInteger(), nullable=True),
        sa.Column("pdf_content", sa.Text(), nullable=False),
        sa.Column("countersign_method", sa.String(length=16), nullable=True),
        sa.Column("countersigner", sa.Text(), nullable=False),
        sa.Column("countersign_message", sa.Text(), nullable=False),
        sa.Column("countersignature", sa.String(length=200), nullable=True),
        sa.Column("countersigned_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("countersign_ledger_seq", sa.BigInteger(), nullable=True),
        sa.Column("sealed_for", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_document_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_document")),
        sa.UniqueConstraint("sha256", name="uq_commerce_document_sha256"),
    )
    with op.batch_alter_table("commerce_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_document_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commerce_document_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commerce_document_thread_id"), ["thread_id"], unique=False
        )

    op.create_table(
        "commerce_order",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("cart_id", sa.String(length=36), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("plan", sa.String(length=16), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("due_now_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate", sa.String(length=12), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column(
            "reservation_expires_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.Text(), nullable=False),
        sa.Column("shipping_address", sa.JSON(), nullable=False),
        sa.Column("billing_address", sa.JSON(), nullable=False),
        sa.Column("sealed_for", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_order_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_order")),
        sa.UniqueConstraint("brand_id", "number", name="uq_commerce_order_number"),
    )
    with op.batch_alter_table("commerce_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commerce_order_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commerce_order_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commerce_order_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "commerce_order_transition",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.Column("ledger_hash", sa.String(length=128), nullable=True),
        sa.Column("at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sealed_for", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_order.id"],
            name=op.f("fk_commerce_order_transition_order_id_commerce_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_order_transition")),
    )
    with op.batch_alter_table("commerce_order_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_order_transition_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "commerce_payment",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decline_code", sa.String(length=32), nullable=True),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_payment_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_order.id"],
            name=op.f("fk_commerce_payment_order_id_commerce_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_payment")),
        sa.UniqueConstraint("provider", "provider_ref", name="uq_commerce_payment_provider_ref"),
    )
    with op.batch_alter_table("commerce_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_payment_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "commerce_cart_item",
        sa.Column("cart_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("configuration_id", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["commerce_cart.id"],
            name=op.f("fk_commerce_cart_item_cart_id_commerce_cart"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_commerce_cart_item_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_cart_item")),
    )
    with op.batch_alter_table("commerce_cart_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_cart_item_cart_id"), ["cart_id"], unique=False
        )

    op.create_table(
        "commerce_order_line",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=True),
        sa.Column("product_slug", sa.String(length=64), nullable=False),
        sa.Column("product_title", sa.String(length=200), nullable=False),
        sa.Column("configuration_id", sa.String(length=16), nullable=False),
        sa.Column("option_ids", sa.JSON(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_net_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_tax_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("phygital", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_order.id"],
            name=op.f("fk_commerce_order_line_order_id_commerce_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_commerce_order_line_product_id_catalog_product"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_order_line")),
    )
    with op.batch_alter_table("commerce_order_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_order_line_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "commerce_refund",
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("created_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_order.id"],
            name=op.f("fk_commerce_refund_order_id_commerce_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["commerce_payment.id"],
            name=op.f("fk_commerce_refund_payment_id_commerce_payment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_refund")),
    )
    with op.batch_alter_table("commerce_refund", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_refund_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "commerce_stock",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("configuration_id", sa.String(length=16), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_stock_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_commerce_stock_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_stock")),
        sa.UniqueConstraint("product_id", "configuration_id", name="uq_commerce_stock_unit"),
    )
    with op.batch_alter_table("commerce_stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commerce_stock_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "commerce_twin",
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=True),
        sa.Column("product_slug", sa.String(length=64), nullable=False),
        sa.Column("product_title", sa.String(length=200), nullable=False),
        sa.Column("configuration_id", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("redeemed_side", sa.String(length=16), nullable=True),
        sa.Column("minted_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_commerce_twin_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_order.id"],
            name=op.f("fk_commerce_twin_order_id_commerce_order"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_commerce_twin_product_id_catalog_product"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_twin")),
        sa.UniqueConstraint("brand_id", "serial", name="uq_commerce_twin_serial"),
        sa.UniqueConstraint("token", name=op.f("uq_commerce_twin_token")),
    )
    with op.batch_alter_table("commerce_twin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commerce_twin_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commerce_twin_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "commerce_reservation",
        sa.Column("stock_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expires_at", vitrina.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_order.id"],
            name=op.f("fk_commerce_reservation_order_id_commerce_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stock_id"],
            ["commerce_stock.id"],
            name=op.f("fk_commerce_reservation_stock_id_commerce_stock"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_reservation")),
    )
    with op.batch_alter_table("commerce_reservation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commerce_reservation_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            "ix_commerce_reservation_stock_state", ["stock_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("commerce_reservation", schema=None) as batch_op:
        batch_op.drop_index("ix_commerce_reservation_stock_state")
        batch_op.drop_index(batch_op.f("ix_commerce_reservation_order_id"))

    op.drop_table("commerce_reservation")
    with op.batch_alter_table("commerce_twin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_twin_owner_id"))
        batch_op.drop_index(batch_op.f("ix_commerce_twin_brand_id"))

    op.drop_table("commerce_twin")
    with op.batch_alter_table("commerce_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_stock_brand_id"))

    op.drop_table("commerce_stock")
    with op.batch_alter_table("commerce_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_refund_payment_id"))

    op.drop_table("commerce_refund")
    with op.batch_alter_table("commerce_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_order_line_order_id"))

    op.drop_table("commerce_order_line")
    with op.batch_alter_table("commerce_cart_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_cart_item_cart_id"))

    op.drop_table("commerce_cart_item")
    with op.batch_alter_table("commerce_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_payment_order_id"))

    op.drop_table("commerce_payment")
    with op.batch_alter_table("commerce_order_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_order_transition_order_id"))

    op.drop_table("commerce_order_transition")
    with op.batch_alter_table("commerce_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_order_session_id"))
        batch_op.drop_index(batch_op.f("ix_commerce_order_customer_id"))
        batch_op.drop_index(batch_op.f("ix_commerce_order_brand_id"))

    op.drop_table("commerce_order")
    with op.batch_alter_table("commerce_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_document_thread_id"))
        batch_op.drop_index(batch_op.f("ix_commerce_document_customer_id"))
        batch_op.drop_index(batch_op.f("ix_commerce_document_brand_id"))

    op.drop_table("commerce_document")
    with op.batch_alter_table("commerce_cart", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_cart_session_id"))
        batch_op.drop_index(batch_op.f("ix_commerce_cart_brand_id"))

    op.drop_table("commerce_cart")
    op.drop_table("commerce_brand_rules")
    op.drop_table("commerce_webhook_receipt")
    op.drop_table("commerce_sandbox_intent")
    with op.batch_alter_table("commerce_sandbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_sandbox_event_due_at"))

    op.drop_table("commerce_sandbox_event")
    with op.batch_alter_table("commerce_proof_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_proof_challenge_target_id"))

    op.drop_table("commerce_proof_challenge")
    with op.batch_alter_table("commerce_idempotency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commerce_idempotency_created_at"))

    op.drop_table("commerce_idempotency")
