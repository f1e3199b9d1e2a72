"""What commerce holds about a person, for the access export, erasure and retention.

Orders carry the contact name, email and addresses the customer typed at checkout, sealed
under the customer (or, for a guest who never signed in, under the guest session).
Shared documents are PDFs naming the customer, sealed under the customer, as are the
countersigning key and text. Erasure blanks and unlinks all of it; what remains is
anonymous bookkeeping (amounts, states, serials, hashes) and the ledger, which holds no
personal values, so its chain still verifies.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.commerce.models import (
    Cart,
    Document,
    IdempotencyRecord,
    Order,
    OrderLine,
    OrderTransition,
    ProofChallenge,
    Twin,
)
from vitrina.core import sealing
from vitrina.core.db import new_id
from vitrina.crm import verification
from vitrina.privacy.registry import DataRequest, PersonalDataSource, Row, register


def _of_order(_rows: sealing.Rows, o: Order) -> str:
    if o.customer_id:
        return f"customer:{o.customer_id}"
    return f"guest:{o.session_id}"


sealing.seal_columns(
    Order,
    "contact_name",
    "contact_email",
    "shipping_address",
    "billing_address",
    subject=_of_order,
)
sealing.seal_columns(
    OrderTransition,
    "reason",
    subject=lambda rows, t: rows.sealed_for(Order, t.order_id),
)
sealing.seal_columns(
    Document,
    "title",
    "pdf_content",
    "countersigner",
    "countersign_message",
    subject=lambda _rows, d: f"customer:{d.customer_id}",
)
sealing.seal_columns(
    ProofChallenge,
    "terms",
    subject=lambda _rows, c: f"customer:{c.customer_id}",
)
sealing.seal_columns(
    IdempotencyRecord,
    "response",
    subject=lambda _rows, r: r.scope[:64],
)
sealing.not_personal("commerce_order", number="the order's reference, made by the shop")
sealing.not_personal(
    "commerce_sandbox_event", payload="the sandbox provider's ids and amounts of a payment"
)


async def _sessions(db: AsyncSession, req: DataRequest) -> list[str]:
    kind, _, value = req.subject.partition(":")
    if kind == "guest":
        return [value]
    if kind == "customer":
        return await verification.sessions_of(db, customer_ids=[value], brand_id=req.brand_id)
    return []


async def _orders_where(db: AsyncSession, req: DataRequest) -> ColumnElement[bool]:
    kind, _, value = req.subject.partition(":")
    conditions: list[ColumnElement[bool]] = []
    if kind == "customer":
        conditions.append(Order.customer_id == value)
    sessions = await _sessions(db, req)
    if sessions:
        conditions.append(Order.session_id.in_(sessions))
    if not conditions:
        return Order.id.is_(None)
    return (Order.brand_id == req.brand_id) & or_(*conditions)


def _customer(req: DataRequest) -> str | None:
    kind, _, value = req.subject.partition(":")
    return value if kind == "customer" else None


async def _export(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows: list[Row] = []
    orders = (
        await db.execute(
            select(Order).where(await _orders_where(db, req)).order_by(Order.created_at)
        )
    ).scalars()
    for order in orders:
        lines = (
            await db.execute(select(OrderLine).where(OrderLine.order_id == order.id))
        ).scalars()
        rows.append(
            {
                "kind": "order",
                "order": order.number,
                "status": order.status,
                "currency": order.currency,
                "total_minor": order.total_minor,
                "paid_minor": order.paid_minor,
                "refunded_minor": order.refunded_minor,
                "contact_name": order.contact_name,
                "contact_email": order.contact_email,
                "shipping_address": order.shipping_address,
                "billing_address": order.billing_address,
                "items": [
                    f"{line.quantity} x {line.product_slug} ({line.configuration_id})"
                    for line in lines
                ],
                "placed_at": order.created_at,
            }
        )
    customer_id = _customer(req)
    if customer_id is not None:
        twins = (
            await db.execute(
                select(Twin).where(Twin.brand_id == req.brand_id, Twin.owner_id == customer_id)
            )
        ).scalars()
        for twin in twins:
            rows.append(
                {
                    "kind": "twin",
                    "serial": twin.serial,
                    "product": twin.product_slug,
                    "configuration": twin.configuration_id,
                    "status": twin.status,
                    "minted_at": twin.minted_at,
                }
            )
        documents = (
            await db.execute(
                select(Document).where(
                    Document.brand_id == req.brand_id, Document.customer_id == customer_id
                )
            )
        ).scalars()
        for document in documents:
            rows.append(
                {
                    "kind": "document",
                    "document": document.id,
                    "title": document.title,
                    "version": document.version,
                    "status": document.status,
                    "sha256": document.sha256,
                    "countersigned_by": document.countersigner,
                    "countersigned_at": document.countersigned_at,
                }
            )
    return rows


async def _erase(db: AsyncSession, req: DataRequest) -> int:
    where = await _orders_where(db, req)
    ids = list((await db.execute(select(Order.id).where(where))).scalars())
    for order_id in ids:
        await db.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(
                contact_name="",
                contact_email="",
                shipping_address={},
                billing_address={},
                session_id=None,
                customer_id=None,
                sealed_for=sealing.ERASED,
            )
            .execution_options(synchronize_session=False)
        )
        await db.execute(
            update(OrderTransition)
            .where(OrderTransition.order_id == order_id)
            .values(reason="", sealed_for=sealing.ERASED)
            .execution_options(synchronize_session=False)
        )
    count = len(ids)
    sessions = await _sessions(db, req)
    if sessions:
        await db.execute(
            update(Cart)
            .where(Cart.session_id.in_(sessions), Cart.brand_id == req.brand_id)
            .values(session_id=f"erased:{new_id()}"[:36], customer_id=None)
            .execution_options(synchronize_session=False)
        )
        await db.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope.in_([f"guest:{s}" for s in sessions])
            )
        )
    customer_id = _customer(req)
    if customer_id is not None:
        await db.execute(
            update(Cart)
            .where(Cart.customer_id == customer_id)
            .values(customer_id=None)
            .execution_options(synchronize_session=False)
        )
        # The twins stay paired with their units (the ledger's chain names them), but no
        # longer with a person.
        erased_owner = f"erased:{new_id()}"[:36]
        twins = await db.execute(
            update(Twin)
            .where(Twin.brand_id == req.brand_id, Twin.owner_id == customer_id)
            .values(owner_id=erased_owner)
            .execution_options(synchronize_session=False)
        )
        count += int(getattr(twins, "rowcount", 0))
        docs = await db.execute(
            update(Document)
            .where(Document.brand_id == req.brand_id, Document.customer_id == customer_id)
            .values(
                title="",
                pdf_content="",
                countersigner="",
                countersign_message="",
                customer_id=erased_owner,
                sealed_for=sealing.ERASED,
            )
            .execution_options(synchronize_session=False)
        )
        count += int(getattr(docs, "rowcount", 0))
        await db.execute(delete(ProofChallenge).where(ProofChallenge.customer_id == customer_id))
    return count


async def _sealed_subjects(db: AsyncSession, req: DataRequest) -> set[str]:
    return await sealing.subjects_sealing(
        db, Order, Order.brand_id == req.brand_id, await _orders_where(db, req)
    )


register(
    PersonalDataSource(
        name="commerce.orders",
        tables=[
            "commerce_order",
            "commerce_document",
            "commerce_twin",
            "commerce_cart",
            "commerce_proof_challenge",
        ],
        # A customer's orders placed as a guest are found through the verifications.
        erase_before=("identity.verification",),
        export=_export,
        erase=_erase,
        sealed_subjects=_sealed_subjects,
        description=(
            "Orders (contact name, email, addresses, items, amounts), digital twins owned, "
            "documents shared with the person and their countersignatures."
        ),
    )
)
