"""Shared test helpers for customer sign-in and the CRM: brands, guests, real signatures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data, ensure_demo_brand
from vitrina.brands.models import Brand
from vitrina.identity.siwe import build_message

AURORA = "aurora-motors"
OTHER = "borealis-bikes"
# Published test keys (the first is also the demo wallet's): never hold real funds.
KEY_A = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
KEY_B = "0x" + "11" * 32


async def make_brands(db: AsyncSession) -> tuple[Brand, Brand]:
    aurora, _ = await ensure_demo_brand(db)
    other = await brands.get_by_slug(db, slug=OTHER)
    if other is None:
        data = demo_brand_data().model_copy(update={"slug": OTHER, "name": "Borealis Bikes"})
        other = await brands.create(db, data=data)
    await db.commit()
    return aurora, other


@asynccontextmanager
async def guest(app: FastAPI, name: str = "Mia") -> AsyncIterator[AsyncClient]:
    """A browser of its own: a guest session cookie and the CSRF header set on every write."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        resp = await c.post("/api/auth/guest", json={"display_name": name, "brand_slug": AURORA})
        assert resp.status_code == 201, resp.text
        c.headers["x-csrf-token"] = resp.json()["csrf_token"]
        yield c


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def siwe_message(nonce_info: dict[str, Any], account: LocalAccount, **override: Any) -> str:
    fields: dict[str, Any] = {
        "domain": nonce_info["domain"],
        "address": account.address,
        "uri": nonce_info["uri"],
        "chain_id": nonce_info["chain_ids"][0],
        "nonce": nonce_info["nonce"],
        "issued_at": iso(datetime.now(UTC)),
        "statement": nonce_info["statement"],
        "expiration_time": iso(datetime.now(UTC) + timedelta(minutes=5)),
    }
    fields.update(override)
    return build_message(**fields)


def personal_sign(account: LocalAccount, text: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=text)).signature.hex().removeprefix("0x")


async def siwe_sign_in(
    client: AsyncClient, account: LocalAccount, *, link: bool = False, **override: Any
) -> Any:
    nonce = await client.post("/api/customer-auth/siwe/nonce", json={"brand": AURORA})
    assert nonce.status_code == 200, nonce.text
    message = siwe_message(nonce.json(), account, **override)
    return await client.post(
        "/api/customer-auth/siwe/verify",
        json={"message": message, "signature": personal_sign(account, message), "link": link},
    )


def account(key: str = KEY_A) -> LocalAccount:
    acct: LocalAccount = Account.from_key(key)
    return acct
