"""Aurora Motors' catalog: two cars and a wallbox, with twins generated in code.

The products (aurora_catalog.json) are the ones the brand's store layout places on its
stands; each is linked here to the twin generated for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.catalog import assets, service
from vitrina.catalog.demo_assets import E1, GT, car_glb, sign_glb, wallbox_glb
from vitrina.catalog.schemas import ProductUpsert
from vitrina.catalog.storage import AssetStore
from vitrina.core.config import get_settings

DEMO_BRAND = "aurora-motors"
# Product slug -> (label, generator) of its twin.
TWINS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "aurora-e1": ("Aurora E1", lambda: car_glb(E1)),
    "aurora-gt": ("Aurora GT", lambda: car_glb(GT)),
    "aurora-wallbox": ("Aurora Wallbox", wallbox_glb),
}
PROPS: dict[str, Callable[[], bytes]] = {"Showroom sign": sign_glb}
# Demo twins are generated here, not uploaded: no upload limit applies.
_NO_LIMIT = 1 << 40


def demo_products() -> list[ProductUpsert]:
    raw = resources.files("vitrina.catalog").joinpath("aurora_catalog.json").read_text("utf-8")
    return [ProductUpsert.model_validate(p) for p in json.loads(raw)["products"]]


async def seed_catalog(db: AsyncSession, *, store: AssetStore | None = None) -> str:
    """Stores the demo twins and brings the demo products to their reference content."""
    store = store or assets.asset_store(get_settings().data_dir)
    brand = await brands.get_by_slug(db, slug=DEMO_BRAND)
    if brand is None:
        return "catalog skipped: the demo brand does not exist yet"
    for label, build in PROPS.items():
        await assets.store_asset(
            db, store=store, data=build(), max_bytes=_NO_LIMIT, brand=brand, label=label
        )
    changed = 0
    for data in demo_products():
        label, build = TWINS[data.slug]
        twin = await assets.store_asset(
            db, store=store, data=build(), max_bytes=_NO_LIMIT, brand=brand, label=label
        )
        data.asset_sha256 = twin.sha256
        current = await service.get_product(db, brand=brand, slug=data.slug)
        if current is None or service.differs(current, data):
            await service.upsert(db, brand=brand, data=data)
            changed += 1
    return f"catalog: {len(TWINS)} demo products ({changed} written), {len(TWINS) + len(PROPS)} twins stored"
