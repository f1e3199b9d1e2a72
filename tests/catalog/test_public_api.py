"""What the storefront relies on: products, quotes, shareable configurations, assets."""

from __future__ import annotations

import hashlib

from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.conftest import BRAND, PRODUCTS, guest_headers
from vitrina.app import create_app
from vitrina.catalog import service
from vitrina.catalog.service import ConfigurationSaved
from vitrina.core.config import Settings
from vitrina.core.events import EventBus
from vitrina.services import services_of

E1_VALID = ["e1-paint-red", "e1-wheels-sport", "e1-rims-black", "e1-interior-fabric"]


async def test_products_of_the_demo_stands(client: AsyncClient, seeded: None) -> None:
    resp = await client.get(PRODUCTS)
    assert resp.status_code == 200
    products = resp.json()
    assert [p["slug"] for p in products] == ["aurora-e1", "aurora-gt", "aurora-wallbox"]
    layout = (await client.get(f"/api/brands/{BRAND}")).json()["layout"]
    stands = {s["product_slug"] for z in layout["zones"] for s in z["stands"] if s["product_slug"]}
    assert stands == {p["slug"] for p in products}
    e1 = products[0]
    assert set(e1["name"]) == set(e1["description"]) == {"en", "fr", "it"}
    assert e1["base_price"] == {"amount": "34900.00", "currency": "EUR"}
    assert e1["asset_url"] == f"/api/assets/{e1['asset_sha256']}.glb"
    option = next(o for g in e1["option_groups"] for o in g["options"] if o["id"] == "e1-paint-red")
    assert option["group"] == "paint"
    assert option["price_delta"] == {"amount": "1200.00", "currency": "EUR"}
    assert option["effects"] == [{"kind": "material_color", "target": "paint", "value": "#b3121f"}]
    assert "wheel_fl_sport" in e1["hidden_parts"]
    assert [e["part"] for e in e1["explainers"]] == [
        "charging_port",
        "dashboard",
        "seats",
        "wheel_fl",
    ]
    assert [e["order"] for e in e1["explainers"]] == [0, 1, 2, 3]
    assert e1["explainers"][0]["text"]["it"].startswith("Premi lo sportello")
    rule = next(r for r in e1["rules"] if r["id"] == "e1-leather-needs-winter")
    assert (
        rule["explanation"]["en"]
        == "“Cognac leather” requires “Winter pack (heated seats and wheel)”."
    )


async def test_one_product_and_unknown_ones(client: AsyncClient, seeded: None) -> None:
    resp = await client.get(f"{PRODUCTS}/aurora-wallbox")
    assert resp.status_code == 200 and resp.json()["slug"] == "aurora-wallbox"
    missing = await client.get(f"{PRODUCTS}/aurora-zeppelin")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "product_not_found"
    assert (await client.get("/api/brands/nobody/products")).json()["code"] == "brand_not_found"


async def test_quote_prices_a_valid_configuration(client: AsyncClient, seeded: None) -> None:
    resp = await client.post(f"{PRODUCTS}/aurora-e1/quote", json={"option_ids": E1_VALID})
    assert resp.status_code == 200
    body = resp.json()
    assert body["valid"] is True and body["violations"] == []
    assert body["breakdown"] == {
        "base": "34900.00",
        "options": [
            {"id": "e1-paint-red", "amount": "1200.00"},
            {"id": "e1-wheels-sport", "amount": "1500.00"},
            {"id": "e1-rims-black", "amount": "300.00"},
            {"id": "e1-interior-fabric", "amount": "0.00"},
        ],
        "total": "37900.00",
        "currency": "EUR",
    }


async def test_quote_explains_violations_in_the_requested_language(
    client: AsyncClient, seeded: None
) -> None:
    options = [
        "gt-paint-blue",
        "gt-wheels-aero",
        "gt-interior-fabric",
        "gt-pack-performance",
        "gt-tow-hitch",
    ]
    resp = await client.post(
        f"{PRODUCTS}/aurora-gt/quote", json={"option_ids": options, "locale": "it"}
    )
    body = resp.json()
    assert body["valid"] is False
    by_rule = {v["rule_id"]: v for v in body["violations"]}
    assert set(by_rule) == {"gt-performance-needs-sport-wheels", "gt-performance-no-tow-hitch"}
    assert by_rule["gt-performance-no-tow-hitch"]["message"].startswith("«Pacchetto performance")
    assert by_rule["gt-performance-no-tow-hitch"]["messages"]["en"].startswith("“Performance pack")
    # A quote still prices what was asked, so the customer sees the cost while fixing it.
    assert body["breakdown"]["total"] == "61950.00"


