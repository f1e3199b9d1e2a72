"""An admin of one brand cannot reach another brand through the admin and identity routes.

The attacker is a legitimate admin of Borealis Bikes only; the victim brand is Aurora
Motors, with a customer whose address must never leave it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import BRAND as AURORA
from tests.conversations.helpers import OTHER_BRAND as BOREALIS
from tests.conversations.helpers import make_brands
from tests.factories import PASSWORD, login, make_staff
from vitrina.identity.models import ApiToken, StaffUser

CUSTOMER_EMAIL = "victoria.secret-customer@aurora.example"


@dataclass
class Scene:
    attacker: dict[str, str]  # bearer headers of Borealis's admin
    attacker_id: str
    aurora_admin: dict[str, str]
    aurora_agent_id: str


@pytest.fixture
async def scene(client: AsyncClient, db: AsyncSession) -> Scene:
    await make_brands(db)
    me = await make_staff(db, email="bo@borealis.example", roles=["admin"], brand_slugs=[BOREALIS])
    await make_staff(db, email="al@aurora.example", roles=["admin"], brand_slugs=[AURORA])
    agent = await make_staff(db, email="ava@aurora.example", brand_slugs=[AURORA])
    aurora_admin = await login(client, "al@aurora.example")
    made = await client.post(
        "/api/crm/customers",
        json={"brand": AURORA, "identities": [{"kind": "email", "value": CUSTOMER_EMAIL}]},
        headers=aurora_admin,
    )
    assert made.status_code == 201, made.text
    return Scene(await login(client, "bo@borealis.example"), me.id, aurora_admin, agent.id)


async def _count(db: AsyncSession, model: type[ApiToken] | type[StaffUser]) -> int:
    await db.rollback()
    return await db.scalar(select(func.count()).select_from(model)) or 0


async def test_no_api_token_for_another_brand(
    client: AsyncClient, db: AsyncSession, scene: Scene
) -> None:
    before = await _count(db, ApiToken)
    resp = await client.post(
        "/api/admin/api-tokens",
        json={"name": "exfil", "scopes": ["crm:read", "crm:import"], "brand_slugs": [AURORA]},
        headers=scene.attacker,
    )
    assert resp.status_code == 403, resp.text
    assert resp.json()["code"] == "brand_not_held"
    assert CUSTOMER_EMAIL not in resp.text
    assert await _count(db, ApiToken) == before
    # A token for both brands is refused just the same.
    both = await client.post(
        "/api/admin/api-tokens",
        json={"name": "exfil", "scopes": ["crm:import"], "brand_slugs": [BOREALIS, AURORA]},
        headers=scene.attacker,
    )
    assert both.status_code == 403
    # A token of its own brand exports its own brand, not Aurora's.
    own = await client.post(
        "/api/admin/api-tokens",
        json={"name": "sync", "scopes": ["crm:import"], "brand_slugs": [BOREALIS]},
        headers=scene.attacker,
    )
    assert own.status_code == 201
    bearer = {"authorization": f"Bearer {own.json()['token']}"}
    export = await client.get("/api/crm/export", params={"brand": AURORA}, headers=bearer)
    assert export.status_code == 403
    assert CUSTOMER_EMAIL not in export.text


async def test_no_brand_or_role_granted_to_oneself_or_others(
    client: AsyncClient, db: AsyncSession, scene: Scene
) -> None:
    grab = await client.patch(
        f"/api/admin/users/{scene.attacker_id}",
        json={"brand_slugs": [BOREALIS, AURORA]},
        headers=scene.attacker,
    )
    assert grab.status_code == 403 and grab.json()["code"] == "brand_not_held"
    crown = await client.patch(
        f"/api/admin/users/{scene.attacker_id}",
        json={"roles": ["admin", "superadmin"]},
        headers=scene.attacker,
    )
    assert crown.status_code == 403 and crown.json()["code"] == "role_not_held"
    me = await client.get(f"/api/admin/users/{scene.attacker_id}", headers=scene.attacker)
    assert me.json()["brand_slugs"] == [BOREALIS] and me.json()["roles"] == ["admin"]

    before = await _count(db, StaffUser)
    new_admin = {
        "email": "accomplice@example.com",
        "display_name": "Accomplice",
        "password": PASSWORD,
        "roles": ["admin"],
    }
    unscoped = await client.post(
        "/api/admin/users", json={**new_admin, "brand_slugs": []}, headers=scene.attacker
    )
    assert unscoped.status_code == 422 and unscoped.json()["code"] == "brands_required"
    root = await client.post(
        "/api/admin/users",
        json={**new_admin, "roles": ["superadmin"], "brand_slugs": []},
        headers=scene.attacker,
    )
    assert root.status_code == 403 and root.json()["code"] == "role_not_held"
    elsewhere = await client.post(
        "/api/admin/users", json={**new_admin, "brand_slugs": [AURORA]}, headers=scene.attacker
    )
    assert elsewhere.status_code == 403
    assert await _count(db, StaffUser) == before


async def test_an_admin_listing_no_brand_serves_no_brand(
    client: AsyncClient, db: AsyncSession, scene: Scene
) -> None:
    """What an empty brand list used to mean for an admin ("every brand") is gone."""
    await make_staff(db, email="legacy@example.com", roles=["admin"], brand_slugs=[])
    legacy = await login(client, "legacy@example.com")
    found = await client.get("/api/crm/customers", params={"q": CUSTOMER_EMAIL}, headers=legacy)
    assert found.status_code == 200 and found.json()["items"] == []
    export = await client.get("/api/crm/export", params={"brand": AURORA}, headers=legacy)
    assert export.status_code == 403
    assert (await client.get("/api/admin/users", headers=legacy)).json()["items"] == []


async def test_another_brands_webhook_channel_is_out_of_reach(
    client: AsyncClient, scene: Scene
) -> None:
    base = f"/api/admin/channels/webhook/{AURORA}"
    set_up = await client.put(
        base, json={"outbound_url": "https://bridge.aurora.example/in"}, headers=scene.aurora_admin
    )
    assert set_up.status_code == 200 and "secret" not in set_up.json()
    for method, path, body in [
        ("GET", base, None),
        ("PUT", base, {"outbound_url": "https://attacker.example/steal"}),
        ("POST", f"{base}/secret", None),
        ("GET", f"{base}/deliveries", None),
    ]:
        resp = await client.request(method, path, json=body, headers=scene.attacker)
        assert resp.status_code == 403, f"{method} {path}: {resp.status_code}"
        assert "secret" not in resp.json()
    still = await client.get(base, headers=scene.aurora_admin)
    assert still.json()["outbound_url"] == "https://bridge.aurora.example/in"


async def test_another_brands_settings_cannot_be_changed(client: AsyncClient, scene: Scene) -> None:
    resp = await client.patch(
        f"/api/admin/brands/{AURORA}", json={"name": "Pwned Motors"}, headers=scene.attacker
    )
    assert resp.status_code == 403
    assert (await client.get(f"/api/brands/{AURORA}")).json()["name"] == "Aurora Motors"
    made = await client.post(
        "/api/admin/brands",
        json={"slug": "shadow", "name": "Shadow", "layout": {"zones": []}},
        headers=scene.attacker,
    )
    assert made.status_code == 403, "only a super-admin opens brands"


async def test_listings_show_only_the_callers_brands(
    client: AsyncClient, db: AsyncSession, scene: Scene
) -> None:
    aurora_token = await client.post(
        "/api/admin/api-tokens",
        json={"name": "aurora erp", "scopes": ["crm:read"], "brand_slugs": [AURORA]},
        headers=scene.aurora_admin,
    )
    assert aurora_token.status_code == 201
    users = (await client.get("/api/admin/users", headers=scene.attacker)).json()
    assert [u["email"] for u in users["items"]] == ["bo@borealis.example"]
    assert users["total"] == 1
    assert (await client.get("/api/admin/api-tokens", headers=scene.attacker)).json() == []
    hidden = await client.get(f"/api/admin/users/{scene.aurora_agent_id}", headers=scene.attacker)
    assert hidden.status_code == 404
    revoke = await client.delete(
        f"/api/admin/api-tokens/{aurora_token.json()['id']}", headers=scene.attacker
    )
    assert revoke.status_code == 404
    sessions = await client.post(
        f"/api/admin/users/{scene.aurora_agent_id}/revoke-sessions", headers=scene.attacker
    )
    assert sessions.status_code == 404


async def test_a_colleague_who_also_serves_another_brand_is_not_taken_over(
    client: AsyncClient, db: AsyncSession, scene: Scene
) -> None:
    both = await make_staff(
        db, email="sam@example.com", roles=["supervisor"], brand_slugs=[AURORA, BOREALIS]
    )
    seen = await client.get(f"/api/admin/users/{both.id}", headers=scene.attacker)
    assert seen.status_code == 200
    takeover = await client.patch(
        f"/api/admin/users/{both.id}",
        json={"password": "attacker chosen password"},
        headers=scene.attacker,
    )
    assert takeover.status_code == 403 and takeover.json()["code"] == "user_not_manageable"
    await login(client, "sam@example.com")  # the old password still works


async def test_direct_export_of_another_brand_is_refused(client: AsyncClient, scene: Scene) -> None:
    for fmt in ("csv", "json"):
        resp = await client.get(
            "/api/crm/export", params={"brand": AURORA, "format": fmt}, headers=scene.attacker
        )
        assert resp.status_code == 403
        assert CUSTOMER_EMAIL not in resp.text
    own = await client.get("/api/crm/export", params={"brand": AURORA}, headers=scene.aurora_admin)
    assert own.status_code == 200 and CUSTOMER_EMAIL in own.text
