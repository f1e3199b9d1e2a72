"""The order state machine, refunds, idempotency keys and the provider's signed webhooks."""

from __future__ import annotations

import json
import time

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import (
    AURORA,
    SHOP,
    cart_with,
    checkout,
    guest,
    key,
    ok,
    open_shop,
    pay,
    wait_order,
)
from tests.factories import staff_headers
from vitrina.commerce.models import OrderStatus, Payment
from vitrina.commerce.orders import ALLOWED
from vitrina.commerce.payments.sandbox import sign
from vitrina.services import services_of

DESK = f"/api/staff/commerce/brands/{AURORA}"


def test_the_state_machine_has_no_way_back() -> None:
    assert ALLOWED[OrderStatus.PENDING] == {OrderStatus.PAID, OrderStatus.CANCELLED}
    assert ALLOWED[OrderStatus.PAID] == {OrderStatus.FULFILLED, OrderStatus.REFUNDED}
    assert ALLOWED[OrderStatus.FULFILLED] == {OrderStatus.REFUNDED}
    assert not ALLOWED[OrderStatus.CANCELLED]
    assert not ALLOWED[OrderStatus.REFUNDED]


async def _paid_order(c: AsyncClient, app: FastAPI) -> dict[str, object]:
    cart = await cart_with(c, qty=2)
    placed = await ok(await checkout(c, cart["id"]), 201)
    return await pay(c, app, placed)


async def test_transitions_with_who_and_why(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["supervisor"], brand_slugs=[AURORA])
    async with guest(app) as c:
        cart = await cart_with(c)
        placed = await ok(await checkout(c, cart["id"]), 201)
        order_id = placed["order"]["id"]
        # A pending order cannot be fulfilled.
        resp = await client.post(
            f"{DESK}/orders/{order_id}/fulfil", json={}, headers={**staff, **key()}
        )
        assert (resp.status_code, resp.json()["code"]) == (409, "invalid_transition")
        cancelled = await ok(
            await c.post(
                f"{SHOP}/orders/{order_id}/cancel",
                json={"reason": "changed my mind"},
                headers=key(),
            )
        )
        assert cancelled["status"] == "cancelled"
        last = cancelled["history"][-1]
        assert (last["from_status"], last["to_status"]) == ("pending", "cancelled")
        assert last["actor"].startswith("guest:")
        assert last["reason"] == "changed my mind"
        # Paying a cancelled order is refused.
        resp = await c.post(
            f"{SHOP}/orders/{order_id}/payments/{placed['payment']['id']}/confirm",
            json={
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 1,
                    "exp_year": 2031,
                    "cvc": "111",
                }
            },
            headers=key(),
        )
        assert resp.status_code == 409

        paid = await _paid_order(c, app)
        resp = await c.post(f"{SHOP}/orders/{paid['id']}/cancel", json={}, headers=key())
        assert (resp.status_code, resp.json()["code"]) == (409, "invalid_transition")
        done = await ok(
            await client.post(
                f"{DESK}/orders/{paid['id']}/fulfil",
                json={"reason": "collected at Milano"},
                headers={**staff, **key()},
            )
        )
        assert done["status"] == "fulfilled"
        assert done["history"][-1]["actor"].startswith("staff:")


async def test_partial_then_full_refund(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["supervisor"], brand_slugs=[AURORA])
    agent = await staff_headers(
        client, db, roles=["agent"], email="agent@x.example", brand_slugs=[AURORA]
    )
    async with guest(app) as c:
        paid = await _paid_order(c, app)
        assert paid["paid"] == "1798.00"
        refunds = f"{DESK}/orders/{paid['id']}/refunds"
        resp = await client.post(refunds, json={"amount": "100.00"}, headers={**agent, **key()})
        assert resp.status_code == 403  # refunds are a supervisor's
        resp = await client.post(refunds, json={"amount": "5000.00"}, headers={**staff, **key()})
        assert (resp.status_code, resp.json()["code"]) == (422, "refund_too_large")
        await ok(
            await client.post(
                refunds, json={"amount": "300.00", "reason": "scratch"}, headers={**staff, **key()}
            ),
            202,
        )
        order = await wait_order(c, app, paid["id"], lambda o: o["refunded"] == "300.00")
        assert order["status"] == "paid"
        assert order["history"][-1]["amount"] == "300.00"
        await ok(await client.post(refunds, json={}, headers={**staff, **key()}), 202)
        order = await wait_order(c, app, paid["id"], lambda o: o["status"] == "refunded")
        assert order["refunded"] == "1798.00"
        assert [r["status"] for r in order["refunds"]] == ["succeeded", "succeeded"]
        resp = await client.post(refunds, json={}, headers={**staff, **key()})
        assert resp.status_code == 409


