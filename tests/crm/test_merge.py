"""Merging two profiles is audited, visible in the 360 view, and can be undone."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import AURORA, OTHER, make_brands
from tests.factories import login, make_staff


async def _setup(client: AsyncClient, db: AsyncSession) -> tuple[dict[str, str], str, str]:
    await make_brands(db)
    await make_staff(db, email="sup@aurora.example", roles=["supervisor"], brand_slugs=[AURORA])
    staff = await login(client, "sup@aurora.example")
    ids = []
    for name, email in [
        ("Giulia B.", "giulia@example.com"),
        ("G. Bianchi", "g.bianchi@work.example"),
    ]:
        resp = await client.post(
            "/api/crm/customers",
            json={
                "brand": AURORA,
                "display_name": name,
                "tags": [name[:2]],
                "identities": [{"kind": "email", "value": email}],
            },
            headers=staff,
        )
        assert resp.status_code == 201
        ids.append(resp.json()["id"])
    return staff, ids[0], ids[1]


async def test_merge_then_undo(client: AsyncClient, db: AsyncSession) -> None:
    staff, survivor, merged = await _setup(client, db)
    await client.post(
        f"/api/crm/customers/{merged}/notes", json={"body": "Called about tyres"}, headers=staff
    )
    resp = await client.post(
        "/api/crm/merges",
        json={
            "survivor_id": survivor,
            "merged_id": merged,
            "reason": "Same person, confirmed by phone",
        },
        headers=staff,
    )
    assert resp.status_code == 201, resp.text
    merge = resp.json()
    assert merge["actor"].startswith("staff:")
    assert merge["reason"] == "Same person, confirmed by phone"

    # Any identifier now leads to the survivor, whose 360 holds both families' data.
    found = (
        await client.get(
            "/api/crm/customers", params={"q": "g.bianchi@work.example"}, headers=staff
        )
    ).json()
    assert [c["id"] for c in found["items"]] == [survivor]
    assert found["total"] == 1
    view = (await client.get(f"/api/crm/customers/{merged}", headers=staff)).json()
    assert view["profile"]["id"] == survivor
    assert view["merged_profile_ids"] == [merged]
    assert sorted(i["value"] for i in view["identities"]) == [
        "g.bianchi@work.example",
        "giulia@example.com",
    ]
    assert [n["body"] for n in view["notes"]] == ["Called about tyres"]
    assert [m["id"] for m in view["merges"]] == [merge["id"]]
    assert (await client.get("/api/crm/customers", headers=staff)).json()["total"] == 1

    undone = await client.post(f"/api/crm/merges/{merge['id']}/undo", headers=staff)
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    found = (
        await client.get(
            "/api/crm/customers", params={"q": "g.bianchi@work.example"}, headers=staff
        )
    ).json()
    assert [c["id"] for c in found["items"]] == [merged]
    view = (await client.get(f"/api/crm/customers/{survivor}", headers=staff)).json()
    assert [i["value"] for i in view["identities"]] == ["giulia@example.com"]
    assert view["notes"] == []
    again = await client.post(f"/api/crm/merges/{merge['id']}/undo", headers=staff)
    assert again.status_code == 409
    assert again.json()["code"] == "merge_already_undone"


async def test_merge_refusals(client: AsyncClient, db: AsyncSession) -> None:
    staff, survivor, merged = await _setup(client, db)
    same = await client.post(
        "/api/crm/merges",
        json={"survivor_id": survivor, "merged_id": survivor, "reason": "oops"},
        headers=staff,
    )
    assert same.json()["code"] == "merge_invalid"
    await make_staff(db, email="other@borealis.example", roles=["supervisor"], brand_slugs=[OTHER])
    other_staff = await login(client, "other@borealis.example")
    foreign = await client.post(
        "/api/crm/merges",
        json={"survivor_id": survivor, "merged_id": merged, "reason": "steal"},
        headers=other_staff,
    )
    assert foreign.status_code == 404
    other_customer = await client.post(
        "/api/crm/customers",
        json={"brand": OTHER, "identities": [{"kind": "email", "value": "x@example.com"}]},
        headers=other_staff,
    )
    admin = {"Authorization": (await _admin(client, db))["Authorization"]}
    cross = await client.post(
        "/api/crm/merges",
        json={
            "survivor_id": survivor,
            "merged_id": other_customer.json()["id"],
            "reason": "cross brand",
        },
        headers=admin,
    )
    assert cross.status_code == 400
    assert cross.json()["code"] == "merge_invalid"


async def _admin(client: AsyncClient, db: AsyncSession) -> dict[str, str]:
    await make_staff(db, email="root@example.com", roles=["superadmin"])
    return await login(client, "root@example.com")
