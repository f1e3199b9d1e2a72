"""Digital twin files: validated as glTF 2.0, stored content-addressed, listed per brand."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.catalog import glb
from vitrina.catalog.errors import CatalogErrorCode
from vitrina.catalog.models import Asset
from vitrina.catalog.storage import AssetStore
from vitrina.core.errors import AppError


class InvalidAsset(AppError):
    status = 422
    code = CatalogErrorCode.INVALID_ASSET


class AssetTooLarge(AppError):
    status = 413
    code = CatalogErrorCode.ASSET_TOO_LARGE


def asset_store(data_dir: Path) -> AssetStore:
    return AssetStore(data_dir / "assets")


def asset_url(sha256: str) -> str:
    return f"/api/assets/{sha256}.glb"


async def store_asset(
    db: AsyncSession,
    *,
    store: AssetStore,
    data: bytes,
    max_bytes: int,
    brand: Brand | None = None,
    label: str = "",
) -> Asset:
    """Validates and stores a .glb; the file is complete on disk before its row exists."""
    if len(data) > max_bytes:
        raise AssetTooLarge(f"The asset is {len(data)} bytes; the limit is {max_bytes}.")
    try:
        summary = glb.inspect_glb(data)
    except glb.GlbError as exc:
        raise InvalidAsset(f"Not a valid glTF 2.0 binary: {exc}", where=exc.where) from None
    sha256 = store.put(data)
    asset = await db.get(Asset, sha256)
    if asset is None:
        asset = Asset(
            sha256=sha256,
            byte_size=summary.byte_size,
            brand_id=brand.id if brand is not None else None,
            label=label,
            nodes=list(summary.nodes),
            materials=list(summary.materials),
        )
        db.add(asset)
    elif label:
        asset.label = label
    await db.flush()
    return asset


async def get_asset(db: AsyncSession, *, sha256: str) -> Asset | None:
    return await db.get(Asset, sha256)


async def list_assets(db: AsyncSession, *, brand: Brand) -> list[Asset]:
    query = select(Asset).where(Asset.brand_id == brand.id).order_by(Asset.label, Asset.sha256)
    return list((await db.execute(query)).scalars())
