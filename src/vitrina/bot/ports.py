"""What the bot asks of domains on its own layer, handed to it by the composition root.

The bot may not import insights (they sit side by side, docs/architecture.md); the root
gives the runtime an object with this shape instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class PersonaOption(Protocol):
    """One persona of the brand: its key and its name in each language."""

    @property
    def key(self) -> str: ...

    @property
    def names(self) -> Mapping[str, str]: ...


class PersonaChoices(Protocol):
    async def options(self, db: AsyncSession, *, brand_slug: str) -> Sequence[PersonaOption]:
        """The brand's personas, in the brand's order."""
        ...

    async def choose(self, db: AsyncSession, *, brand_slug: str, session_id: str, key: str) -> bool:
        """Keep the visitor's choice; False when it cannot be kept (no consent to personal
        suggestions), nothing written then."""
        ...
