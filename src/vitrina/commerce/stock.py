"""Stock per product or per built configuration, with reservations that expire.

Available = on hand - units held by active, unexpired reservations. Reserving locks the
stock rows first (an UPDATE of each row, in primary-key order: a row lock on PostgreSQL,
the write turn on SQLite), so two checkouts of the last unit are serialised and exactly
one wins. Paying consumes the reservation (on hand goes down); cancelling or expiry
releases it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from vitrina.catalog.models import Product
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.models import Reservation, StockItem
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict

# A hold that ends sooner than this is checked under the lock before it is consumed.
_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Need:
    product: Product
    configuration_id: str
    quantity: int


async def stock_row(db: AsyncSession, *, product: Product, configuration_id: str) -> StockItem:
    """The configuration's own stock when the brand set one, else the product's (created
    from the catalog's stock figure the first time it is needed)."""
    rows = (
        await db.execute(
            select(StockItem).where(
                StockItem.product_id == product.id,
                StockItem.configuration_id.in_([configuration_id, ""]),
            )
        )
    ).scalars()
    found = {r.configuration_id: r for r in rows}
    if configuration_id in found:
        return found[configuration_id]
    if "" in found:
        return found[""]
    row = StockItem(
        id=new_id(),
        brand_id=product.brand_id,
        product_id=product.id,
        configuration_id="",
        on_hand=product.stock,
    )
    try:
        async with db.begin_nested():
            db.add(row)
            await db.flush()
    except IntegrityError:
        # Another checkout created it first: use theirs.
        return (
            await db.execute(
                select(StockItem).where(
                    StockItem.product_id == product.id, StockItem.configuration_id == ""
                )
            )
        ).scalar_one()
    return row


async def held(db: AsyncSession, *, stock_id: str, now: datetime | None = None) -> int:
    now = now or utcnow()
    total = await db.scalar(
        select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
            Reservation.stock_id == stock_id,
            Reservation.state == "active",
            Reservation.expires_at > now,
        )
    )
    return int(total or 0)


async def available(db: AsyncSession, *, product: Product, configuration_id: str = "") -> int:
    row = await stock_row(db, product=product, configuration_id=configuration_id)
    return row.on_hand - await held(db, stock_id=row.id)


async def on_sale(
    db: AsyncSession, *, brand_id: str, slugs: Sequence[str] | None = None
) -> set[str]:
    """Which of the brand's active products (all, or those of `slugs`) can be bought now:
    units of the product itself available (its stock row, on hand less live holds, or
    the catalog's figure before it has one), or a built configuration available. One
    query, for recommendations and the like."""
    if slugs is not None and not slugs:
        return set()
    now = utcnow()
    holds = (
        select(Reservation.stock_id, func.sum(Reservation.quantity).label("held"))
        .where(Reservation.state == "active", Reservation.expires_at > now)
        .group_by(Reservation.stock_id)
        .subquery()
    )
    query = (
        select(
            Product.slug,
            Product.stock,
            StockItem.configuration_id,
            StockItem.on_hand - func.coalesce(holds.c.held, 0),
        )
        .outerjoin(StockItem, StockItem.product_id == Product.id)
        .outerjoin(holds, holds.c.stock_id == StockItem.id)
        .where(Product.brand_id == brand_id, Product.active.is_(True))
    )
    if slugs is not None:
        query = query.where(Product.slug.in_(sorted(set(slugs))))
    generic: dict[str, int] = {}
    built: set[str] = set()
    for slug, catalog_stock, configuration_id, free in await db.execute(query):
        if configuration_id is None:  # no stock row yet: the catalog's figure
            generic.setdefault(slug, int(catalog_stock))
        elif configuration_id == "":
            generic[slug] = int(free)
        else:
            generic.setdefault(slug, int(catalog_stock))
            if free > 0:
                built.add(slug)
    return {slug for slug, free in generic.items() if free > 0} | built


async def lock(db: AsyncSession, stock_ids: Sequence[str]) -> dict[str, int]:
    """Lock the rows (in key order) and read what is on hand, in one statement each."""
    on_hand: dict[str, int] = {}
    for stock_id in sorted(set(stock_ids)):
        found = await db.scalar(
            update(StockItem)
            .where(StockItem.id == stock_id)
            .values(lock_version=StockItem.lock_version + 1)
            .returning(StockItem.on_hand)
        )
        if found is not None:
            on_hand[stock_id] = int(found)
    return on_hand


