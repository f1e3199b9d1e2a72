"""Catalog HTTP API: public products and quotes, shareable configurations, assets, admin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import FileResponse

from vitrina.api.deps import (
    ADMIN,
    GUEST_OR_STAFF,
    PUBLIC,
    AdminPrincipal,
    AnyPrincipal,
    Bus,
    DbSession,
    SettingsDep,
    client_ip,
)
from vitrina.catalog import assets, importer, service
from vitrina.catalog.errors import CatalogErrorCode
from vitrina.catalog.reads import asset_read, configuration_read, product_read
from vitrina.catalog.schemas import (
    AssetRead,
    ConfigurationRead,
    ImportReport,
    ProductRead,
    ProductUpsert,
    QuoteRead,
    QuoteRequest,
)
from vitrina.core.components import components_of
from vitrina.core.errors import AppError, NotFound
from vitrina.core.ratelimit import limits_of
from vitrina.core.readcache import NOT_MODIFIED, ReadCache

# Uploads are also bounded by VITRINA_MAX_BODY_BYTES, which applies to every request body.
MAX_ASSET_BYTES = 32 * 1024 * 1024
_PAGE_DIR = Path(__file__).resolve().parent / "admin_page"

products_router = APIRouter(
    prefix="/api/brands/{brand}/products", tags=["catalog"], dependencies=[Depends(PUBLIC)]
)
configure_router = APIRouter(
    prefix="/api/brands/{brand}/products", tags=["catalog"], dependencies=[Depends(GUEST_OR_STAFF)]
)
shared_router = APIRouter(tags=["catalog"], dependencies=[Depends(PUBLIC)])
admin_router = APIRouter(
    prefix="/api/admin/brands/{brand}/catalog", tags=["admin"], dependencies=[Depends(ADMIN)]
)
page_router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])


@products_router.get(
    "",
    response_model=list[ProductRead],
    summary="A brand's products (public; ETag, cached)",
    responses=NOT_MODIFIED,
)
async def list_products(brand: str, request: Request, db: DbSession) -> Response:
    async def build() -> list[ProductRead]:
        found = await service.get_brand_or_raise(db, slug=brand)
        products = await service.list_products(db, brand=found)
        return [product_read(p, brand_slug=found.slug) for p in products]

    return await components_of(request).get(ReadCache).respond(request, request.url.path, build)


@products_router.get(
    "/{product}",
    response_model=ProductRead,
    summary="One product with options, rules, explainers (public; ETag, cached)",
    responses=NOT_MODIFIED,
)
async def read_product(brand: str, product: str, request: Request, db: DbSession) -> Response:
    async def build() -> ProductRead:
        found = await service.get_brand_or_raise(db, slug=brand)
        item = await service.get_product_or_raise(db, brand=found, slug=product)
        return product_read(item, brand_slug=found.slug)

    return await components_of(request).get(ReadCache).respond(request, request.url.path, build)


@products_router.post(
    "/{product}/quote",
    response_model=QuoteRead,
    summary="Check a set of options against the rules and price it; stores nothing (public)",
)
async def quote(brand: str, product: str, body: QuoteRequest, db: DbSession) -> QuoteRead:
    found = await service.get_brand_or_raise(db, slug=brand)
    item = await service.get_product_or_raise(db, brand=found, slug=product)
    evaluation = service.quote(item, option_ids=body.option_ids)
    return QuoteRead.model_validate(
        {
            "valid": evaluation.valid,
            "violations": service.violations_of(evaluation, locale=body.locale),
            "breakdown": service.breakdown_of(evaluation),
        }
    )


@configure_router.post(
    "/{product}/configurations",
    response_model=ConfigurationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Save a valid configuration under a short shareable id (guest or staff)",
    responses={422: {"description": "The options break rules; `violations` explains each"}},
)
async def create_configuration(
    brand: str,
    product: str,
    body: QuoteRequest,
    request: Request,
    principal: AnyPrincipal,
    db: DbSession,
    bus: Bus,
    settings: SettingsDep,
) -> ConfigurationRead:
    await limits_of(request).enforce(
        "catalog_configurations",
        client_ip(request),
        rate=settings.public_write_rate_per_minute,
        message="Too many saved configurations; try again shortly.",
    )
    found = await service.get_brand_or_raise(db, slug=brand)
    item = await service.get_product_or_raise(db, brand=found, slug=product)
    config = await service.create_configuration(
        db,
        brand=found,
        product=item,
        option_ids=body.option_ids,
        locale=body.locale,
        created_by=principal.session_id,
        bus=bus,
    )
    return configuration_read(config, product=item, brand_slug=found.slug)


@shared_router.get(
    "/api/configurations/{configuration_id}",
    response_model=ConfigurationRead,
    summary="A shared configuration (public)",
)
async def read_configuration(configuration_id: str, db: DbSession) -> ConfigurationRead:
    config, item, found = await service.get_configuration_or_raise(
        db, configuration_id=configuration_id
    )
    return configuration_read(config, product=item, brand_slug=found.slug)


@shared_router.get(
    "/api/brands/{brand}/assets",
    response_model=list[AssetRead],
    summary="A brand's uploaded twins and showroom props (public)",
)
async def list_assets(brand: str, db: DbSession) -> list[AssetRead]:
    found = await service.get_brand_or_raise(db, slug=brand)
    return [asset_read(a) for a in await assets.list_assets(db, brand=found)]


class _GlbResponse(FileResponse):
    # Larger reads than Starlette's 64 KiB default: fewer event-loop turns per asset.
    chunk_size = 1024 * 1024


@shared_router.head(
    "/api/assets/{sha256}.glb",
    summary="A stored .glb's headers: size, ETag and caching, without the body (public)",
    response_class=Response,
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
@shared_router.get(
    "/api/assets/{sha256}.glb",
    summary="A stored .glb, immutable: ETag, Range requests (206) and long caching (public)",
    response_class=Response,
    responses={
        200: {"content": {"model/gltf-binary": {}}},
        206: {"description": "The requested byte range"},
        304: {"description": "Not modified (If-None-Match)"},
    },
)
async def read_asset(sha256: str, request: Request, settings: SettingsDep) -> Response:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise NotFound(
            "Asset names are a lowercase SHA-256 and .glb.", code=CatalogErrorCode.ASSET_NOT_FOUND
        )
    path = assets.asset_store(settings.data_dir).path_of(sha256)
    if not path.is_file():
        raise NotFound(f"No asset {sha256}.", code=CatalogErrorCode.ASSET_NOT_FOUND)
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if_none_match = request.headers.get("if-none-match", "")
    if (
        etag in (t.strip().removeprefix("W/") for t in if_none_match.split(","))
        or if_none_match.strip() == "*"
    ):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return _GlbResponse(path, media_type="model/gltf-binary", headers=headers)


# --- administration ----------------------------------------------------------------------


@admin_router.get(
    "/products", response_model=list[ProductRead], summary="All products, inactive too (admin)"
)
async def admin_list_products(
    brand: str, principal: AdminPrincipal, db: DbSession
) -> list[ProductRead]:
    service.ensure_brand_access(principal, brand_slug=brand)
    found = await service.get_brand_or_raise(db, slug=brand)
    items = await service.list_products(db, brand=found, include_inactive=True)
    return [product_read(p, brand_slug=found.slug) for p in items]


@admin_router.put(
    "/products/{product}",
    response_model=ProductRead,
    summary="Create or replace a product with its options, rules and explainers (admin)",
    responses={201: {"model": ProductRead, "description": "The product was created"}},
)
async def admin_put_product(
    brand: str,
    product: str,
    body: ProductUpsert,
    response: Response,
    principal: AdminPrincipal,
    db: DbSession,
    bus: Bus,
) -> ProductRead:
    service.ensure_brand_access(principal, brand_slug=brand)
    if body.slug != product:
        raise AppError(f"The body's slug {body.slug!r} differs from the path's {product!r}.")
    found = await service.get_brand_or_raise(db, slug=brand)
    item, created = await service.upsert(db, brand=found, data=body, bus=bus)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return product_read(item, brand_slug=found.slug)


@admin_router.delete(
    "/products/{product}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a product (admin)",
)
async def admin_delete_product(
    brand: str, product: str, principal: AdminPrincipal, db: DbSession, bus: Bus
) -> Response:
    service.ensure_brand_access(principal, brand_slug=brand)
    found = await service.get_brand_or_raise(db, slug=brand)
    item = await service.get_product_or_raise(db, brand=found, slug=product, include_inactive=True)
    await service.delete(db, brand=found, product=item, bus=bus)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin_router.post(
    "/assets",
    response_model=AssetRead,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a .glb (request body, model/gltf-binary); validated as glTF 2.0 (admin)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"model/gltf-binary": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def admin_upload_asset(
    brand: str,
    request: Request,
    principal: AdminPrincipal,
    db: DbSession,
    settings: SettingsDep,
    label: Annotated[str, Query(max_length=120)] = "",
) -> AssetRead:
    service.ensure_brand_access(principal, brand_slug=brand)
    found = await service.get_brand_or_raise(db, slug=brand)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_ASSET_BYTES:
            raise AppError(
                f"The asset exceeds the limit of {MAX_ASSET_BYTES} bytes.",
                code=CatalogErrorCode.ASSET_TOO_LARGE,
                status=413,
            )
        chunks.append(chunk)
    asset = await assets.store_asset(
        db,
        store=assets.asset_store(settings.data_dir),
        data=b"".join(chunks),
        max_bytes=MAX_ASSET_BYTES,
        brand=found,
        label=label,
    )
    return asset_read(asset)


@admin_router.get("/assets", response_model=list[AssetRead], summary="The brand's assets (admin)")
async def admin_list_assets(
    brand: str, principal: AdminPrincipal, db: DbSession
) -> list[AssetRead]:
    service.ensure_brand_access(principal, brand_slug=brand)
    found = await service.get_brand_or_raise(db, slug=brand)
    return [asset_read(a) for a in await assets.list_assets(db, brand=found)]


@admin_router.post(
    "/import",
    response_model=ImportReport,
    summary="Import products from JSON or CSV; dry_run=true reports without writing (admin)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def admin_import(
    brand: str,
    request: Request,
    principal: AdminPrincipal,
    db: DbSession,
    bus: Bus,
    dry_run: bool = True,
) -> ImportReport:
    service.ensure_brand_access(principal, brand_slug=brand)
    found = await service.get_brand_or_raise(db, slug=brand)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    return await importer.run_import(
        db, brand=found, body=body, content_type=content_type, dry_run=dry_run, bus=bus
    )


@page_router.get("/admin/catalog")
async def admin_page() -> Response:
    return FileResponse(_PAGE_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@page_router.get("/admin/catalog/admin.js")
async def admin_script() -> Response:
    return FileResponse(
        _PAGE_DIR / "admin.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )


routers = [products_router, configure_router, shared_router, admin_router, page_router]
