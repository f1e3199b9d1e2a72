"""Brands: the tenants of an installation, with their storefront layout and content."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.brands.schemas import BrandCreate, BrandUpdate, StoreLayout
from vitrina.core.db import new_id
from vitrina.core.errors import AppError, Conflict, NotFound
from vitrina.core.events import DomainEvent, EventBus


class BrandChanged(DomainEvent):
    type = "brand.changed"
    slug: str


def _check_timezone(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise AppError(f"Unknown time zone {tz!r}.", code="invalid_timezone") from None


_SLUG_IDS = "vitrina.brands.slug_ids"


async def get_by_slug(db: AsyncSession, *, slug: str) -> Brand | None:
    """The brand with this slug. Within one session (a request) it is read once: the
    session remembers which id the slug named and finds the row in its identity map
    (`db.get` reads it again only if it was expired, e.g. after a rollback), so the
    brand's own changes in the session are seen and nothing outlives the request."""
    ids: dict[str, str] = db.info.setdefault(_SLUG_IDS, {})
    known = ids.get(slug)
    if known is not None:
        brand = await db.get(Brand, known)
        if brand is not None and brand.slug == slug:
            return brand
    brand = (await db.execute(select(Brand).where(Brand.slug == slug))).scalar_one_or_none()
    if brand is not None:
        ids[slug] = brand.id
    return brand


async def get(db: AsyncSession, *, brand_id: str) -> Brand | None:
    brand = await db.get(Brand, brand_id)
    if brand is not None:
        db.info.setdefault(_SLUG_IDS, {})[brand.slug] = brand.id
    return brand


async def get_by_slug_or_raise(db: AsyncSession, *, slug: str) -> Brand:
    brand = await get_by_slug(db, slug=slug)
    if brand is None:
        raise NotFound(f"No brand {slug!r}.", code="brand_not_found")
    return brand


async def require_existing(db: AsyncSession, *, slugs: list[str]) -> None:
    """Refuse slugs of brands that do not exist, e.g. a typo when granting a brand."""
    wanted = set(slugs)
    if not wanted:
        return
    found = set((await db.execute(select(Brand.slug).where(Brand.slug.in_(wanted)))).scalars())
    unknown = sorted(wanted - found)
    if unknown:
        shown = ", ".join(repr(s[:64]) for s in unknown[:5])
        raise AppError(f"No brand {shown}.", code="unknown_brand", status=422, unknown=unknown[:5])


async def list_brands(db: AsyncSession) -> list[Brand]:
    return list((await db.execute(select(Brand).order_by(Brand.slug))).scalars())


async def create(db: AsyncSession, *, data: BrandCreate, bus: EventBus | None = None) -> Brand:
    if await get_by_slug(db, slug=data.slug) is not None:
        raise Conflict(f"Brand {data.slug!r} already exists.", code="brand_exists")
    _check_timezone(data.timezone)
    brand = Brand(
        id=new_id(),
        slug=data.slug,
        name=data.name,
        default_locale=data.default_locale,
        locales=[*data.locales],
        timezone=data.timezone,
        content={k: dict(v) for k, v in data.content.items()},
        layout=data.layout.model_dump(mode="json"),
        theme=dict(data.theme),
    )
    db.add(brand)
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(db, BrandChanged(slug=brand.slug))
    return brand


async def update(
    db: AsyncSession, *, brand: Brand, data: BrandUpdate, bus: EventBus | None = None
) -> Brand:
    if data.name is not None:
        brand.name = data.name
    if data.locales is not None:
        brand.locales = [*data.locales]
    if data.timezone is not None:
        _check_timezone(data.timezone)
        brand.timezone = data.timezone
    if data.content is not None:
        brand.content = {k: dict(v) for k, v in data.content.items()}
    if data.layout is not None:
        brand.layout = data.layout.model_dump(mode="json")
    if data.theme is not None:
        brand.theme = dict(data.theme)
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(db, BrandChanged(slug=brand.slug))
    return brand


def layout_of(brand: Brand) -> StoreLayout:
    return StoreLayout.model_validate(brand.layout)