async def test_idempotency_keys(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with guest(app) as c:
        resp = await c.post(f"{SHOP}/carts")
        assert (resp.status_code, resp.json()["code"]) == (428, "idempotency_key_required")
        cart = await ok(await c.post(f"{SHOP}/carts", headers=key()), 201)
        same = key()
        item = {"product": "aurora-wallbox", "option_ids": ["wb-power-7", "wb-cable-5", "wb-white"]}
        first = await c.post(f"{SHOP}/carts/{cart['id']}/items", json=item, headers=same)
        again = await c.post(f"{SHOP}/carts/{cart['id']}/items", json=item, headers=same)
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["lines"][0]["quantity"] == 1  # added once
        other = await c.post(
            f"{SHOP}/carts/{cart['id']}/items", json={**item, "quantity": 2}, headers=same
        )
        assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
        once = key()
        body = {
            "name": "Mia Rossi",
            "email": "mia@example.com",
            "shipping_address": {
                "line1": "Via Po 2",
                "city": "Torino",
                "postal_code": "10123",
                "country": "IT",
            },
        }
        placed = await c.post(f"{SHOP}/carts/{cart['id']}/checkout", json=body, headers=once)
        replay = await c.post(f"{SHOP}/carts/{cart['id']}/checkout", json=body, headers=once)
        assert placed.status_code == replay.status_code == 201
        assert placed.json()["order"]["id"] == replay.json()["order"]["id"]
        assert len(await ok(await c.get(f"{SHOP}/orders"))) == 1
        # A failed request keeps nothing: the key may be used again once the cause is fixed.
        fresh = await ok(await c.post(f"{SHOP}/carts", headers=key()), 201)
        retry = key()
        empty = await c.post(f"{SHOP}/carts/{fresh['id']}/checkout", json=body, headers=retry)
        assert (empty.status_code, empty.json()["code"]) == (422, "cart_empty")
        await ok(await c.post(f"{SHOP}/carts/{fresh['id']}/items", json=item, headers=key()))
        await ok(
            await c.post(f"{SHOP}/carts/{fresh['id']}/checkout", json=body, headers=retry), 201
        )


async def _intent_of(db: AsyncSession, payment_id: str) -> str:
    ref = await db.scalar(select(Payment.provider_ref).where(Payment.id == payment_id))
    assert ref is not None
    return str(ref)


async def test_webhooks_forged_replayed_or_repeated(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    sandbox = services_of(app).payments.sandbox
    async with guest(app) as c:
        cart = await cart_with(c)
        placed = await ok(await checkout(c, cart["id"]), 201)
        order_id, payment_id = placed["order"]["id"], placed["payment"]["id"]
        intent = await _intent_of(db, payment_id)
    body = json.dumps(
        {
            "id": "evt_forged",
            "type": "payment.succeeded",
            "created": int(time.time()),
            "data": {"intent": intent, "amount_minor": 89900},
        }
    ).encode()
    url = "/api/commerce/webhooks/sandbox"
    now = int(time.time())
    forged = await client.post(
        url, content=body, headers={"vitrina-signature": sign(b"not the secret", body, now)}
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "webhook_signature_invalid")
    unsigned = await client.post(url, content=body)
    assert unsigned.status_code == 400
    stale = await client.post(
        url, content=body, headers={"vitrina-signature": sign(sandbox.secret, body, now - 3600)}
    )
    assert (stale.status_code, stale.json()["code"]) == (400, "webhook_replayed")
    tampered = body.replace(b"89900", b"1")
    resp = await client.post(
        url, content=tampered, headers={"vitrina-signature": sign(sandbox.secret, body, now)}
    )
    assert resp.status_code == 400
    # Nothing was applied: the payment still waits for a card.
    async with services_of(app).sessions() as s:
        payment = await s.get(Payment, payment_id)
        assert payment is not None and payment.status == "requires_payment_method"
    # Signed with the secret, fresh: applied once, however often it is delivered.
    headers = {"vitrina-signature": sign(sandbox.secret, body, int(time.time()))}
    first = await ok(await client.post(url, content=body, headers=headers))
    second = await ok(await client.post(url, content=body, headers=headers))
    assert (first["outcome"], second["outcome"]) == ("applied", "duplicate")
    async with services_of(app).sessions() as s:
        payment = await s.get(Payment, payment_id)
        assert payment is not None and payment.status == "succeeded"
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    order = await ok(await client.get(f"{DESK}/orders/{order_id}", headers=staff))
    assert order["status"] == "paid"
    assert order["paid"] == "899.00"
