"""Personas a brand defines, and the one each visitor chooses (a consented preference)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.brands.models import Brand
from vitrina.catalog import service as catalog
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict, NotFound
from vitrina.insights.errors import InsightsErrorCode
from vitrina.insights.models import Persona, PersonaChoice
from vitrina.insights.schemas import PersonaIn, PersonaRead
from vitrina.privacy import service as privacy
from vitrina.privacy.texts import Purpose


def read(p: Persona) -> PersonaRead:
    return PersonaRead(
        key=p.key, name=p.name, greeting=p.greeting, route=p.route, weights=p.weights
    )


async def list_personas(db: AsyncSession, *, brand_id: str) -> list[Persona]:
    rows = await db.execute(
        select(Persona).where(Persona.brand_id == brand_id).order_by(Persona.position)
    )
    return list(rows.scalars())


async def get_persona(db: AsyncSession, *, brand_id: str, key: str) -> Persona | None:
    rows = await db.execute(select(Persona).where(Persona.brand_id == brand_id, Persona.key == key))
    return rows.scalar_one_or_none()


def _invalid(detail: str) -> AppError:
    return AppError(detail, code=InsightsErrorCode.INVALID_PERSONA, status=422)


async def replace_personas(
    db: AsyncSession, *, brand: Brand, personas: list[PersonaIn]
) -> list[Persona]:
    """The brand's whole set, checked against its layout and catalog before anything is
    written. Choices of personas that no longer exist are dropped."""
    keys = [p.key for p in personas]
    if len(set(keys)) != len(keys):
        raise _invalid("Two personas have the same key.")
    stands = {s.id for zone in brands.layout_of(brand).zones for s in zone.stands}
    products = {p.slug for p in await catalog.list_products(db, brand=brand)}
    for p in personas:
        for locale, text in (*p.name.items(), *p.greeting.items()):
            if not text.strip() or len(text) > 300:
                raise _invalid(
                    f"Persona {p.key!r}: a name or greeting ({locale}) is empty or long."
                )
        unknown = [s for s in p.route if s not in stands]
        if unknown:
            raise _invalid(f"Persona {p.key!r}: no stand {unknown[0]!r} in the store layout.")
        for slug, weight in p.weights.items():
            if slug not in products:
                raise _invalid(f"Persona {p.key!r}: no product {slug!r} in the catalog.")
            if not 0.0 <= weight <= 1.0:
                raise _invalid(f"Persona {p.key!r}: the weight of {slug!r} is not in [0, 1].")
    await db.execute(delete(Persona).where(Persona.brand_id == brand.id))
    made = [
        Persona(
            id=new_id(),
            brand_id=brand.id,
            key=p.key,
            position=n,
            name=dict(p.name),
            greeting=dict(p.greeting),
            route=list(p.route),
            weights=dict(p.weights),
        )
        for n, p in enumerate(personas)
    ]
    db.add_all(made)
    await db.execute(
        delete(PersonaChoice).where(
            PersonaChoice.brand_id == brand.id, PersonaChoice.persona.not_in(keys or [""])
        )
    )
    await db.flush()
    return made


async def chosen(
    db: AsyncSession, *, brand_id: str, subject: str, now: datetime | None = None
) -> str | None:
    """The visitor's stored persona, only while personalisation is consented."""
    if not await privacy.consent_in_force(
        db, brand_id=brand_id, subject=subject, purpose=Purpose.PERSONALISATION, at=now
    ):
        return None
    row = await db.get(PersonaChoice, (brand_id, subject))
    return row.persona if row is not None else None


async def stored(db: AsyncSession, *, brand_id: str, subject: str) -> str | None:
    """The stored persona, for a caller that has checked personalisation itself."""
    row = await db.get(PersonaChoice, (brand_id, subject))
    return row.persona if row is not None else None


async def choose(db: AsyncSession, *, brand_id: str, subject: str, persona: str | None) -> None:
    """Store (or clear, with None) the visitor's persona; storing needs personalisation."""
    existing = await db.get(PersonaChoice, (brand_id, subject))
    if persona is None:
        if existing is not None:
            await db.delete(existing)
            await db.flush()
        return
    if await get_persona(db, brand_id=brand_id, key=persona) is None:
        raise NotFound(f"No persona {persona!r}.", code=InsightsErrorCode.UNKNOWN_PERSONA)
    if not await privacy.consent_in_force(
        db, brand_id=brand_id, subject=subject, purpose=Purpose.PERSONALISATION
    ):
        raise Conflict(
            "Keeping your choice needs consent to personal suggestions; "
            "pass it with each request instead, or allow personal suggestions.",
            code=InsightsErrorCode.CONSENT_REQUIRED,
        )
    if existing is None:
        db.add(
            PersonaChoice(brand_id=brand_id, subject=subject, persona=persona, chosen_at=utcnow())
        )
    else:
        existing.persona = persona
        existing.chosen_at = utcnow()
    await db.flush()