async def reserve(
    db: AsyncSession, *, order_id: str, needs: Sequence[Need], expires_at: datetime
) -> list[Reservation]:
    rows = [
        await stock_row(db, product=n.product, configuration_id=n.configuration_id) for n in needs
    ]
    on_hand = await lock(db, [r.id for r in rows])
    wanted: dict[str, int] = {}
    for row, need in zip(rows, needs, strict=True):
        wanted[row.id] = wanted.get(row.id, 0) + need.quantity
    for row, need in zip(rows, needs, strict=True):
        # What the lock read, kept as the row's committed value (not a change to write).
        set_committed_value(row, "on_hand", on_hand[row.id])
        free = row.on_hand - await held(db, stock_id=row.id)
        if wanted[row.id] > free:
            raise Conflict(
                f"{need.product.slug} is out of stock ({max(free, 0)} left).",
                code=CommerceErrorCode.OUT_OF_STOCK,
                product=need.product.slug,
                available=max(free, 0),
            )
    made = [
        Reservation(
            id=new_id(),
            stock_id=row.id,
            order_id=order_id,
            quantity=need.quantity,
            expires_at=expires_at,
        )
        for row, need in zip(rows, needs, strict=True)
    ]
    db.add_all(made)
    await db.flush()
    return made


async def consume(db: AsyncSession, *, order_id: str) -> bool:
    """Turn the order's reservations into sold units. An expired reservation is honoured
    when the units are still free; False when they went to somebody else meanwhile."""
    reservations = list(
        (
            await db.execute(
                select(Reservation).where(
                    Reservation.order_id == order_id, Reservation.state == "active"
                )
            )
        ).scalars()
    )
    now = utcnow()
    if all(r.expires_at > now + _MARGIN for r in reservations):
        # Every hold still stands (and will for longer than this transaction takes):
        # the units are ours, nobody else counted them. Lock and take them in one
        # statement per stock row, in key order.
        taken: dict[str, int] = {}
        for r in reservations:
            taken[r.stock_id] = taken.get(r.stock_id, 0) + r.quantity
        for stock_id in sorted(taken):
            await db.execute(
                update(StockItem)
                .where(StockItem.id == stock_id)
                .values(
                    on_hand=StockItem.on_hand - taken[stock_id],
                    lock_version=StockItem.lock_version + 1,
                )
            )
        await _consumed(db, reservations)
        return True
    await lock(db, [r.stock_id for r in reservations])
    now = utcnow()
    for r in reservations:
        if r.expires_at <= now:
            item = await db.get(StockItem, r.stock_id)
            assert item is not None
            await db.refresh(item, ["on_hand"])
            if item.on_hand - await held(db, stock_id=r.stock_id, now=now) < r.quantity:
                return False
    for r in reservations:
        await db.execute(
            update(StockItem)
            .where(StockItem.id == r.stock_id)
            .values(on_hand=StockItem.on_hand - r.quantity)
        )
        r.state = "consumed"
    await db.flush()
    return True


async def _consumed(db: AsyncSession, reservations: Sequence[Reservation]) -> None:
    """Mark them consumed in one statement, without flushing the caller's other changes
    (the order's, written once with its new state)."""
    if not reservations:
        return
    await db.execute(
        update(Reservation)
        .where(Reservation.id.in_([r.id for r in reservations]))
        .values(state="consumed")
        .execution_options(synchronize_session=False)
    )
    for r in reservations:
        set_committed_value(r, "state", "consumed")


async def release(db: AsyncSession, *, order_id: str) -> None:
    await db.execute(
        update(Reservation)
        .where(Reservation.order_id == order_id, Reservation.state == "active")
        .values(state="released")
    )


async def set_on_hand(
    db: AsyncSession, *, product: Product, configuration_id: str, on_hand: int
) -> StockItem:
    row = (
        await db.execute(
            select(StockItem).where(
                StockItem.product_id == product.id,
                StockItem.configuration_id == configuration_id,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        row = StockItem(
            id=new_id(),
            brand_id=product.brand_id,
            product_id=product.id,
            configuration_id=configuration_id,
            on_hand=on_hand,
        )
        db.add(row)
    else:
        row.on_hand = on_hand
    await db.flush()
    return row
