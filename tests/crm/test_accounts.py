"""Account data is read only by the verified customer, or by staff who give a logged reason."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import KEY_B, OTHER, account, guest, make_brands, siwe_sign_in
from tests.factories import login, make_staff
from vitrina.core.security import Principal
from vitrina.crm import accounts
from vitrina.crm import service as crm
from vitrina.crm.account_models import AccountAccess, FinancingContract
from vitrina.crm.demo import DEMO_WALLET_ADDRESS, DEMO_WALLET_KEY, seed_demo_customer
from vitrina.crm.identifiers import IdentityKind, normalise


async def _seed(db: AsyncSession) -> None:
    await make_brands(db)
    summary = await seed_demo_customer(db)
    await db.commit()
    assert "created" in summary
    assert await seed_demo_customer(db) == "demo customer up to date"


async def test_the_verified_customer_reads_their_account(app: FastAPI, db: AsyncSession) -> None:
    await _seed(db)
    assert account(DEMO_WALLET_KEY).address == DEMO_WALLET_ADDRESS
    async with guest(app) as client:
        refused = await client.get("/api/customer/account")
        assert refused.status_code == 403
        assert refused.json()["code"] == "customer_not_verified"
        signed = await siwe_sign_in(client, account(DEMO_WALLET_KEY))
        assert signed.json()["display_name"] == "Giulia Bianchi"
        resp = await client.get("/api/customer/account")
        assert resp.status_code == 200, resp.text
        data = resp.json()
        assert data["contracts"][0]["balance_minor"] == 1_274_350
        assert data["contracts"][0]["currency"] == "EUR"
        assert data["vehicles"][0]["model"] == "Aurora Vela Hybrid"
        assert len(data["vehicles"][0]["service_history"]) == 2
        await client.post("/api/customer-auth/sign-out")
        assert (await client.get("/api/customer/account")).status_code == 403
    log = (await db.execute(select(AccountAccess))).scalars().all()
    assert [(row.actor_kind, row.reason) for row in log] == [
        ("guest", "customer self-service (siwe)")
    ]


async def test_another_customer_sees_only_their_own(app: FastAPI, db: AsyncSession) -> None:
    await _seed(db)
    async with guest(app, "Eve") as client:
        await siwe_sign_in(client, account(KEY_B))
        own = (await client.get("/api/customer/account")).json()
        assert own["contracts"] == []
        assert own["vehicles"] == []
        me = (await client.get("/api/auth/me")).json()
    principal = Principal(kind="guest", session_id=me["session_id"], display_name="Eve")
    aurora, _ = await make_brands(db)
    wallet = normalise(IdentityKind.WALLET, DEMO_WALLET_ADDRESS)
    demo = await crm.find_identity(db, brand_id=aurora.id, identifier=wallet)
    assert demo is not None
    # What the bot would do if asked for someone else's balance: refused.
    with pytest.raises(accounts.NotVerified):
        await accounts.read_account(db, principal=principal, customer_id=demo.profile_id)


async def test_staff_need_a_reason_and_it_is_logged(client: AsyncClient, db: AsyncSession) -> None:
    await _seed(db)
    await make_staff(
        db, email="agent@aurora.example", roles=["agent"], brand_slugs=["aurora-motors"]
    )
    await make_staff(db, email="agent@borealis.example", roles=["agent"], brand_slugs=[OTHER])
    staff = await login(client, "agent@aurora.example")
    outsider = await login(client, "agent@borealis.example")
    found = (
        await client.get("/api/crm/customers", params={"q": DEMO_WALLET_ADDRESS}, headers=staff)
    ).json()
    cid = found["items"][0]["id"]
    no_reason = await client.get(f"/api/crm/customers/{cid}/account", headers=staff)
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "reason_required"
    ok = await client.get(
        f"/api/crm/customers/{cid}/account",
        params={"reason": "Customer called about early repayment"},
        headers=staff,
    )
    assert ok.status_code == 200
    assert ok.json()["contracts"][0]["number"] == "AM-FIN-2024-000731"
    hidden = await client.get(
        f"/api/crm/customers/{cid}/account",
        params={"reason": "Just looking around"},
        headers=outsider,
    )
    assert hidden.status_code == 404
    log = (await db.execute(select(AccountAccess))).scalars().all()
    assert [(r.actor_kind, r.actor_name, r.reason) for r in log] == [
        ("staff", "Staff Member", "Customer called about early repayment")
    ]


async def test_the_demo_contracts_next_payment_is_never_in_the_past(db: AsyncSession) -> None:
    await make_brands(db)
    await seed_demo_customer(db, today=date(2025, 3, 20))
    await db.commit()
    contract = (await db.execute(select(FinancingContract))).scalar_one()
    assert contract.next_payment_on == date(2025, 4, 5)
    # The same database, a year later: the demo is refreshed, not left in the past.
    await seed_demo_customer(db, today=date(2026, 4, 5))
    await db.refresh(contract)
    assert contract.next_payment_on == date(2026, 4, 5)
    await seed_demo_customer(db)
    await db.refresh(contract)
    assert contract.next_payment_on is not None and contract.next_payment_on >= date.today()


async def test_a_visitor_who_proves_to_be_a_customer_is_no_longer_a_guest_by_name(
    app: FastAPI, db: AsyncSession
) -> None:
    await _seed(db)
    async with guest(app, name="Guest 4821") as client:
        assert (await client.get("/api/auth/me")).json()["display_name"] == "Guest 4821"
        signed = await siwe_sign_in(client, account(DEMO_WALLET_KEY))
        assert signed.status_code == 200, signed.text
        assert (await client.get("/api/auth/me")).json()["display_name"] == "Giulia Bianchi"
