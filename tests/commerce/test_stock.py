"""Stock holds: the last unit goes to exactly one of two simultaneous checkouts; a hold
expires and gives the unit back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import SHOP, card, cart_with, checkout, guest, key, ok, open_shop
from vitrina.brands import service as brands
from vitrina.catalog import service as catalog
from vitrina.commerce import orders, stock
from vitrina.commerce.models import Order, Reservation
from vitrina.core.db import transaction, utcnow
from vitrina.services import services_of


async def _last_unit(app: FastAPI) -> None:
    async with transaction(services_of(app).sessions) as s:
        brand = await brands.get_by_slug_or_raise(s, slug="aurora-motors")
        product = await catalog.get_product_or_raise(s, brand=brand, slug="aurora-wallbox")
        await stock.set_on_hand(s, product=product, configuration_id="", on_hand=1)


async def test_concurrent_checkouts_of_the_last_unit_one_wins(
    app: FastAPI, db: AsyncSession
) -> None:
    await open_shop(app, db)
    await _last_unit(app)
    async with guest(app, "Ada") as a, guest(app, "Bo") as b:
        cart_a, cart_b = await cart_with(a), await cart_with(b)
        assert cart_a["lines"][0]["available"] == 1
        results = await asyncio.gather(checkout(a, cart_a["id"]), checkout(b, cart_b["id"]))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [201, 409], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 409)
        assert loser.json()["code"] == "out_of_stock"
        assert loser.json()["available"] == 0
        winner = next(r for r in results if r.status_code == 201).json()
        assert winner["order"]["status"] == "pending"


async def test_many_checkouts_never_oversell(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with transaction(services_of(app).sessions) as s:
        brand = await brands.get_by_slug_or_raise(s, slug="aurora-motors")
        product = await catalog.get_product_or_raise(s, brand=brand, slug="aurora-wallbox")
        await stock.set_on_hand(s, product=product, configuration_id="", on_hand=3)
    async with (
        guest(app, "A") as a,
        guest(app, "B") as b,
        guest(app, "C") as c,
        guest(app, "D") as d,
        guest(app, "E") as e,
    ):
        clients = [a, b, c, d, e]
        carts = [await cart_with(x) for x in clients]
        results = await asyncio.gather(
            *(checkout(x, cart["id"]) for x, cart in zip(clients, carts, strict=True))
        )
        assert sorted(r.status_code for r in results) == [201, 201, 201, 409, 409]


async def test_an_expired_hold_is_cancelled_and_gives_the_unit_back(
    app: FastAPI, db: AsyncSession
) -> None:
    await open_shop(app, db)
    await _last_unit(app)
    async with guest(app) as c:
        cart = await cart_with(c)
        placed = await ok(await checkout(c, cart["id"]), 201)
        order_id = placed["order"]["id"]
        async with transaction(services_of(app).sessions) as s:
            await s.execute(
                update(Order)
                .where(Order.id == order_id)
                .values(reservation_expires_at=utcnow() - timedelta(seconds=1))
            )
            await s.execute(
                update(Reservation)
                .where(Reservation.order_id == order_id)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        # Too late to pay.
        resp = await c.post(
            f"{SHOP}/orders/{order_id}/payments/{placed['payment']['id']}/confirm",
            json=card(),
            headers=key(),
        )
        assert (resp.status_code, resp.json()["code"]) == (409, "reservation_expired")
        # The unit is free for someone else already; the sweep cancels the order.
        again = await cart_with(c)
        assert again["lines"][0]["available"] == 1
        payments = services_of(app).payments
        async with transaction(services_of(app).sessions) as s:
            assert (
                await orders.expire_due(s, bus=services_of(app).bus, provider=payments.default) == 1
            )
        order = await ok(await c.get(f"{SHOP}/orders/{order_id}"))
        assert order["status"] == "cancelled"
        assert order["history"][-1]["actor"] == "system"
