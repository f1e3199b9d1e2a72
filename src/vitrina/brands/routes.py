from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from vitrina.api.deps import PUBLIC, SUPERADMIN, AdminPrincipal, Bus, DbSession, check_brand
from vitrina.brands import service
from vitrina.brands.schemas import BrandCreate, BrandRead, BrandUpdate
from vitrina.core.components import components_of
from vitrina.core.readcache import NOT_MODIFIED, ReadCache

public_router = APIRouter(prefix="/api/brands", tags=["brands"], dependencies=[Depends(PUBLIC)])
admin_router = APIRouter(prefix="/api/admin/brands", tags=["admin"])


@public_router.get(
    "",
    response_model=list[BrandRead],
    summary="List brands and their storefronts (public; ETag, cached)",
    responses=NOT_MODIFIED,
)
async def list_brands(request: Request, db: DbSession) -> Response:
    async def build() -> list[BrandRead]:
        return [BrandRead.model_validate(b) for b in await service.list_brands(db)]

    return await components_of(request).get(ReadCache).respond(request, request.url.path, build)


@public_router.get(
    "/{slug}",
    response_model=BrandRead,
    summary="A brand's storefront layout and content (public; ETag, cached)",
    responses=NOT_MODIFIED,
)
async def read_brand(slug: str, request: Request, db: DbSession) -> Response:
    async def build() -> BrandRead:
        return BrandRead.model_validate(await service.get_by_slug_or_raise(db, slug=slug))

    return await components_of(request).get(ReadCache).respond(request, request.url.path, build)


@admin_router.post(
    "",
    response_model=BrandRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a brand (super-admin)",
    dependencies=[Depends(SUPERADMIN)],
)
async def create_brand(body: BrandCreate, db: DbSession, bus: Bus) -> BrandRead:
    return BrandRead.model_validate(await service.create(db, data=body, bus=bus))


@admin_router.patch(
    "/{slug}", response_model=BrandRead, summary="Update a brand (admin of the brand)"
)
async def update_brand(
    slug: str, body: BrandUpdate, db: DbSession, bus: Bus, principal: AdminPrincipal
) -> BrandRead:
    check_brand(principal, slug)
    brand = await service.get_by_slug_or_raise(db, slug=slug)
    return BrandRead.model_validate(await service.update(db, brand=brand, data=body, bus=bus))


routers = [public_router, admin_router]
