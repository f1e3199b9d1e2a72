"""Administration: products, twins uploads, brand isolation and bad input as problem+json."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.conftest import ADMIN, BRAND, PRODUCTS, assets_on_disk
from tests.factories import login, make_staff
from vitrina.app import create_app
from vitrina.catalog.demo_assets import E1, car_glb, wallbox_glb
from vitrina.catalog.routes import MAX_ASSET_BYTES
from vitrina.catalog.service import ProductChanged
from vitrina.catalog.storage import AssetStore
from vitrina.core.config import Settings
from vitrina.services import services_of

GLB = {"Content-Type": "model/gltf-binary"}


def _upsert_of(product: dict[str, Any]) -> dict[str, Any]:
    """The body PUT expects, from what GET returns (as the admin page does)."""
    return {
        "slug": product["slug"],
        "name": product["name"],
        "description": product["description"],
        "currency": product["base_price"]["currency"],
        "base_price": product["base_price"]["amount"],
        "stock": product["stock"],
        "active": product["active"],
        "position": product["position"],
        "asset_sha256": product["asset_sha256"],
        "option_groups": [
            {
                "id": g["id"],
                "name": g["name"],
                "min_choices": g["min_choices"],
                "max_choices": g["max_choices"],
                "options": [
                    {
                        "id": o["id"],
                        "name": o["name"],
                        "description": o["description"],
                        "price_delta": o["price_delta"]["amount"],
                        "default": o["default"],
                        "effects": o["effects"],
                    }
                    for o in g["options"]
                ],
            }
            for g in product["option_groups"]
        ],
        "rules": [
            {k: r[k] for k in ("id", "kind", "option", "targets", "message")}
            for r in product["rules"]
        ],
        "explainers": [
            {k: e[k] for k in ("id", "part", "title", "text")} for e in product["explainers"]
        ],
    }


@pytest.fixture
async def e1_body(client: AsyncClient, seeded: None) -> dict[str, Any]:
    return _upsert_of((await client.get(f"{PRODUCTS}/aurora-e1")).json())


async def test_admin_edits_a_product_and_the_storefront_sees_it(
    client: AsyncClient, admin_headers: dict[str, str], e1_body: dict[str, Any], app: FastAPI
) -> None:
    changes: list[ProductChanged] = []
    services_of(app).bus.subscribe(ProductChanged, changes.append)
    body = copy.deepcopy(e1_body)
    body["base_price"] = "35490.50"
    body["explainers"].reverse()
    resp = await client.put(f"{ADMIN}/products/aurora-e1", json=body, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    public = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    assert public["base_price"]["amount"] == "35490.50"
    assert public["explainers"][0]["part"] == "wheel_fl"
    assert _upsert_of(public) == body
    assert [(c.brand, c.product, c.deleted) for c in changes] == [(BRAND, "aurora-e1", False)]


async def test_create_hide_and_delete(
    client: AsyncClient, admin_headers: dict[str, str], e1_body: dict[str, Any]
) -> None:
    body = copy.deepcopy(e1_body) | {"slug": "aurora-e1-launch", "active": False}
    created = await client.put(
        f"{ADMIN}/products/aurora-e1-launch", json=body, headers=admin_headers
    )
    assert created.status_code == 201
    assert (await client.get(f"{PRODUCTS}/aurora-e1-launch")).status_code == 404
    listed = (await client.get(f"{ADMIN}/products", headers=admin_headers)).json()
    assert "aurora-e1-launch" in [p["slug"] for p in listed]
    gone = await client.delete(f"{ADMIN}/products/aurora-e1-launch", headers=admin_headers)
    assert gone.status_code == 204
    listed = (await client.get(f"{ADMIN}/products", headers=admin_headers)).json()
    assert "aurora-e1-launch" not in [p["slug"] for p in listed]


def _set(path: list[Any], value: Any) -> Any:
    def change(body: dict[str, Any]) -> None:
        target: Any = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "code", "detail"),
    [
        (_set(["base_price"], "-100.00"), "invalid_price", "not a non-negative decimal"),
        (_set(["base_price"], "12,5"), "invalid_price", "not a non-negative decimal"),
        (_set(["base_price"], 99.99), "validation_error", "prices are decimal strings"),
        (_set(["base_price"], "10.001"), "invalid_price", "more decimals"),
        (
            _set(["option_groups", 0, "options", 1, "price_delta"], "-900"),
            "invalid_price",
            "options.e1-paint-blue",
        ),
        (_set(["rules", 0, "targets"], ["e1-gold-wheels"]), "unknown_option", "e1-gold-wheels"),
        (_set(["explainers", 0, "part"], "flux_capacitor"), "unknown_part", "flux_capacitor"),
        (
            _set(
                ["option_groups", 0, "options", 0, "effects"],
                [{"kind": "material_color", "target": "chrome_paint", "value": "#ffffff"}],
            ),
            "unknown_part",
            "no material 'chrome_paint'",
        ),
        (_set(["asset_sha256"], "f" * 64), "asset_not_found", "upload the .glb first"),
        (
            _set(["option_groups", 3, "options", 2, "default"], True),
            "invalid_configurator",
            "default options break",
        ),
        (
            _set(["option_groups", 1, "options", 0, "id"], "e1-paint-white"),
            "invalid_configurator",
            "used twice",
        ),
        (_set(["currency"], "XBT"), "invalid_price", "Unsupported currency"),
        (
            _set(
                ["option_groups", 0, "options", 0, "effects"],
                [{"kind": "material_color", "target": "paint", "value": "red"}],
            ),
            "validation_error",
            "colour",
        ),
    ],
    ids=[
        "negative",
        "comma",
        "float",
        "decimals",
        "negative-delta",
        "rule-target",
        "explainer-part",
        "material",
        "asset",
        "defaults",
        "duplicate",
        "currency",
        "colour",
    ],
)
async def test_bad_products_are_refused_with_a_reason(
    client: AsyncClient,
    admin_headers: dict[str, str],
    e1_body: dict[str, Any],
    change: Any,
    code: str,
    detail: str,
) -> None:
    body = copy.deepcopy(e1_body)
    change(body)
    resp = await client.put(f"{ADMIN}/products/aurora-e1", json=body, headers=admin_headers)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    problem = resp.json()
    assert problem["code"] == code
    assert detail in problem["detail"] + str(problem.get("errors", "")) + str(
        problem.get("field", "")
    )
    # Nothing changed.
    assert _upsert_of((await client.get(f"{PRODUCTS}/aurora-e1")).json()) == e1_body


async def test_upload_a_twin_and_use_it(
    client: AsyncClient, admin_headers: dict[str, str], e1_body: dict[str, Any], store: AssetStore
) -> None:
    data = wallbox_glb()
    resp = await client.post(
        f"{ADMIN}/assets?label=Wallbox%20v2", content=data, headers={**admin_headers, **GLB}
    )
    assert resp.status_code == 201, resp.text
    asset = resp.json()
    assert asset["byte_size"] == len(data) and asset["label"] == "Wallbox v2"
    assert "status_light" in asset["nodes"] and "housing" in asset["materials"]
    assert store.path_of(asset["sha256"]).read_bytes() == data
    served = await client.get(asset["url"])
    assert served.content == data
    again = await client.post(f"{ADMIN}/assets", content=data, headers={**admin_headers, **GLB})
    assert again.status_code == 201 and again.json()["sha256"] == asset["sha256"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a model at all", "does not start with 'glTF'"),
        (car_glb(E1)[:5000], "header declares"),
        (b"", "the file is empty"),
    ],
    ids=["text", "truncated", "empty"],
)
async def test_broken_uploads_leave_nothing_behind(
    client: AsyncClient,
    admin_headers: dict[str, str],
    seeded: None,
    store: AssetStore,
    data: bytes,
    reason: str,
) -> None:
    before = assets_on_disk(store.root)
    listed_before = (await client.get(f"{ADMIN}/assets", headers=admin_headers)).json()
    resp = await client.post(f"{ADMIN}/assets", content=data, headers={**admin_headers, **GLB})
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid_asset"
    assert reason in resp.json()["detail"]
    assert assets_on_disk(store.root) == before
    assert (await client.get(f"{ADMIN}/assets", headers=admin_headers)).json() == listed_before


async def test_oversized_upload_is_refused(
    client: AsyncClient, admin_headers: dict[str, str], seeded: None, store: AssetStore
) -> None:
    before = assets_on_disk(store.root)
    resp = await client.post(
        f"{ADMIN}/assets",
        content=b"glTF" + b"\x00" * (64 * 1024 * 1024),
        headers={**admin_headers, **GLB},
    )
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"
    assert assets_on_disk(store.root) == before


async def test_staff_of_another_brand_cannot_touch_this_catalog(
    client: AsyncClient, db: AsyncSession, seeded: None, e1_body: dict[str, Any]
) -> None:
    await make_staff(db, email="admin@other.example", roles=["admin"], brand_slugs=["other-brand"])
    other = await login(client, "admin@other.example")
    for method, path, kwargs in [
        ("GET", f"{ADMIN}/products", {}),
        ("PUT", f"{ADMIN}/products/aurora-e1", {"json": e1_body | {"base_price": "1.00"}}),
        ("DELETE", f"{ADMIN}/products/aurora-e1", {}),
        ("POST", f"{ADMIN}/assets", {"content": wallbox_glb()}),
        ("POST", f"{ADMIN}/import?dry_run=true", {"json": []}),
    ]:
        resp = await client.request(method, path, headers=other, **kwargs)
        assert resp.status_code == 403, (method, path, resp.text)
        assert resp.json()["code"] == "brand_forbidden"
    assert (await client.get(f"{PRODUCTS}/aurora-e1")).json()["base_price"]["amount"] == "34900.00"

    # An admin serving every brand (no brand list) may manage it; an agent may not.
    await make_staff(db, email="root@ops.example", roles=["superadmin"])
    root = await login(client, "root@ops.example")
    assert (await client.get(f"{ADMIN}/products", headers=root)).status_code == 200
    await make_staff(db, email="agent@aurora.example", roles=["agent"], brand_slugs=[BRAND])
    agent = await login(client, "agent@aurora.example")
    assert (await client.get(f"{ADMIN}/products", headers=agent)).status_code == 403


async def test_admin_page_is_served(client: AsyncClient) -> None:
    page = await client.get("/admin/catalog")
    assert page.status_code == 200 and "Catalog administration" in page.text
    script = await client.get("/admin/catalog/admin.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )


async def test_the_catalog_limit_applies_when_bodies_may_be_larger(
    settings: Settings, db: AsyncSession, seeded: None
) -> None:
    # An operator raised the body and upload limits; the catalog's own asset limit still holds.
    roomy = settings.model_copy(
        update={"max_body_bytes": 2 * MAX_ASSET_BYTES, "max_upload_bytes": 2 * MAX_ASSET_BYTES}
    )
    application = create_app(roomy)
    async with (
        application.router.lifespan_context(application),
        AsyncClient(transport=ASGITransport(app=application), base_url="http://testserver") as c,
    ):
        await make_staff(db, email="big@aurora.example", roles=["admin"], brand_slugs=[BRAND])
        headers = await login(c, "big@aurora.example")
        twin = car_glb(E1)
        ok = await c.post(f"{ADMIN}/assets", content=twin, headers={**headers, **GLB})
        assert ok.status_code == 201
        too_big = twin + b"\x00" * (MAX_ASSET_BYTES + 1 - len(twin))
        resp = await c.post(f"{ADMIN}/assets", content=too_big, headers={**headers, **GLB})
        assert resp.status_code == 413
        assert resp.json()["code"] == "asset_too_large"
