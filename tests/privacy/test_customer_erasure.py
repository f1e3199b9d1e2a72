"""A verified customer's erasure says what it does: the session's data at once, the
customer account referred to the DPO with the legal holds, a due date and a status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import account, siwe_sign_in
from tests.factories import login, make_staff
from tests.privacy.conftest import Guest, wait_for_request
from vitrina.brands.models import Brand
from vitrina.crm import service as crm
from vitrina.crm.demo import DEMO_WALLET_KEY, seed_demo_customer

SLUG = "aurora-motors"
MakeGuest = Callable[[], Awaitable[Guest]]


async def test_a_verified_customers_erasure_is_referred_to_the_dpo_not_claimed_done(
    app: FastAPI, client: AsyncClient, db: AsyncSession, brand: Brand, make_guest: MakeGuest
) -> None:
    await seed_demo_customer(db)
    await db.commit()
    giulia = await make_guest()
    signed = await siwe_sign_in(giulia.http, account(DEMO_WALLET_KEY))
    customer_id = signed.json()["customer_id"]

    filed = await giulia.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "erasure"})
    assert filed.status_code == 202, filed.text
    done = await wait_for_request(giulia.http, f"/api/privacy/requests/{filed.json()['id']}")
    assert done["status"] == "done"

    status = (await giulia.http.get(f"/api/privacy/brands/{SLUG}/erasure")).json()
    assert status["session_request"]["status"] == "done"
    referred = status["customer_request"]
    assert referred is not None and referred["status"] == "review"
    assert referred["subject"] == f"customer:{customer_id}"
    due = datetime.fromisoformat(referred["due_at"])
    assert timedelta(days=29) < due - datetime.now(UTC) <= timedelta(days=30)
    assert status["legal_holds"] == ["financing_contract"]
    # Nothing was said to be gone that is not: the CRM profile is still there for the DPO.
    assert await crm.get(db, customer_id=customer_id) is not None

    # Asking again does not file a second request for the DPO.
    again = await giulia.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "erasure"})
    assert again.status_code in (202, 409)
    await make_staff(db, email="dpo@example.com", roles=["dpo"], brand_slugs=[SLUG])
    dpo = await login(client, "dpo@example.com")
    queue = (await client.get("/api/privacy/dpo/requests?status=review", headers=dpo)).json()
    assert [r["id"] for r in queue["items"]] == [referred["id"]]

    approved = await client.post(f"/api/privacy/dpo/requests/{referred['id']}/approve", headers=dpo)
    assert approved.status_code == 200, approved.text
    finished = await wait_for_request(
        client, f"/api/privacy/dpo/requests/{referred['id']}", headers=dpo
    )
    assert finished["status"] == "done"
    later = (await giulia.http.get(f"/api/privacy/brands/{SLUG}/erasure")).json()
    assert later["customer_request"]["status"] == "done" and later["legal_holds"] == []


async def test_a_guests_erasure_has_nothing_to_refer(
    app: FastAPI, brand: Brand, make_guest: MakeGuest
) -> None:
    mia = await make_guest()
    filed = await mia.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "erasure"})
    await wait_for_request(mia.http, f"/api/privacy/requests/{filed.json()['id']}")
    status = (await mia.http.get(f"/api/privacy/brands/{SLUG}/erasure")).json()
    assert status["session_request"]["status"] == "done"
    assert status["customer_request"] is None and status["legal_holds"] == []
