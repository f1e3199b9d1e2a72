"""Bulk import from JSON or CSV: a dry run reports, a real run writes all rows or none."""

from __future__ import annotations

import json
from typing import Any

from httpx import AsyncClient

from tests.catalog.conftest import ADMIN, PRODUCTS
from vitrina.catalog.demo import demo_products

CSV = "text/csv"


def _csv(*rows: str) -> str:
    return (
        "slug,name_en,name_fr,description_en,base_price,stock,currency\n" + "\n".join(rows) + "\n"
    )


async def test_csv_dry_run_reports_and_writes_nothing(
    client: AsyncClient, admin_headers: dict[str, str], seeded: None
) -> None:
    body = _csv(
        "aurora-e1,,,,33900.00,9,",
        "aurora-wallbox,,,,899.00,40,",
        "aurora-mini,Aurora Mini,Aurora Mini,A city car.,19900,3,EUR",
    )
    resp = await client.post(
        f"{ADMIN}/import?dry_run=true", content=body, headers={**admin_headers, "Content-Type": CSV}
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["dry_run"] is True and report["applied"] is False
    assert [(r["slug"], r["action"]) for r in report["rows"]] == [
        ("aurora-e1", "update"),
        ("aurora-wallbox", "unchanged"),
        ("aurora-mini", "create"),
    ]
    e1 = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    assert e1["base_price"]["amount"] == "34900.00"
    assert (await client.get(f"{PRODUCTS}/aurora-mini")).status_code == 404


async def test_csv_import_updates_prices_and_keeps_the_configurator(
    client: AsyncClient, admin_headers: dict[str, str], seeded: None
) -> None:
    body = _csv("aurora-e1,,,,33900.00,9,", "aurora-mini,Aurora Mini,,A city car.,19900,3,EUR")
    resp = await client.post(
        f"{ADMIN}/import?dry_run=false",
        content=body,
        headers={**admin_headers, "Content-Type": CSV},
    )
    assert resp.status_code == 200 and resp.json()["applied"] is True
    e1 = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    assert (e1["base_price"]["amount"], e1["stock"]) == ("33900.00", 9)
    assert len(e1["option_groups"]) == 5 and len(e1["explainers"]) == 4
    mini = (await client.get(f"{PRODUCTS}/aurora-mini")).json()
    assert mini["name"] == {"en": "Aurora Mini", "fr": "Aurora Mini", "it": "Aurora Mini"}
    assert mini["base_price"]["amount"] == "19900.00"


async def test_one_bad_row_blocks_the_whole_import(
    client: AsyncClient, admin_headers: dict[str, str], seeded: None
) -> None:
    body = _csv("aurora-e1,,,,33900.00,9,", "aurora-mini,Aurora Mini,,A city car.,-5,3,EUR")
    dry = await client.post(
        f"{ADMIN}/import?dry_run=true", content=body, headers={**admin_headers, "Content-Type": CSV}
    )
    rows = dry.json()["rows"]
    assert rows[1]["action"] == "error" and "not a non-negative decimal" in rows[1]["errors"][0]
    real = await client.post(
        f"{ADMIN}/import?dry_run=false",
        content=body,
        headers={**admin_headers, "Content-Type": CSV},
    )
    assert real.status_code == 422
    assert real.json()["code"] == "import_invalid"
    assert [r["row"] for r in real.json()["rows"]] == [2]
    e1 = (await client.get(f"{PRODUCTS}/aurora-e1")).json()
    assert e1["base_price"]["amount"] == "34900.00"


async def test_json_import_with_full_configurators(
    client: AsyncClient, admin_headers: dict[str, str], seeded: None
) -> None:
    e1 = demo_products()[0]
    product: dict[str, Any] = json.loads(e1.model_dump_json())
    product |= {"slug": "aurora-e1-fleet", "base_price": "31000.00"}
    broken = dict(
        product,
        slug="aurora-e1-broken",
        rules=[{"id": "x", "kind": "requires", "option": "nope", "targets": ["e1-pack-tech"]}],
    )
    resp = await client.post(
        f"{ADMIN}/import?dry_run=true",
        json={"products": [product, broken, product]},
        headers=admin_headers,
    )
    rows = resp.json()["rows"]
    assert [r["action"] for r in rows] == ["create", "error", "error"]
    assert "unknown options: nope" in rows[1]["errors"][0]
    assert "appears twice" in rows[2]["errors"][0]
    ok = await client.post(f"{ADMIN}/import?dry_run=false", json=[product], headers=admin_headers)
    assert ok.status_code == 200
    fleet = (await client.get(f"{PRODUCTS}/aurora-e1-fleet")).json()
    assert fleet["base_price"]["amount"] == "31000.00" and fleet["asset_url"] is None


async def test_unsupported_or_garbled_bodies(
    client: AsyncClient, admin_headers: dict[str, str], seeded: None
) -> None:
    xml = await client.post(
        f"{ADMIN}/import",
        content="<products/>",
        headers={**admin_headers, "Content-Type": "application/xml"},
    )
    assert xml.status_code == 415 and xml.json()["code"] == "unsupported_media_type"
    garbled = await client.post(
        f"{ADMIN}/import",
        content="{not json",
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert garbled.status_code == 422 and garbled.json()["code"] == "import_invalid"
    too_deep = await client.post(
        f"{ADMIN}/import",
        content="[" * 5000,
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert too_deep.status_code == 422 and too_deep.json()["code"] == "import_invalid"
    with_nul = await client.post(
        f"{ADMIN}/import",
        content=_csv("aurora-nul,Aurora\x00,,,19900,3,EUR"),
        headers={**admin_headers, "Content-Type": CSV},
    )
    assert with_nul.status_code == 422 and "U+0000" in with_nul.json()["detail"]
