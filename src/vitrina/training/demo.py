"""The demo brand's training scenarios (an angry customer, a financing question)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.training import service

DEMO_BRAND = "aurora-motors"


async def seed_training(db: AsyncSession) -> str:
    made = await service.seed_shipped(db, brand=DEMO_BRAND)
    return f"{made} training scenarios added" if made else "training scenarios up to date"
