from __future__ import annotations

from fastapi import APIRouter, Depends, status

from vitrina.api.deps import PUBLIC, SUPERADMIN, AdminPrincipal, Bus, DbSession, check_brand
from vitrina.brands import service
from vitrina.brands.schemas import BrandCreate, BrandRead, BrandUpdate

public_router = APIRouter(prefix="/api/brands", tags=["brands"], dependencies=[Depends(PUBLIC)])
admin_router = APIRouter(prefix="/api/admin/brands", tags=["admin"])


@public_router.get(
    "", response_model=list[BrandRead], summary="List brands and their storefronts (public)"
)
async def list_brands(db: DbSession) -> list[BrandRead]:
    return [BrandRead.model_validate(b) for b in await service.list_brands(db)]


@public_router.get(
    "/{slug}", response_model=BrandRead, summary="A brand's storefront layout and content (public)"
)
async def read_brand(slug: str, db: DbSession) -> BrandRead:
    return BrandRead.model_validate(await service.get_by_slug_or_raise(db, slug=slug))


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
