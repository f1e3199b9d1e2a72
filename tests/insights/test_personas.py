"""Personas: defined by the brand's admin, chosen and changed by the visitor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.insights.conftest import OTHER, SLUG
from tests.privacy.conftest import ALL_OPTIONAL, Guest, staff
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.privacy.registry import DataRequest, sources

MakeGuest = Callable[[], Awaitable[Guest]]


def persona(key: str, weights: dict[str, float], route: list[str] | None = None) -> dict[str, Any]:
    return {
        "key": key,
        "name": {"en": key.title(), "fr": key.title() + " (fr)", "it": key.title() + " (it)"},
        "greeting": {"en": f"Hello {key}", "fr": f"Bonjour {key}", "it": f"Ciao {key}"},
        "route": route or [],
        "weights": weights,
    }


PERSONAS = {
    "personas": [
        persona("family", {"family-x": 1.0, "family-y": 0.8}),
        persona("performance", {"sport-r": 1.0}),
    ]
}


async def admin(client: AsyncClient, db: AsyncSession, brand: str) -> dict[str, str]:
    return await staff(
        client, db, email=f"admin@{brand}.example.com", roles=["admin"], brands=[brand]
    )


async def test_admin_defines_personas_checked_against_catalog_and_layout(
    client: AsyncClient, db: AsyncSession, cars: Brand, bikes: Brand
) -> None:
    headers = await admin(client, db, SLUG)
    url = f"/api/admin/brands/{SLUG}/personas"
    bad_product = {"personas": [persona("x", {"no-such": 1.0})]}
    bad_stand = {"personas": [persona("x", {}, route=["nowhere"])]}
    bad_weight = {"personas": [persona("x", {"city-e": 3.0})]}
    twice = {"personas": [persona("x", {}), persona("x", {})]}
    for payload in (bad_product, bad_stand, bad_weight, twice):
        resp = await client.put(url, json=payload, headers=headers)
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/api/brands/{SLUG}/personas")).json() == []
    # Another brand's product is not this brand's catalog.
    other = {"personas": [persona("x", {"city-bike": 1.0})]}
    assert (await client.put(url, json=other, headers=headers)).status_code == 422
    # Nor may this admin touch the other brand.
    assert (
        await client.put(f"/api/admin/brands/{OTHER}/personas", json=PERSONAS, headers=headers)
    ).status_code == 403

    resp = await client.put(url, json=PERSONAS, headers=headers)
    assert resp.status_code == 200, resp.text
    listed = (await client.get(f"/api/brands/{SLUG}/personas")).json()
    assert [p["key"] for p in listed] == ["family", "performance"]
    assert listed[0]["greeting"]["fr"] == "Bonjour family"


async def test_switching_persona_changes_suggestions_and_their_reasons(
    client: AsyncClient, db: AsyncSession, cars: Brand, make_guest: MakeGuest
) -> None:
    headers = await admin(client, db, SLUG)
    await client.put(f"/api/admin/brands/{SLUG}/personas", json=PERSONAS, headers=headers)
    guest = await make_guest()
    url = f"/api/insights/brands/{SLUG}/recommendations"
    choice = f"/api/insights/brands/{SLUG}/persona"

    # Without consent the choice is not kept, but may be passed along for this visit.
    resp = await guest.http.put(choice, json={"persona": "family"})
    assert resp.status_code == 409
    assert resp.json()["code"] == "consent_required"
    body = (await guest.http.get(url, params={"persona": "family"})).json()
    assert body["persona"] == "family"
    assert body["items"][0]["product"] == "family-x"
    assert "Fits your choice: Family." in body["items"][0]["why"]["en"]
    assert "Adatto alla tua scelta: Family (it)." in body["items"][0]["why"]["it"]

    await guest.consent(SLUG, ALL_OPTIONAL)
    assert (await guest.http.put(choice, json={"persona": "family"})).status_code == 200
    assert (await guest.http.get(choice)).json() == {"persona": "family", "stored": True}
    first = (await guest.http.get(url)).json()
    assert first["items"][0]["product"] == "family-x"

    assert (await guest.http.put(choice, json={"persona": "performance"})).status_code == 200
    switched = (await guest.http.get(url)).json()
    assert switched["persona"] == "performance"
    assert switched["items"][0]["product"] == "sport-r"

    unknown = await guest.http.put(choice, json={"persona": "astronaut"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_persona"

    # Withdrawing personalisation sets the stored choice aside at once.
    await guest.consent(SLUG, {"personalisation": False})
    assert (await guest.http.get(choice)).json() == {"persona": None, "stored": False}
    assert (await guest.http.get(url)).json()["persona"] is None

    # Staff have no persona of their own.
    assert (await client.get(choice, headers=headers)).status_code == 403


async def test_choice_is_exported_and_erased(
    client: AsyncClient,
    db: AsyncSession,
    cars: Brand,
    make_guest: MakeGuest,
    settings: Settings,
) -> None:
    headers = await admin(client, db, SLUG)
    await client.put(f"/api/admin/brands/{SLUG}/personas", json=PERSONAS, headers=headers)
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.http.put(f"/api/insights/brands/{SLUG}/persona", json={"persona": "family"})
    source = next(s for s in sources() if s.name == "insights.persona")
    req = DataRequest(brand_id=cars.id, subject=guest.subject, settings=settings)
    rows = await source.export(db, req)
    assert [r["persona"] for r in rows] == ["family"]
    assert await source.erase(db, req) == 1
    assert await source.export(db, req) == []
