"""Carts of a guest session (verified as a customer or not), priced from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.catalog import money
from vitrina.catalog import service as catalog
from vitrina.catalog.models import Product
from vitrina.commerce import rules as brand_rules
from vitrina.commerce import stock
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.models import BrandRules, Cart, CartItem
from vitrina.commerce.pricing import LineAmounts, line_amounts
from vitrina.core.db import new_id
from vitrina.core.errors import AppError, Conflict, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import verification

MAX_QUANTITY = 20
_CUSTOMERS = "vitrina.commerce.carts.customers"


@dataclass(frozen=True, slots=True)
class PricedLine:
    item: CartItem
    product: Product
    option_ids: list[str]
    breakdown: dict[str, object]
    amounts: LineAmounts
    phygital: bool
    available: int


@dataclass(frozen=True, slots=True)
class PricedCart:
    cart: Cart
    brand: Brand
    rules: BrandRules
    lines: list[PricedLine]
    currency: str | None
    net: Decimal
    tax: Decimal
    total: Decimal

    @property
    def deposit(self) -> Decimal | None:
        if self.rules.deposit_minor is None or self.currency is None:
            return None
        return min(money.from_minor(self.rules.deposit_minor, currency=self.currency), self.total)


async def customer_of(db: AsyncSession, *, principal: Principal, brand: Brand) -> str | None:
    """The customer the guest session has proved to be on this brand, if any. Asked once
    per session (a request): a commerce request does not change who the caller is."""
    known: dict[tuple[str, str], str | None] = db.info.setdefault(_CUSTOMERS, {})
    key = (principal.session_id, brand.id)
    if key not in known:
        known[key] = await verification.verified_customer(
            db, principal=principal, brand_id=brand.id
        )
    return known[key]


def not_found(cart_id: str) -> NotFound:
    return NotFound(f"No cart {cart_id}.", code=CommerceErrorCode.CART_NOT_FOUND)


async def create(db: AsyncSession, *, principal: Principal, brand: Brand) -> Cart:
    cart = Cart(
        id=new_id(),
        brand_id=brand.id,
        session_id=principal.session_id,
        customer_id=await customer_of(db, principal=principal, brand=brand),
    )
    db.add(cart)
    await db.flush()
    return cart


async def get_own_or_raise(
    db: AsyncSession, *, principal: Principal, brand: Brand, cart_id: str
) -> Cart:
    """A cart belongs to the guest session that made it; anyone else is told it does not
    exist (no hint that it does)."""
    cart = await db.get(Cart, cart_id)
    if cart is None or cart.brand_id != brand.id or cart.session_id != principal.session_id:
        raise not_found(cart_id)
    return cart


def _open(cart: Cart) -> None:
    if cart.status != "open":
        raise Conflict(
            "This cart was checked out; start a new one.", code=CommerceErrorCode.CART_CLOSED
        )


async def add_item(
    db: AsyncSession,
    *,
    principal: Principal,
    brand: Brand,
    cart: Cart,
    configuration_id: str | None,
    product_slug: str | None,
    option_ids: list[str],
    quantity: int,
    locale: str,
    bus: EventBus | None,
) -> CartItem:
    _open(cart)
    if configuration_id is None:
        if product_slug is None:
            raise AppError("Name a configuration_id, or a product with its option_ids.")
        product = await catalog.get_product_or_raise(db, brand=brand, slug=product_slug)
        config = await catalog.create_configuration(
            db,
            brand=brand,
            product=product,
            option_ids=option_ids,
            locale=locale,
            created_by=principal.session_id,
            bus=bus,
        )
    else:
        config, product, owner = await catalog.get_configuration_or_raise(
            db, configuration_id=configuration_id
        )
        if owner.id != brand.id:
            raise catalog_not_found(configuration_id)
        if not product.active:
            raise AppError(
                f"{product.slug} is no longer sold.",
                code=CommerceErrorCode.NOT_PURCHASABLE,
                status=422,
            )
    if cart.currency is not None and cart.currency != product.currency:
        raise AppError(
            f"The cart is in {cart.currency}; {product.slug} is priced in {product.currency}.",
            code=CommerceErrorCode.CURRENCY_MISMATCH,
            status=422,
        )
    existing = (
        await db.execute(
            select(CartItem).where(
                CartItem.cart_id == cart.id, CartItem.configuration_id == config.id
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        existing.quantity = min(existing.quantity + quantity, MAX_QUANTITY)
        item = existing
    else:
        item = CartItem(
            id=new_id(),
            cart_id=cart.id,
            product_id=product.id,
            configuration_id=config.id,
            quantity=quantity,
        )
        db.add(item)
    cart.currency = product.currency
    await db.flush()
    return item


def catalog_not_found(configuration_id: str) -> NotFound:
    return NotFound(
        f"No configuration {configuration_id!r} in this brand.",
        code="configuration_not_found",
    )


async def set_quantity(db: AsyncSession, *, cart: Cart, item_id: str, quantity: int) -> None:
    _open(cart)
    item = await db.get(CartItem, item_id)
    if item is None or item.cart_id != cart.id:
        raise NotFound(
            f"No item {item_id} in this cart.", code=CommerceErrorCode.CART_ITEM_NOT_FOUND
        )
    if quantity == 0:
        await db.delete(item)
    else:
        item.quantity = quantity
    await db.flush()
    if not await items_of(db, cart=cart):
        cart.currency = None
        await db.flush()


async def items_of(db: AsyncSession, *, cart: Cart) -> list[CartItem]:
    rows = await db.execute(
        select(CartItem)
        .where(CartItem.cart_id == cart.id)
        .order_by(CartItem.created_at, CartItem.id)
    )
    return list(rows.scalars())


async def price(
    db: AsyncSession, *, brand: Brand, cart: Cart, locale: str = "en", stock_levels: bool = True
) -> PricedCart:
    """The cart at today's catalog prices, with tax per the brand's rule. `stock_levels`:
    say how many units are available (a checkout does not: it reserves, under a lock)."""
    rules = await brand_rules.get(db, brand=brand)
    rule = brand_rules.tax_rule(rules)
    lines: list[PricedLine] = []
    for item in await items_of(db, cart=cart):
        config, product, _ = await catalog.get_configuration_or_raise(
            db, configuration_id=item.configuration_id
        )
        evaluation = catalog.quote(product, option_ids=config.option_ids)
        if not evaluation.valid:
            raise AppError(
                f"The configuration {config.id} of {product.slug} is no longer possible: "
                + " ".join(f.messages[locale] for f in evaluation.failures),
                code="configuration_invalid",
                status=422,
            )
        amounts = line_amounts(
            evaluation.total, quantity=item.quantity, currency=product.currency, rule=rule
        )
        lines.append(
            PricedLine(
                item=item,
                product=product,
                option_ids=list(evaluation.option_ids),
                breakdown=catalog.breakdown_of(evaluation),
                amounts=amounts,
                phygital=product.slug in rules.phygital_products,
                available=await stock.available(db, product=product, configuration_id=config.id)
                if stock_levels
                else 0,
            )
        )
    zero = Decimal(0)
    return PricedCart(
        cart=cart,
        brand=brand,
        rules=rules,
        lines=lines,
        currency=cart.currency,
        net=sum((line.amounts.net for line in lines), zero),
        tax=sum((line.amounts.tax for line in lines), zero),
        total=sum((line.amounts.total for line in lines), zero),
    )
