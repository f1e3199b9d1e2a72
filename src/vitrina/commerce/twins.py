"""Phygital twins: a digital token paired with one physical unit by its serial.

A paid order mints one twin per phygital unit, owned by the customer who bought it.
The owner may transfer it to another customer of the brand with a fresh signature by one
of their keys (see proofs.py). Redeeming either side ends the pair: the physical unit
handed over at the dealer (staff, by serial) retires the token; the token redeemed by its
owner (with a signature) marks the unit as claimed. A redeemed twin can be neither
transferred nor redeemed again. Every mint, transfer and redemption is a ledger entry.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.commerce import journal, proofs
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.events import TwinChanged
from vitrina.commerce.models import Order, OrderLine, Twin, TwinStatus
from vitrina.core.config import Settings
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm.identifiers import IdentityKind, InvalidIdentifier, normalise

_SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def _serial(brand: Brand, product_slug: str) -> str:
    prefix = "".join(c for c in brand.slug.upper() if c.isalpha())[:3]
    words = product_slug.upper().split("-")
    if len(words) > 1 and words[0] == brand.slug.upper().split("-")[0]:
        words = words[1:]  # "aurora-e1" of Aurora Motors is the E1
    model = "".join(c for c in "".join(words) if c.isalnum())[:4]
    return f"{prefix}-{model}-" + "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(8))


def _not_found(twin_id: str) -> NotFound:
    return NotFound(f"No twin {twin_id}.", code=CommerceErrorCode.TWIN_NOT_FOUND)


async def _event(
    db: AsyncSession,
    bus: EventBus | None,
    brand: Brand,
    twin: Twin,
    *,
    action: str,
    customer_id: str,
    summary: str,
) -> None:
    if bus is not None:
        bus.publish_on_commit(
            db,
            TwinChanged(
                brand=brand.slug,
                customer_id=customer_id,
                summary=summary,
                twin_id=twin.id,
                action=action,
                product=twin.product_slug,
                serial=twin.serial,
            ),
        )


async def mint_for_order(
    db: AsyncSession, *, bus: EventBus | None, brand: Brand, order: Order
) -> list[Twin]:
    if order.customer_id is None:
        return []
    lines = (
        await db.execute(
            select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.phygital.is_(True))
        )
    ).scalars()
    minted: list[Twin] = []
    for line in lines:
        for _ in range(line.quantity):
            twin = Twin(
                id=new_id(),
                brand_id=brand.id,
                token=secrets.token_hex(16),
                product_id=line.product_id,
                product_slug=line.product_slug,
                product_title=line.product_title,
                configuration_id=line.configuration_id,
                serial=_serial(brand, line.product_slug),
                owner_id=order.customer_id,
                order_id=order.id,
                status=TwinStatus.ACTIVE,
                minted_at=utcnow(),
            )
            db.add(twin)
            await db.flush()
            await journal.record(
                db,
                brand=brand.slug,
                kind="twin.minted",
                facts={
                    "twin": twin.id,
                    "token": twin.token,
                    "product": twin.product_slug,
                    "configuration": twin.configuration_id,
                    "serial": twin.serial,
                    "order": order.id,
                },
                subjects={"owner": twin.owner_id},
            )
            await _event(
                db,
                bus,
                brand,
                twin,
                action="minted",
                customer_id=twin.owner_id,
                summary=f"Received the digital twin of {twin.product_title} ({twin.serial})",
            )
            minted.append(twin)
    return minted


async def garage(db: AsyncSession, *, brand: Brand, owner_id: str) -> list[Twin]:
    rows = await db.execute(
        select(Twin)
        .where(Twin.brand_id == brand.id, Twin.owner_id == owner_id)
        .order_by(Twin.minted_at.desc())
    )
    return list(rows.scalars())


async def of_order(db: AsyncSession, *, order: Order) -> list[Twin]:
    rows = await db.execute(select(Twin).where(Twin.order_id == order.id).order_by(Twin.serial))
    return list(rows.scalars())


async def get_or_raise(db: AsyncSession, *, brand: Brand, twin_id: str) -> Twin:
    twin = await db.get(Twin, twin_id)
    if twin is None or twin.brand_id != brand.id:
        raise _not_found(twin_id)
    return twin


async def get_owned_or_raise(
    db: AsyncSession, *, brand: Brand, twin_id: str, customer_id: str
) -> Twin:
    twin = await get_or_raise(db, brand=brand, twin_id=twin_id)
    if twin.owner_id != customer_id:
        raise _not_found(twin_id)
    return twin


def _active(twin: Twin) -> None:
    if twin.status != TwinStatus.ACTIVE:
        raise Conflict(
            f"The twin {twin.serial} was redeemed ({twin.redeemed_side}); it is retired.",
            code=CommerceErrorCode.TWIN_RETIRED,
        )


async def recipient_of(db: AsyncSession, *, brand: Brand, kind: str, value: str) -> str:
    """The customer an identifier (email, wallet, DID) names at the brand."""
    try:
        identifier = normalise(IdentityKind(kind), value)
    except (InvalidIdentifier, ValueError):
        raise NotFound(
            "No customer of this brand has that identifier.",
            code=CommerceErrorCode.RECIPIENT_NOT_FOUND,
        ) from None
    found = await crm.find_identity(db, brand_id=brand.id, identifier=identifier)
    if found is None:
        raise NotFound(
            "No customer of this brand has that identifier.",
            code=CommerceErrorCode.RECIPIENT_NOT_FOUND,
        )
    root = await crm.root_of(db, await crm.get_or_raise(db, customer_id=found.profile_id))
    return root.id


async def transfer_challenge(
    db: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    brand: Brand,
    twin: Twin,
    owner_id: str,
    recipient_id: str,
    method: proofs.Method,
    signer: str,
) -> proofs.Issued:
    _active(twin)
    if recipient_id == owner_id:
        raise Conflict("You already own this twin.", code=CommerceErrorCode.RECIPIENT_NOT_FOUND)
    return await proofs.issue(
        db,
        settings=settings,
        principal=principal,
        brand=brand,
        customer_id=owner_id,
        purpose="twin-transfer",
        target_id=twin.id,
        action=(
            f"transfer the digital twin {twin.serial} of {twin.product_title} to customer "
            f"{recipient_id}, with the physical unit it stands for."
        ),
        method=method,
        signer=signer,
        terms={"recipient_id": recipient_id},
    )


async def transfer(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    principal: Principal,
    brand: Brand,
    twin: Twin,
    owner_id: str,
    text: str,
    signature: str,
) -> Twin:
    _active(twin)
    proof = await proofs.redeem(
        db,
        principal=principal,
        brand=brand,
        customer_id=owner_id,
        purpose="twin-transfer",
        target_id=twin.id,
        text=text,
        signature=signature,
    )
    recipient_id = str(proof.terms["recipient_id"])
    moved = await db.execute(
        update(Twin)
        .where(Twin.id == twin.id, Twin.owner_id == owner_id, Twin.status == TwinStatus.ACTIVE)
        .values(owner_id=recipient_id, transfers=Twin.transfers + 1)
    )
    if getattr(moved, "rowcount", 0) != 1:
        raise Conflict("The twin changed meanwhile.", code=CommerceErrorCode.TWIN_RETIRED)
    await db.refresh(twin)
    await journal.record(
        db,
        brand=brand.slug,
        kind="twin.transferred",
        facts={
            "twin": twin.id,
            "serial": twin.serial,
            "method": str(proof.terms["method"]),
            "proof_sha256": str(proof.terms["text_sha256"]),
        },
        subjects={"from": owner_id, "owner": recipient_id},
    )
    await _event(
        db,
        bus,
        brand,
        twin,
        action="transferred_out",
        customer_id=owner_id,
        summary=f"Transferred the twin {twin.serial} of {twin.product_title}",
    )
    await _event(
        db,
        bus,
        brand,
        twin,
        action="transferred_in",
        customer_id=recipient_id,
        summary=f"Received the twin {twin.serial} of {twin.product_title} by transfer",
    )
    return twin


async def redeem_challenge(
    db: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    brand: Brand,
    twin: Twin,
    owner_id: str,
    method: proofs.Method,
    signer: str,
) -> proofs.Issued:
    _active(twin)
    return await proofs.issue(
        db,
        settings=settings,
        principal=principal,
        brand=brand,
        customer_id=owner_id,
        purpose="twin-redeem",
        target_id=twin.id,
        action=(
            f"redeem the digital twin {twin.serial} of {twin.product_title}; the token is "
            "retired and the physical unit is claimed."
        ),
        method=method,
        signer=signer,
        terms={},
    )


async def redeem(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    brand: Brand,
    twin: Twin,
    side: str,
    actor: str,
    principal: Principal | None = None,
    text: str = "",
    signature: str = "",
) -> Twin:
    """End the pair. `side` "digital": the owner redeems the token (needs the proof);
    "physical": staff hand the unit over (the token is retired)."""
    _active(twin)
    facts: dict[str, journal.Fact] = {"twin": twin.id, "serial": twin.serial, "side": side}
    if side == "digital":
        assert principal is not None
        proof = await proofs.redeem(
            db,
            principal=principal,
            brand=brand,
            customer_id=twin.owner_id,
            purpose="twin-redeem",
            target_id=twin.id,
            text=text,
            signature=signature,
        )
        facts["proof_sha256"] = str(proof.terms["text_sha256"])
    else:
        facts["actor"] = actor
    retired = await db.execute(
        update(Twin)
        .where(Twin.id == twin.id, Twin.status == TwinStatus.ACTIVE)
        .values(status=TwinStatus.REDEEMED, redeemed_side=side, redeemed_at=utcnow())
    )
    if getattr(retired, "rowcount", 0) != 1:
        raise Conflict("The twin was redeemed meanwhile.", code=CommerceErrorCode.TWIN_RETIRED)
    await db.refresh(twin)
    await journal.record(
        db,
        brand=brand.slug,
        kind="twin.redeemed",
        facts=facts,
        subjects={"owner": twin.owner_id},
    )
    what = "physical unit handed over" if side == "physical" else "token redeemed"
    await _event(
        db,
        bus,
        brand,
        twin,
        action="redeemed",
        customer_id=twin.owner_id,
        summary=f"Twin {twin.serial} of {twin.product_title}: {what}",
    )
    return twin


async def by_serial_or_raise(db: AsyncSession, *, brand: Brand, serial: str) -> Twin:
    twin = (
        await db.execute(select(Twin).where(Twin.brand_id == brand.id, Twin.serial == serial))
    ).scalar_one_or_none()
    if twin is None:
        raise NotFound(f"No twin with serial {serial}.", code=CommerceErrorCode.TWIN_NOT_FOUND)
    return twin
