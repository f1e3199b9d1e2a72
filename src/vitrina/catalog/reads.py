"""Stored rows to API shapes (schemas.*Read)."""

from __future__ import annotations

from vitrina.catalog import money
from vitrina.catalog.assets import asset_url
from vitrina.catalog.models import Asset, Configuration, Product
from vitrina.catalog.rules import Configurator
from vitrina.catalog.schemas import (
    AssetRead,
    Breakdown,
    ConfigurationRead,
    EffectRead,
    ExplainerIn,
    ExplainerRead,
    Money,
    OptionGroupIn,
    OptionGroupRead,
    OptionRead,
    ProductRead,
    RuleIn,
    RuleRead,
    Text,
)


def product_read(product: Product, *, brand_slug: str) -> ProductRead:
    currency = product.currency
    groups = [OptionGroupIn.model_validate(g) for g in product.option_groups]
    rules = [RuleIn.model_validate(r) for r in product.rules]
    configurator = Configurator(
        currency=currency,
        base_price=money.from_minor(product.base_price_minor, currency=currency),
        groups=groups,
        rules=rules,
    )
    hidden: list[str] = []
    for group in groups:
        for option in group.options:
            for effect in option.effects:
                if effect.kind == "part_swap":
                    hidden.append(str(effect.value))
                elif effect.kind == "visibility" and effect.value is True:
                    hidden.append(effect.target)
    return ProductRead(
        id=product.id,
        brand=brand_slug,
        slug=product.slug,
        name=Text.model_validate(product.name),
        description=Text.model_validate(product.description),
        base_price=Money(amount=str(configurator.base_price), currency=currency),
        stock=product.stock,
        active=product.active,
        position=product.position,
        asset_sha256=product.asset_sha256,
        asset_url=asset_url(product.asset_sha256) if product.asset_sha256 else None,
        option_groups=[
            OptionGroupRead(
                id=g.id,
                name=g.name,
                min_choices=g.min_choices,
                max_choices=g.max_choices,
                options=[
                    OptionRead(
                        id=o.id,
                        group=g.id,
                        name=o.name,
                        description=o.description,
                        price_delta=Money(amount=str(configurator.deltas[o.id]), currency=currency),
                        default=o.default,
                        effects=[EffectRead(**e.model_dump()) for e in o.effects],
                    )
                    for o in g.options
                ],
            )
            for g in groups
        ],
        default_option_ids=[o.id for g in groups for o in g.options if o.default],
        hidden_parts=list(dict.fromkeys(hidden)),
        rules=[
            RuleRead(
                id=r.id,
                kind=r.kind,
                option=r.option,
                targets=r.targets,
                message=r.message,
                explanation=r.message or Text.model_validate(configurator.explain(r.id)),
            )
            for r in rules
        ],
        explainers=[
            ExplainerRead(order=i, **ExplainerIn.model_validate(e).model_dump())
            for i, e in enumerate(product.explainers)
        ],
        updated_at=product.updated_at,
    )


def configuration_read(
    config: Configuration, *, product: Product, brand_slug: str
) -> ConfigurationRead:
    return ConfigurationRead(
        id=config.id,
        brand=brand_slug,
        product=product.slug,
        product_id=product.id,
        option_ids=list(config.option_ids),
        breakdown=Breakdown.model_validate(config.breakdown),
        created_at=config.created_at,
    )


def asset_read(asset: Asset) -> AssetRead:
    return AssetRead(
        sha256=asset.sha256,
        url=asset_url(asset.sha256),
        byte_size=asset.byte_size,
        label=asset.label,
        nodes=list(asset.nodes),
        materials=list(asset.materials),
        created_at=asset.created_at,
    )
