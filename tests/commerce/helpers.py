"""Commerce test helpers: the demo shop, customers signed in with real keys, paying through
the sandbox and letting its signed webhooks arrive."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import (
    AURORA,
    OTHER,
    account,
    guest,
    make_brands,
    personal_sign,
    siwe_sign_in,
)
from vitrina.catalog import assets
from vitrina.catalog.demo import seed_catalog
from vitrina.commerce.demo import seed_commerce
from vitrina.identity import didkey
from vitrina.services import services_of

SHOP = f"/api/brands/{AURORA}/commerce"
E1_DEFAULTS = ["e1-paint-white", "e1-wheels-aero", "e1-interior-fabric"]
WALLBOX_DEFAULTS = ["wb-power-7", "wb-cable-5", "wb-white"]
SUCCESS = "4242 4242 4242 4242"
CHALLENGE = "4000 0027 6000 3184"
DECLINED = "4000 0000 0000 0002"
_keys = itertools.count(1)

ADDRESS = {"line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"k-{next(_keys)}-{uuid.uuid4().hex[:8]}"}


async def open_shop(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    await seed_catalog(db, store=assets.asset_store(services_of(app).settings.data_dir))
    await seed_commerce(db)
    await db.commit()


def card(number: str = SUCCESS) -> dict[str, Any]:
    return {"card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


async def ok(resp: Response, status: int = 200) -> Any:
    assert resp.status_code == status, resp.text
    return resp.json()


async def cart_with(
    c: AsyncClient, product: str = "aurora-wallbox", options: list[str] | None = None, qty: int = 1
) -> dict[str, Any]:
    cart = await ok(await c.post(f"{SHOP}/carts", headers=key()), 201)
    return await ok(
        await c.post(
            f"{SHOP}/carts/{cart['id']}/items",
            json={"product": product, "option_ids": options or WALLBOX_DEFAULTS, "quantity": qty},
            headers=key(),
        )
    )


async def checkout(c: AsyncClient, cart_id: str, plan: str = "full") -> Any:
    return await c.post(
        f"{SHOP}/carts/{cart_id}/checkout",
        json={
            "plan": plan,
            "name": "Giulia Bianchi",
            "email": "giulia@example.com",
            "shipping_address": ADDRESS,
        },
        headers=key(),
    )


async def settle(app: FastAPI) -> int:
    """Deliver the sandbox's due webhooks now (the background loop may beat us to it)."""
    payments = services_of(app).payments
    return await payments.sandbox.deliver_due(payments.deliver)


async def wait_order(
    c: AsyncClient, app: FastAPI, order_id: str, until: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The order once `until` holds, the sandbox's webhooks delivered meanwhile."""
    order: dict[str, Any] = {}
    for _ in range(100):
        await settle(app)
        order = await ok(await c.get(f"{SHOP}/orders/{order_id}"))
        if until(order):
            return order
        await asyncio.sleep(0.05)
    raise AssertionError(f"order {order_id} never got there: {order}")


async def wait_status(c: AsyncClient, app: FastAPI, order_id: str, status: str) -> dict[str, Any]:
    return await wait_order(c, app, order_id, lambda o: o["status"] == status)


async def pay(
    c: AsyncClient, app: FastAPI, placed: dict[str, Any], number: str = SUCCESS
) -> dict[str, Any]:
    order, payment = placed["order"], placed["payment"]
    resp = await c.post(
        f"{SHOP}/orders/{order['id']}/payments/{payment['id']}/confirm",
        json=card(number),
        headers=key(),
    )
    assert resp.status_code == 200, resp.text
    return await wait_status(c, app, order["id"], "paid")


@asynccontextmanager
async def customer(
    app: FastAPI, wallet: LocalAccount | None = None, name: str = "Mia"
) -> AsyncIterator[AsyncClient]:
    """A guest who signed in with a wallet (a verified customer of Aurora); the customer's
    id is in `c.headers["x-test-customer"]`."""
    async with guest(app, name) as c:
        resp = await siwe_sign_in(c, wallet or account())
        assert resp.status_code == 200, resp.text
        c.headers["x-test-customer"] = resp.json()["customer_id"]
        yield c


@asynccontextmanager
async def did_customer(app: FastAPI, key: Ed25519PrivateKey) -> AsyncIterator[AsyncClient]:
    """A guest who signed in with a did:key."""
    did = didkey.did_of(key.public_key())
    async with guest(app, "Dee") as c:
        challenge = await ok(
            await c.post("/api/customer-auth/did/challenge", json={"brand": AURORA, "did": did})
        )
        text = challenge["challenge"]
        resp = await c.post(
            "/api/customer-auth/did/verify",
            json={"challenge": text, "signature": key.sign(text.encode()).hex()},
        )
        assert resp.status_code == 200, resp.text
        c.headers["x-test-customer"] = resp.json()["customer_id"]
        yield c


async def buy_car(c: AsyncClient, app: FastAPI) -> dict[str, Any]:
    """A paid deposit on an Aurora E1: the order, with its twin."""
    cart = await cart_with(c, "aurora-e1", E1_DEFAULTS)
    placed = await ok(await checkout(c, cart["id"], plan="deposit"), 201)
    return await pay(c, app, placed)


__all__ = ["AURORA", "OTHER", "account", "guest", "personal_sign"]
