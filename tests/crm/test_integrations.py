"""API tokens with scopes, CSV/JSON import with a dry run and row errors, and export."""

from __future__ import annotations

import csv
import io

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import AURORA, OTHER, make_brands
from tests.factories import login, make_staff
from vitrina.identity.models import ApiToken

WALLET = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"


async def _admin(client: AsyncClient, db: AsyncSession) -> dict[str, str]:
    await make_brands(db)
    await make_staff(db, email="root@example.com", roles=["superadmin"])
    return await login(client, "root@example.com")


async def _token(
    client: AsyncClient, admin: dict[str, str], scopes: list[str], brands: list[str]
) -> dict[str, str]:
    resp = await client.post(
        "/api/admin/api-tokens",
        json={"name": "ERP sync", "scopes": scopes, "brand_slugs": brands},
        headers=admin,
    )
    assert resp.status_code == 201, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}", "id": resp.json()["id"]}


async def test_tokens_act_within_their_scopes_and_brands(
    client: AsyncClient, db: AsyncSession
) -> None:
    admin = await _admin(client, db)
    reader = await _token(client, admin, ["crm:read"], [AURORA])
    token_id = reader.pop("id")
    writer = await _token(client, admin, ["crm:read", "crm:write"], [OTHER])
    writer.pop("id")
    stored = (await db.execute(select(ApiToken).where(ApiToken.id == token_id))).scalar_one()
    assert reader["Authorization"].removeprefix("Bearer ") not in (stored.token_hash, stored.prefix)

    assert (await client.get("/api/crm/customers", headers=reader)).status_code == 200
    denied = await client.post("/api/crm/customers", json={"brand": AURORA}, headers=reader)
    assert denied.status_code == 403
    created = await client.post(
        "/api/crm/customers",
        json={"brand": OTHER, "identities": [{"kind": "email", "value": "o@example.com"}]},
        headers=writer,
    )
    assert created.status_code == 201
    assert (
        await client.post("/api/crm/customers", json={"brand": AURORA}, headers=writer)
    ).status_code == 403
    # The reader's brand does not see the other brand's customer.
    assert (
        await client.get(f"/api/crm/customers/{created.json()['id']}", headers=reader)
    ).status_code == 404
    # Tokens open no staff-only or admin route.
    assert (await client.get("/api/admin/users", headers=reader)).status_code == 403
    assert (await client.get("/api/auth/me", headers=reader)).status_code == 403
    assert (
        await client.delete(f"/api/admin/api-tokens/{token_id}", headers=admin)
    ).status_code == 204
    revoked = await client.get("/api/crm/customers", headers=reader)
    assert revoked.status_code == 401


CSV = f"""display_name,email,phone,wallet,chain_id,tags,external_id
Anna Verdi,anna@example.com,+39 06 1234 5678,,,vip;newsletter,erp:1001
Bruno Neri,BRUNO@example.com,,{WALLET.lower()},1,,erp:1002
Bad Phone,carla@example.com,12,,,,
Nobody,,,,,,
Dup Email,anna@example.com,,,,,erp:1004
"""


async def test_import_dry_run_then_apply_then_export(client: AsyncClient, db: AsyncSession) -> None:
    admin = await _admin(client, db)
    importer = await _token(client, admin, ["crm:import", "crm:read"], [AURORA])
    importer.pop("id")
    dry = await client.post(
        "/api/crm/import",
        params={"brand": AURORA},
        content=CSV,
        headers={**importer, "content-type": "text/plain"},
    )
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["dry_run"], report["rows"], report["created"], report["updated"]) == (
        True,
        5,
        2,
        0,
    )
    errors = {(e["row"], e["field"]) for e in report["errors"]}
    assert errors == {(3, "phone"), (4, "*"), (5, "email")}
    assert (await client.get("/api/crm/customers", headers=importer)).json()["total"] == 0

    applied = await client.post(
        "/api/crm/import",
        params={"brand": AURORA, "dry_run": "false"},
        content=CSV,
        headers={**importer, "content-type": "text/plain"},
    )
    assert (applied.json()["created"], len(applied.json()["errors"])) == (2, 3)
    found = (await client.get("/api/crm/customers", params={"q": WALLET}, headers=importer)).json()
    assert [c["display_name"] for c in found["items"]] == ["Bruno Neri"]

    again = await client.post(
        "/api/crm/import",
        params={"brand": AURORA, "dry_run": "false", "format": "json"},
        content='[{"display_name": "Anna Verdi", "email": "anna@example.com", "handle": "telegram:@annav"}]',
        headers={**importer, "content-type": "text/plain"},
    )
    assert (again.json()["created"], again.json()["updated"]) == (0, 1)

    exported = await client.get("/api/crm/export", params={"brand": AURORA}, headers=importer)
    assert exported.status_code == 200
    rows = {r["display_name"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert set(rows) == {"Anna Verdi", "Bruno Neri"}
    assert rows["Anna Verdi"]["phone"] == "+390612345678"
    assert rows["Anna Verdi"]["handle"] == "telegram:@annav"
    assert rows["Anna Verdi"]["tags"] == "newsletter;vip"
    assert rows["Bruno Neri"]["wallet"] == WALLET
    # Re-importing the export changes nothing.
    round_trip = await client.post(
        "/api/crm/import",
        params={"brand": AURORA, "dry_run": "false"},
        content=exported.text,
        headers={**importer, "content-type": "text/plain"},
    )
    assert (round_trip.json()["unchanged"], round_trip.json()["errors"]) == (2, [])


async def test_import_refuses_what_is_not_a_table(client: AsyncClient, db: AsyncSession) -> None:
    admin = await _admin(client, db)
    for content, fmt in [
        ("not json", "json"),
        ('{"a": 1}', "json"),
        ("email,password\nx@y.z,secret\n", "csv"),
    ]:
        resp = await client.post(
            "/api/crm/import",
            params={"brand": AURORA, "format": fmt},
            content=content,
            headers={**admin, "content-type": "text/plain"},
        )
        assert resp.status_code == 400, content
        assert resp.json()["code"] == "import_invalid"


async def test_import_refuses_what_the_database_cannot_hold(
    client: AsyncClient, db: AsyncSession
) -> None:
    admin = await _admin(client, db)
    for content, fmt, content_type in [
        ("[" * 5000, "json", "text/plain"),  # nested deeper than any table
        ('[{"display_name": "Anna\\u0000"}]', "json", "application/octet-stream"),
        ("display_name,email\nAnna\x00,anna@example.com\n", "csv", "application/octet-stream"),
    ]:
        resp = await client.post(
            "/api/crm/import",
            params={"brand": AURORA, "format": fmt, "dry_run": "false"},
            content=content,
            headers={**admin, "content-type": content_type},
        )
        assert resp.status_code in (400, 422), (content[:40], resp.text)
        assert resp.headers["content-type"] == "application/problem+json"
    huge_chain = f"display_name,wallet,chain_id\nBruno,{WALLET.lower()},{2**64}\n"
    report = await client.post(
        "/api/crm/import",
        params={"brand": AURORA, "dry_run": "false"},
        content=huge_chain,
        headers={**admin, "content-type": "text/plain"},
    )
    assert report.status_code == 200, report.text
    assert [(e["row"], e["field"]) for e in report.json()["errors"]] == [(1, "chain_id")]
    assert (await client.get("/api/crm/customers", headers=admin)).json()["total"] == 0
