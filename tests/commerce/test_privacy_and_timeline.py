"""What commerce tells the CRM timeline and the ledger, what it exports for a person, and
how erasure forgets the person without breaking the ledger's chain."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import AURORA, SHOP, account, buy_car, customer, key, ok, open_shop
from tests.factories import staff_headers
from tests.privacy.conftest import run_request
from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.crm import service as crm
from vitrina.ledger import export
from vitrina.ledger import service as ledger
from vitrina.ledger.verify import verify_lines
from vitrina.privacy import registry
from vitrina.services import services_of

DESK = f"/api/staff/commerce/brands/{AURORA}"


async def _timeline_kinds(app: FastAPI, customer_id: str, want: int) -> list[str]:
    kinds: list[str] = []
    for _ in range(100):
        async with services_of(app).sessions() as s:
            kinds = [e.kind for e in await crm.timeline(s, profile_ids=[customer_id])]
        if len([k for k in kinds if k.startswith("commerce.")]) >= want:
            return kinds
        await asyncio.sleep(0.05)
    return kinds


async def test_timeline_ledger_console_export_and_erasure(
    app: FastAPI, db: AsyncSession, client: AsyncClient, settings: Settings
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    async with customer(app, account(), "Giulia") as c:
        customer_id = c.headers["x-test-customer"]
        order = await buy_car(c, app)
        assert all(h["ledger_seq"] is not None for h in order["history"])
    kinds = await _timeline_kinds(app, customer_id, 3)
    assert kinds.count("commerce.order_changed") == 2  # placed, paid
    assert "commerce.twin_changed" in kinds

    # The console's customer view.
    view = await ok(await client.get(f"{DESK}/customers/{customer_id}", headers=staff))
    assert [o["number"] for o in view["orders"]] == [order["number"]]
    assert [t["serial"] for t in view["twins"]] == [order["twins"][0]["serial"]]
    assert view["orders"][0]["contact_name"] == "Giulia Bianchi"

    brand = await brands.get_by_slug_or_raise(db, slug=AURORA)
    brand_id = brand.id
    subject = f"customer:{customer_id}"
    entries = await ledger.subject_entries(db, brand=AURORA, subject=subject)
    assert len(entries) >= 3  # placed, paid, minted

    source = next(s for s in registry.sources() if s.name == "commerce.orders")
    rows = await source.export(db, registry.DataRequest(brand_id, subject, settings))
    exported = {r["kind"]: r for r in rows}
    assert exported["order"]["contact_email"] == "giulia@example.com"
    assert exported["order"]["shipping_address"]["city"] == "Milano"
    assert exported["twin"]["serial"] == order["twins"][0]["serial"]
    await db.commit()

    await run_request(app, db, settings, brand_id, subject, "erasure")
    after = await ok(await client.get(f"{DESK}/orders/{order['id']}", headers=staff))
    assert (after["contact_name"], after["contact_email"], after["customer_id"]) == ("", "", None)
    assert after["shipping_address"] == {}
    assert (after["status"], after["paid"]) == ("paid", "1000.00")  # the bookkeeping stays
    # The chain still verifies end to end after the erasure.
    async with services_of(app).sessions() as s:
        plan = await export.prepare(s, brand=AURORA)
    exported_chain = b"".join(
        [part async for part in export.stream(services_of(app).sessions, plan)]
    )
    report = verify_lines(exported_chain.splitlines(keepends=True))
    assert report.ok, report.fault
    assert report.entries >= 3


async def test_staff_of_another_brand_see_nothing(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    other = await staff_headers(
        client,
        db,
        roles=["supervisor"],
        email="sup@borealis.example",
        brand_slugs=["borealis-bikes"],
    )
    async with customer(app, account(), "Giulia") as c:
        customer_id = c.headers["x-test-customer"]
        order = await buy_car(c, app)
    for path in (
        f"{DESK}/customers/{customer_id}",
        f"{DESK}/orders/{order['id']}",
    ):
        assert (await client.get(path, headers=other)).status_code == 403
    resp = await client.post(
        f"{DESK}/orders/{order['id']}/refunds", json={}, headers={**other, **key()}
    )
    assert resp.status_code == 403
    own = "/api/staff/commerce/brands/borealis-bikes"
    assert (await client.get(f"{own}/orders/{order['id']}", headers=other)).status_code == 404
    assert (await client.get(f"{own}/customers/{customer_id}", headers=other)).status_code == 404
    # A guest of the other brand's store does not find the order either.
    async with customer(app, account(), "Giulia") as c:
        assert (
            await c.get(f"/api/brands/borealis-bikes/commerce/orders/{order['id']}")
        ).status_code == 404
        assert (await c.get(f"{SHOP}/orders/{order['id']}")).status_code == 200
