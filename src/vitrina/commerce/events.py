"""Events of the commerce domain. Each names the customer when known: the CRM timeline
records every event with a `customer_id`, with its `summary`, under the channel."""

from __future__ import annotations

from vitrina.core.events import DomainEvent


class CommerceEvent(DomainEvent):
    type = "commerce.event"
    brand: str
    customer_id: str | None = None
    summary: str = ""
    channel: str = "commerce"


class OrderChanged(CommerceEvent):
    type = "commerce.order_changed"
    order_id: str
    number: str
    from_status: str | None
    to_status: str
    actor: str
    total: str
    currency: str


class OrderRefunded(CommerceEvent):
    type = "commerce.order_refunded"
    order_id: str
    number: str
    amount: str
    currency: str
    actor: str


class TwinChanged(CommerceEvent):
    type = "commerce.twin_changed"
    twin_id: str
    action: str  # minted | transferred_out | transferred_in | redeemed
    product: str
    serial: str


class DocumentChanged(CommerceEvent):
    type = "commerce.document_changed"
    document_id: str
    action: str  # shared | countersigned
    kind: str
    version: int
    sha256: str