async def test_unknown_option_is_a_problem(client: AsyncClient, seeded: None) -> None:
    resp = await client.post(
        f"{PRODUCTS}/aurora-e1/quote", json={"option_ids": ["gt-pack-performance"]}
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "unknown_option"
    assert resp.json()["option_ids"] == ["gt-pack-performance"]


async def test_saved_configuration_is_shareable(
    client: AsyncClient, seeded: None, app: object
) -> None:
    bus: EventBus = services_of(app).bus  # type: ignore[attr-defined]
    saved_events: list[ConfigurationSaved] = []
    bus.subscribe(ConfigurationSaved, saved_events.append)
    headers = await guest_headers(client)
    resp = await client.post(
        f"{PRODUCTS}/aurora-e1/configurations", json={"option_ids": E1_VALID}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    saved = resp.json()
    assert len(saved["id"]) == 10
    assert saved["breakdown"]["total"] == "37900.00"
    client.cookies.clear()
    shared = await client.get(f"/api/configurations/{saved['id']}")
    assert shared.status_code == 200
    assert shared.json() == saved
    await bus.drain()  # events go out after the commit, to each subscriber in turn
    assert [e.configuration_id for e in saved_events] == [saved["id"]]
    assert saved_events[0].total == "37900.00"


async def test_invalid_configuration_is_refused_with_its_violations(
    client: AsyncClient, seeded: None
) -> None:
    headers = await guest_headers(client)
    options = ["e1-paint-white", "e1-wheels-aero", "e1-interior-leather"]
    resp = await client.post(
        f"{PRODUCTS}/aurora-e1/configurations",
        json={"option_ids": options, "locale": "fr"},
        headers=headers,
    )
    assert resp.status_code == 422
    problem = resp.json()
    assert resp.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "configuration_invalid"
    assert [v["rule_id"] for v in problem["violations"]] == ["e1-leather-needs-winter"]
    assert "nécessite" in problem["violations"][0]["message"]


async def test_saving_needs_a_session(client: AsyncClient, seeded: None) -> None:
    resp = await client.post(f"{PRODUCTS}/aurora-e1/configurations", json={"option_ids": E1_VALID})
    assert resp.status_code == 401
    assert (await client.get("/api/configurations/nothing-here")).status_code == 404


async def test_asset_is_served_whole_by_range_and_cached(client: AsyncClient, seeded: None) -> None:
    e1 = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    url, sha = e1["asset_url"], e1["asset_sha256"]
    full = await client.get(url)
    assert full.status_code == 200
    assert full.headers["content-type"] == "model/gltf-binary"
    assert full.headers["etag"] == f'"{sha}"'
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert full.headers["accept-ranges"] == "bytes"
    assert hashlib.sha256(full.content).hexdigest() == sha
    assert full.content[:4] == b"glTF"

    part = await client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
    assert part.content == full.content[100:200]

    tail = await client.get(url, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.content == full.content[-16:]

    resumed = await client.get(url, headers={"Range": "bytes=10-", "If-Range": f'"{sha}"'})
    assert resumed.status_code == 206 and resumed.content == full.content[10:]
    stale = await client.get(url, headers={"Range": "bytes=10-", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == full.content

    cached = await client.get(url, headers={"If-None-Match": f'"{sha}"'})
    assert cached.status_code == 304 and cached.content == b""
    beyond = await client.get(url, headers={"Range": f"bytes={len(full.content) + 10}-"})
    assert beyond.status_code == 416

    head = await client.head(url)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(full.content))


async def test_unknown_assets(client: AsyncClient, seeded: None) -> None:
    for name in ("0" * 64, "../../etc/passwd", "ABC"):
        resp = await client.get(f"/api/assets/{name}.glb")
        assert resp.status_code == 404, name
        assert resp.json()["code"] in ("asset_not_found", "not_found")


async def test_brand_assets_list_the_showroom_sign(client: AsyncClient, seeded: None) -> None:
    assets = (await client.get(f"/api/brands/{BRAND}/assets")).json()
    sign = next(a for a in assets if a["label"] == "Showroom sign")
    assert {"panel", "post", "logo"} <= set(sign["nodes"])
    assert (await client.get(sign["url"])).status_code == 200


async def test_other_domains_read_explainers_in_a_language(db: AsyncSession, seeded: None) -> None:
    steps = await service.explainers(
        db, brand_slug=BRAND, product_slug="aurora-wallbox", locale="fr"
    )
    assert [s.part for s in steps] == ["status_light", "display", "connector"]
    assert steps[0].title == "Voyant d'état"
    assert steps[0].text.startswith("Vert : prête.")
    english = await service.explainers(db, brand_slug=BRAND, product_slug="aurora-e1", locale="de")
    assert english[0].title == "Charging port"


async def test_saving_configurations_is_rate_limited(
    settings: Settings, db: AsyncSession, seeded: None
) -> None:
    strict = settings.model_copy(update={"public_write_rate_per_minute": 2})
    application = create_app(strict)
    async with (
        application.router.lifespan_context(application),
        AsyncClient(transport=ASGITransport(app=application), base_url="http://testserver") as c,
    ):
        headers = await guest_headers(c)
        url = f"{PRODUCTS}/aurora-e1/configurations"
        codes = [
            (await c.post(url, json={"option_ids": E1_VALID}, headers=headers)).status_code
            for _ in range(3)
        ]
        assert codes == [201, 201, 429]
        limited = await c.post(url, json={"option_ids": E1_VALID}, headers=headers)
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
