"""Catalog use cases: products and their configurators, quotes and saved configurations.

Brand isolation: staff may manage only the brands they serve (`Principal.may_act_on`).
Service functions flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.brands.models import Brand
from vitrina.catalog import assets, money
from vitrina.catalog.errors import CatalogErrorCode
from vitrina.catalog.models import Asset, Configuration, Product
from vitrina.catalog.rules import Configurator, Evaluation, UnknownOptions
from vitrina.catalog.schemas import (
    ExplainerIn,
    OptionGroupIn,
    OptionIn,
    ProductUpsert,
    RuleIn,
)
from vitrina.core.errors import AppError, Forbidden, NotFound
from vitrina.core.events import DomainEvent, EventBus
from vitrina.core.security import Principal

_SHARE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: easy to read aloud
SHARE_ID_LENGTH = 10


class ProductChanged(DomainEvent):
    type = "catalog.product_changed"
    brand: str
    product: str
    product_id: str
    deleted: bool = False


class ConfigurationSaved(DomainEvent):
    type = "catalog.configuration_saved"
    brand: str
    product: str
    configuration_id: str
    option_ids: list[str]
    total: str
    currency: str
    # The session that saved it: a visitor's configuration says what they are interested in.
    session_id: str = ""


class InvalidConfigurator(AppError):
    status = 422
    code = CatalogErrorCode.INVALID_CONFIGURATOR


def ensure_brand_access(principal: Principal, *, brand_slug: str) -> None:
    if not principal.may_act_on(brand_slug):
        raise Forbidden(
            f"You do not manage the brand {brand_slug!r}.", code=CatalogErrorCode.BRAND_FORBIDDEN
        )


# --- products ---------------------------------------------------------------------------


async def get_brand_or_raise(db: AsyncSession, *, slug: str) -> Brand:
    return await brands.get_by_slug_or_raise(db, slug=slug)


async def list_products(
    db: AsyncSession, *, brand: Brand, include_inactive: bool = False
) -> list[Product]:
    query = select(Product).where(Product.brand_id == brand.id)
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    return list((await db.execute(query.order_by(Product.position, Product.slug))).scalars())


async def known_slugs(db: AsyncSession, *, brand_id: str, slugs: set[str]) -> set[str] | None:
    """Which of `slugs` are active products of the brand; None when it has no catalog yet."""
    if not slugs:
        return set()
    found = set(
        (
            await db.execute(
                select(Product.slug).where(
                    Product.brand_id == brand_id,
                    Product.slug.in_(sorted(slugs)),
                    Product.active.is_(True),
                )
            )
        ).scalars()
    )
    if found:
        return found
    anything = await db.execute(select(Product.id).where(Product.brand_id == brand_id).limit(1))
    return None if anything.first() is None else found


async def get_product(db: AsyncSession, *, brand: Brand, slug: str) -> Product | None:
    query = select(Product).where(Product.brand_id == brand.id, Product.slug == slug)
    return (await db.execute(query)).scalar_one_or_none()


async def get_product_or_raise(
    db: AsyncSession, *, brand: Brand, slug: str, include_inactive: bool = False
) -> Product:
    product = await get_product(db, brand=brand, slug=slug)
    if product is None or not (product.active or include_inactive):
        raise NotFound(
            f"No product {slug!r} in brand {brand.slug!r}.", code=CatalogErrorCode.PRODUCT_NOT_FOUND
        )
    return product


def configurator_of(product: Product) -> Configurator:
    return Configurator(
        currency=product.currency,
        base_price=money.from_minor(product.base_price_minor, currency=product.currency),
        groups=[OptionGroupIn.model_validate(g) for g in product.option_groups],
        rules=[RuleIn.model_validate(r) for r in product.rules],
    )


def _unique(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise InvalidConfigurator(f"{what} id {item!r} is used twice.", where=what)
        seen.add(item)


async def check_product(db: AsyncSession, *, data: ProductUpsert) -> Configurator:
    """Every reference in a product resolves: options, rules, parts and materials of its twin."""
    base = money.parse_amount(data.base_price, currency=data.currency, field="base_price")
    configurator = Configurator(
        currency=data.currency, base_price=base, groups=data.option_groups, rules=data.rules
    )
    options = [o for g in data.option_groups for o in g.options]
    _unique([g.id for g in data.option_groups], "option group")
    _unique([o.id for o in options], "option")
    _unique([r.id for r in data.rules], "rule")
    _unique([e.id for e in data.explainers], "explainer")
    for rule in data.rules:
        unknown = configurator.unknown([rule.option, *rule.targets])
        if unknown:
            raise InvalidConfigurator(
                f"Rule {rule.id!r} names unknown options: {', '.join(unknown)}.",
                code=CatalogErrorCode.UNKNOWN_OPTION,
                where=f"rules.{rule.id}",
            )
        if rule.option in rule.targets:
            raise InvalidConfigurator(
                f"Rule {rule.id!r} refers its option to itself.", where=f"rules.{rule.id}"
            )
    if data.asset_sha256 is not None:
        asset = await assets.get_asset(db, sha256=data.asset_sha256)
        if asset is None:
            raise InvalidConfigurator(
                f"No uploaded asset {data.asset_sha256}; upload the .glb first.",
                code=CatalogErrorCode.ASSET_NOT_FOUND,
                where="asset_sha256",
            )
        _check_parts(asset, options=options, explainers=data.explainers)
    defaults = [o.id for o in options if o.default]
    evaluation = configurator.evaluate(defaults)
    if not evaluation.valid:
        failure = evaluation.failures[0]
        raise InvalidConfigurator(
            f"The default options break {failure.rule_id}: {failure.messages['en']}",
            where="default",
        )
    return configurator


def _check_parts(
    asset: Asset, *, options: Sequence[OptionIn], explainers: Sequence[ExplainerIn]
) -> None:
    nodes, materials = set(asset.nodes), set(asset.materials)
    for option in options:
        for effect in option.effects:
            if effect.kind == "material_color":
                wanted, known, kind = [effect.target], materials, "material"
            else:
                wanted, known, kind = [effect.target], nodes, "node"
                if effect.kind == "part_swap":
                    wanted.append(str(effect.value))
            for name in wanted:
                if name not in known:
                    raise InvalidConfigurator(
                        f"Option {option.id!r}: the twin has no {kind} {name!r}.",
                        code=CatalogErrorCode.UNKNOWN_PART,
                        where=f"options.{option.id}.effects",
                    )
    for explainer in explainers:
        if explainer.part not in nodes:
            raise InvalidConfigurator(
                f"Explainer {explainer.id!r}: the twin has no node {explainer.part!r}.",
                code=CatalogErrorCode.UNKNOWN_PART,
                where=f"explainers.{explainer.id}",
            )


def stored_fields(data: ProductUpsert) -> dict[str, object]:
    base = money.parse_amount(data.base_price, currency=data.currency, field="base_price")
    groups = []
    for group in data.option_groups:
        dumped = group.model_dump(mode="json")
        for option, raw in zip(group.options, dumped["options"], strict=True):
            delta = money.parse_amount(option.price_delta, currency=data.currency)
            raw["price_delta"] = str(delta)
        groups.append(dumped)
    return {
        "name": data.name.model_dump(),
        "description": data.description.model_dump(),
        "currency": data.currency,
        "base_price_minor": money.to_minor(base, currency=data.currency),
        "stock": data.stock,
        "active": data.active,
        "position": data.position,
        "asset_sha256": data.asset_sha256,
        "option_groups": groups,
        "rules": [r.model_dump(mode="json") for r in data.rules],
        "explainers": [e.model_dump(mode="json") for e in data.explainers],
    }


def differs(product: Product, data: ProductUpsert) -> bool:
    return any(getattr(product, k) != v for k, v in stored_fields(data).items())


async def upsert(
    db: AsyncSession, *, brand: Brand, data: ProductUpsert, bus: EventBus | None = None
) -> tuple[Product, bool]:
    """Creates or replaces the product `data.slug` of `brand`; returns (product, created)."""
    await check_product(db, data=data)
    fields = stored_fields(data)
    product = await get_product(db, brand=brand, slug=data.slug)
    created = product is None
    if product is None:
        product = Product(brand_id=brand.id, slug=data.slug, **fields)
        db.add(product)
    else:
        for key, value in fields.items():
            setattr(product, key, value)
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(
            db, ProductChanged(brand=brand.slug, product=product.slug, product_id=product.id)
        )
    return product, created


async def delete(
    db: AsyncSession, *, brand: Brand, product: Product, bus: EventBus | None = None
) -> None:
    await db.delete(product)
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(
            db,
            ProductChanged(
                brand=brand.slug, product=product.slug, product_id=product.id, deleted=True
            ),
        )


# --- quotes and configurations ---------------------------------------------------------


def quote(product: Product, *, option_ids: Sequence[str]) -> Evaluation:
    try:
        return configurator_of(product).evaluate(option_ids)
    except UnknownOptions as exc:
        raise AppError(
            f"Unknown options for {product.slug!r}: {', '.join(exc.option_ids)}.",
            code=CatalogErrorCode.UNKNOWN_OPTION,
            status=422,
            option_ids=exc.option_ids,
        ) from None


def breakdown_of(evaluation: Evaluation) -> dict[str, object]:
    return {
        "base": str(evaluation.base),
        "options": [{"id": o, "amount": str(a)} for o, a in evaluation.lines],
        "total": str(evaluation.total),
        "currency": evaluation.currency,
    }


def violations_of(evaluation: Evaluation, *, locale: str) -> list[dict[str, object]]:
    return [
        {
            "rule_id": f.rule_id,
            "kind": f.kind,
            "option_ids": list(f.option_ids),
            "message": f.messages[locale],
            "messages": f.messages,
        }
        for f in evaluation.failures
    ]


async def create_configuration(
    db: AsyncSession,
    *,
    brand: Brand,
    product: Product,
    option_ids: Sequence[str],
    locale: str,
    created_by: str,
    bus: EventBus | None = None,
) -> Configuration:
    evaluation = quote(product, option_ids=option_ids)
    if not evaluation.valid:
        raise AppError(
            "This combination of options is not possible: "
            + " ".join(f.messages[locale] for f in evaluation.failures),
            code=CatalogErrorCode.CONFIGURATION_INVALID,
            status=422,
            violations=violations_of(evaluation, locale=locale),
        )
    config = Configuration(
        id="".join(secrets.choice(_SHARE_ALPHABET) for _ in range(SHARE_ID_LENGTH)),
        product_id=product.id,
        option_ids=list(evaluation.option_ids),
        breakdown=breakdown_of(evaluation),
        created_by=created_by,
    )
    db.add(config)
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(
            db,
            ConfigurationSaved(
                brand=brand.slug,
                product=product.slug,
                configuration_id=config.id,
                option_ids=config.option_ids,
                total=str(evaluation.total),
                currency=evaluation.currency,
                session_id=created_by,
            ),
        )
    return config


async def get_configuration_or_raise(
    db: AsyncSession, *, configuration_id: str
) -> tuple[Configuration, Product, Brand]:
    config = await db.get(Configuration, configuration_id)
    product = await db.get(Product, config.product_id) if config is not None else None
    brand = await brands.get(db, brand_id=product.brand_id) if product is not None else None
    if config is None or product is None or brand is None:
        raise NotFound(
            f"No configuration {configuration_id!r}.",
            code=CatalogErrorCode.CONFIGURATION_NOT_FOUND,
        )
    return config, product, brand


# --- for other domains -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One explainer step in one language, e.g. for the bot to speak."""

    part: str
    title: str
    text: str


async def explainers(
    db: AsyncSession, *, brand_slug: str, product_slug: str, locale: str
) -> list[Hotspot]:
    """A product's explainers in display order, in `locale` (English if unknown)."""
    brand = await get_brand_or_raise(db, slug=brand_slug)
    product = await get_product_or_raise(db, brand=brand, slug=product_slug)
    steps = [ExplainerIn.model_validate(e) for e in product.explainers]
    return [Hotspot(s.part, s.title.get(locale), s.text.get(locale)) for s in steps]
