"""Profiles, identities, search, 360, notes, timeline and brand isolation over HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import AURORA, OTHER, make_brands
from tests.factories import login, make_staff
from vitrina.privacy import service as privacy
from vitrina.privacy.texts import Purpose

WALLET = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"


async def _staff(
    client: AsyncClient,
    db: AsyncSession,
    email: str,
    brands: list[str],
    roles: list[str] | None = None,
) -> dict[str, str]:
    await make_staff(db, email=email, roles=roles or ["agent"], brand_slugs=brands)
    return await login(client, email)


async def _customer(
    client: AsyncClient, headers: dict[str, str], brand: str = AURORA, **extra: object
) -> dict[str, object]:
    body = {
        "brand": brand,
        "display_name": "Giulia Bianchi",
        "tags": ["vip"],
        "identities": [
            {"kind": "email", "value": "Giulia@Example.com"},
            {"kind": "phone", "value": "+39 02 1234 5678"},
            {"kind": "wallet", "value": WALLET.lower(), "chain_id": 1},
        ],
    }
    body.update(extra)
    resp = await client.post("/api/crm/customers", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, object] = resp.json()
    return data


async def test_search_by_any_identifier_in_any_spelling(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    created = await _customer(client, staff)
    for query in [
        "giulia@EXAMPLE.com",
        "+390212345678",
        "+39 02 1234 5678",
        WALLET.upper().replace("0X", "0x"),
    ]:
        found = await client.get("/api/crm/customers", params={"q": query}, headers=staff)
        assert found.status_code == 200
        assert [c["id"] for c in found.json()["items"]] == [created["id"]], query
    missing = await client.get(
        "/api/crm/customers", params={"q": "nobody@example.com"}, headers=staff
    )
    assert missing.json() == {"items": [], "total": 0, "offset": 0, "limit": 50}


async def test_an_identifier_belongs_to_one_customer(client: AsyncClient, db: AsyncSession) -> None:
    await make_brands(db)
    staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    await _customer(client, staff)
    dup = await client.post(
        "/api/crm/customers",
        json={"brand": AURORA, "identities": [{"kind": "email", "value": "GIULIA@example.com"}]},
        headers=staff,
    )
    assert dup.status_code == 409
    assert dup.json()["code"] == "identity_taken"
    bad = await client.post(
        "/api/crm/customers",
        json={"brand": AURORA, "identities": [{"kind": "wallet", "value": "0x12"}]},
        headers=staff,
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_identifier"


async def test_customer_360_gathers_identities_notes_and_timeline(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    customer = await _customer(client, staff)
    cid = customer["id"]
    note = await client.post(
        f"/api/crm/customers/{cid}/notes", json={"body": "Prefers Italian."}, headers=staff
    )
    assert note.status_code == 201
    entry = await client.post(
        f"/api/crm/customers/{cid}/timeline",
        json={"kind": "shop.purchase", "summary": "Bought winter tyres", "channel": "store"},
        headers=staff,
    )
    assert entry.status_code == 201
    patched = await client.patch(
        f"/api/crm/customers/{cid}", json={"tags": ["vip", "tyres"]}, headers=staff
    )
    assert patched.json()["tags"] == ["tyres", "vip"]
    view = (await client.get(f"/api/crm/customers/{cid}", headers=staff)).json()
    assert view["profile"]["display_name"] == "Giulia Bianchi"
    assert sorted(i["kind"] for i in view["identities"]) == ["email", "phone", "wallet"]
    wallet = next(i for i in view["identities"] if i["kind"] == "wallet")
    assert (wallet["value"], wallet["chain_id"], wallet["verified_at"]) == (WALLET, 1, None)
    assert [n["body"] for n in view["notes"]] == ["Prefers Italian."]
    consents = {c["purpose"]: c["granted"] for c in view["consents"]}
    assert consents["marketing"] is False
    await privacy.record_choices(
        db,
        brand_id=str(customer["brand_id"]),
        subject=f"customer:{cid}",
        choices={Purpose.MARKETING: True},
        channel="web",
    )
    await db.commit()
    view = (await client.get(f"/api/crm/customers/{cid}", headers=staff)).json()
    assert {c["purpose"]: c["granted"] for c in view["consents"]}["marketing"] is True
    assert [e["summary"] for e in view["timeline"]] == ["Bought winter tyres"]


async def test_pagination(client: AsyncClient, db: AsyncSession) -> None:
    await make_brands(db)
    staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    for n in range(5):
        await client.post(
            "/api/crm/customers",
            json={
                "brand": AURORA,
                "display_name": f"C{n}",
                "identities": [{"kind": "email", "value": f"c{n}@example.com"}],
            },
            headers=staff,
        )
    page = (
        await client.get("/api/crm/customers", params={"limit": 2, "offset": 2}, headers=staff)
    ).json()
    assert page["total"] == 5
    assert len(page["items"]) == 2
    everyone = (await client.get("/api/crm/customers", params={"limit": 200}, headers=staff)).json()
    names = [c["display_name"] for c in everyone["items"]]
    assert sorted(names) == [f"C{n}" for n in range(5)]
    assert [c["display_name"] for c in page["items"]] == names[2:4]


async def test_staff_of_another_brand_never_see_the_customer(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    aurora_staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    other_staff = await _staff(client, db, "agent@borealis.example", [OTHER])
    admin_all = await _staff(client, db, "root@example.com", [], roles=["superadmin"])
    customer = await _customer(client, aurora_staff)
    cid = customer["id"]
    assert (await client.get(f"/api/crm/customers/{cid}", headers=other_staff)).status_code == 404
    assert (
        await client.get(f"/api/crm/customers/{cid}/timeline", headers=other_staff)
    ).status_code == 404
    assert (
        await client.patch(
            f"/api/crm/customers/{cid}", json={"display_name": "x"}, headers=other_staff
        )
    ).status_code == 404
    assert (
        await client.post(
            f"/api/crm/customers/{cid}/notes", json={"body": "x"}, headers=other_staff
        )
    ).status_code == 404
    assert (
        await client.get(
            f"/api/crm/customers/{cid}/account",
            params={"reason": "curious, checking"},
            headers=other_staff,
        )
    ).status_code == 404
    search = (
        await client.get(
            "/api/crm/customers", params={"q": "giulia@example.com"}, headers=other_staff
        )
    ).json()
    assert search["total"] == 0
    listing = (await client.get("/api/crm/customers", headers=other_staff)).json()
    assert listing["total"] == 0
    wrong_brand = await client.get(
        "/api/crm/customers", params={"brand": AURORA}, headers=other_staff
    )
    assert wrong_brand.status_code == 403
    create_there = await client.post(
        "/api/crm/customers", json={"brand": AURORA}, headers=other_staff
    )
    assert create_there.status_code == 403
    # The same email may be another customer of another brand.
    other_customer = await _customer(client, other_staff, brand=OTHER)
    assert other_customer["id"] != cid
    assert (await client.get(f"/api/crm/customers/{cid}", headers=admin_all)).status_code == 200
    assert (await client.get("/api/crm/customers", headers=admin_all)).json()["total"] == 2


async def test_guests_cannot_reach_the_crm(app: FastAPI, db: AsyncSession) -> None:
    from tests.crm.helpers import guest

    await make_brands(db)
    async with guest(app) as client:
        assert (await client.get("/api/crm/customers")).status_code == 403


async def test_a_wallet_on_a_chain_id_beyond_32_bits_is_kept_and_a_huge_one_refused(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    palm = 11_297_108_109  # a live EIP-155 chain id that does not fit in 32 bits
    wallet = {"kind": "wallet", "value": WALLET.lower(), "chain_id": palm}
    created = await _customer(client, staff, identities=[wallet])
    view = (await client.get(f"/api/crm/customers/{created['id']}", headers=staff)).json()
    assert [i["chain_id"] for i in view["identities"]] == [palm]

    too_big = await client.post(
        "/api/crm/customers",
        json={"brand": AURORA, "identities": [{**wallet, "chain_id": 2**64}]},
        headers=staff,
    )
    assert too_big.status_code == 422, too_big.text
    assert too_big.json()["errors"][0]["loc"][-1] == "chain_id"


async def test_timeline_data_nested_too_deep_is_refused_so_the_timeline_stays_readable(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    staff = await _staff(client, db, "agent@aurora.example", [AURORA])
    cid = (await _customer(client, staff))["id"]

    def nested(depth: int) -> dict[str, object]:
        value: object = "tyres"
        for _ in range(depth - 1):
            value = [value]
        return {"items": value}

    entry = {"kind": "shop.purchase", "summary": "Bought winter tyres", "channel": "store"}
    deep = await client.post(
        f"/api/crm/customers/{cid}/timeline", json={**entry, "data": nested(300)}, headers=staff
    )
    assert deep.status_code == 422, deep.text
    assert deep.json()["errors"][0]["loc"] == ["body", "data"]
    fine = await client.post(
        f"/api/crm/customers/{cid}/timeline", json={**entry, "data": nested(16)}, headers=staff
    )
    assert fine.status_code == 201, fine.text
    timeline = await client.get(f"/api/crm/customers/{cid}/timeline", headers=staff)
    assert timeline.status_code == 200
    assert [e["data"] for e in timeline.json() if e["kind"] == "shop.purchase"] == [nested(16)]
