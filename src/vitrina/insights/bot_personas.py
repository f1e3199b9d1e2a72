"""The brand's personas as the bot's persona flow needs them (bot.ports.PersonaChoices),
handed to the bot by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.core.errors import Conflict
from vitrina.insights import personas
from vitrina.privacy import subjects


@dataclass(frozen=True, slots=True)
class PersonaOptionRead:
    """Shaped like bot.ports.PersonaOption (insights does not import the bot)."""

    key: str
    names: dict[str, str]


class BrandPersonas:
    async def options(self, db: AsyncSession, *, brand_slug: str) -> list[PersonaOptionRead]:
        brand = await brands.get_by_slug(db, slug=brand_slug)
        if brand is None:
            return []
        return [
            PersonaOptionRead(p.key, dict(p.name))
            for p in await personas.list_personas(db, brand_id=brand.id)
        ]

    async def choose(self, db: AsyncSession, *, brand_slug: str, session_id: str, key: str) -> bool:
        brand = await brands.get_by_slug(db, slug=brand_slug)
        if brand is None:
            return False
        try:
            await personas.choose(
                db, brand_id=brand.id, subject=subjects.guest(session_id), persona=key
            )
        except Conflict:  # no consent to personal suggestions: nothing kept
            return False
        return True
