"""Cart, checkout and payment through the sandbox, as the storefront does it."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import (
    CHALLENGE,
    DECLINED,
    E1_DEFAULTS,
    SHOP,
    card,
    cart_with,
    checkout,
    customer,
    guest,
    key,
    ok,
    open_shop,
    pay,
    wait_order,
    wait_status,
)


async def test_a_guest_buys_a_wallbox_in_full(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with guest(app) as c:
        cart = await cart_with(c)
        assert cart["total"] == "899.00"
        # 22 % IVA included: net = 899 / 1.22 = 736.89, tax = 162.11.
        assert (cart["net"], cart["tax"]) == ("736.89", "162.11")
        assert cart["deposit"] == "899.00"
        placed = await ok(await checkout(c, cart["id"]), 201)
        order = placed["order"]
        assert order["status"] == "pending"
        assert placed["payment"]["amount"] == "899.00"
        assert order["lines"][0]["breakdown"]["total"] == "899.00"
        paid = await pay(c, app, placed)
        assert paid["paid"] == "899.00"
        assert [h["to_status"] for h in paid["history"]] == ["pending", "paid"]
        assert paid["history"][1]["actor"] == "provider:sandbox"
        assert paid["twins"] == []  # a wallbox is not phygital
        mine = await ok(await c.get(f"{SHOP}/orders"))
        assert [o["id"] for o in mine] == [order["id"]]


async def test_a_phygital_car_needs_a_signed_in_customer_and_mints_a_twin(
    app: FastAPI, db: AsyncSession
) -> None:
    await open_shop(app, db)
    async with guest(app) as c:
        cart = await cart_with(c, "aurora-e1", E1_DEFAULTS)
        resp = await checkout(c, cart["id"], plan="deposit")
        assert resp.status_code == 403
        assert resp.json()["code"] == "verification_required"
    async with customer(app) as c:
        cart = await cart_with(c, "aurora-e1", E1_DEFAULTS)
        assert cart["lines"][0]["phygital"] is True
        assert cart["deposit"] == "1000.00"
        placed = await ok(await checkout(c, cart["id"], plan="deposit"), 201)
        assert placed["payment"]["amount"] == "1000.00"
        paid = await pay(c, app, placed)
        assert (paid["paid"], paid["balance"]) == ("1000.00", "33900.00")
        [twin] = paid["twins"]
        assert twin["product"] == "aurora-e1"
        assert twin["serial"].startswith("AUR-E1-")
        garage = await ok(await c.get(f"{SHOP}/garage"))
        assert [t["id"] for t in garage] == [twin["id"]]


async def test_declines_and_the_challenge_step(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with guest(app) as c:
        cart = await cart_with(c)
        placed = await ok(await checkout(c, cart["id"]), 201)
        order_id, payment_id = placed["order"]["id"], placed["payment"]["id"]
        confirm = f"{SHOP}/orders/{order_id}/payments/{payment_id}/confirm"
        declined = await c.post(confirm, json=card(DECLINED), headers=key())
        assert declined.status_code == 402
        assert declined.headers["content-type"].startswith("application/problem+json")
        assert declined.json()["decline_code"] == "card_declined"
        bad = await c.post(confirm, json=card("4242 4242 4242 4241"), headers=key())
        assert (bad.status_code, bad.json()["decline_code"]) == (402, "invalid_number")
        challenged = await ok(await c.post(confirm, json=card(CHALLENGE), headers=key()))
        assert challenged["status"] == "requires_action"
        assert "123456" in challenged["challenge"]["prompt"]["en"]
        answer = f"{SHOP}/orders/{order_id}/payments/{payment_id}/challenge"
        wrong = await c.post(answer, json={"code": "000000"}, headers=key())
        assert (wrong.status_code, wrong.json()["code"]) == (402, "challenge_failed")
        # A failed challenge needs the card again; this time the right code passes.
        await ok(await c.post(confirm, json=card(CHALLENGE), headers=key()))
        passed = await ok(await c.post(answer, json={"code": "123456"}, headers=key()))
        assert passed["status"] == "processing"
        order = await wait_status(c, app, order_id, "paid")
        assert order["payments"][0]["status"] == "succeeded"


async def test_an_async_failure_leaves_the_order_payable(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with guest(app) as c:
        cart = await cart_with(c)
        placed = await ok(await checkout(c, cart["id"]), 201)
        order_id, payment_id = placed["order"]["id"], placed["payment"]["id"]
        confirm = f"{SHOP}/orders/{order_id}/payments/{payment_id}/confirm"
        processing = await ok(
            await c.post(confirm, json=card("4000 0000 0000 0341"), headers=key())
        )
        assert processing["status"] == "processing"
        order = await wait_order(c, app, order_id, lambda o: o["payments"][0]["decline_code"])
        assert order["status"] == "pending"
        assert order["payments"][0]["decline_code"] == "card_declined"
        await ok(await c.post(confirm, json=card(), headers=key()))
        await wait_status(c, app, order_id, "paid")


async def test_another_session_cannot_see_or_pay_my_order(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with guest(app) as mine:
        cart = await cart_with(mine)
        placed = await ok(await checkout(mine, cart["id"]), 201)
    async with guest(app) as other:
        order_id, payment_id = placed["order"]["id"], placed["payment"]["id"]
        assert (await other.get(f"{SHOP}/orders/{order_id}")).status_code == 404
        assert (await other.get(f"{SHOP}/carts/{cart['id']}")).status_code == 404
        resp = await other.post(
            f"{SHOP}/orders/{order_id}/payments/{payment_id}/confirm", json=card(), headers=key()
        )
        assert resp.status_code == 404
