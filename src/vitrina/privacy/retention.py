"""Retention: every registered rule purges rows older than its period. Safe to rerun."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import utcnow
from vitrina.privacy import registry


@dataclass(frozen=True, slots=True)
class RetentionOutcome:
    kind: str
    source: str
    days: int
    cutoff: datetime
    removed: int


def periods(overrides: Mapping[str, int]) -> dict[str, int]:
    """Days kept per data kind: the registered defaults, overridden by settings."""
    days = {rule.kind: rule.days for rule in registry.retention_rules()}
    days.update({k: v for k, v in overrides.items() if k in days})
    return days


async def apply(
    db: AsyncSession, *, overrides: Mapping[str, int], now: datetime | None = None
) -> list[RetentionOutcome]:
    now = now or utcnow()
    days = periods(overrides)
    outcomes = []
    for source in registry.sources():
        for rule in source.retention:
            cutoff = now - timedelta(days=days[rule.kind])
            removed = await rule.purge(db, cutoff)
            outcomes.append(
                RetentionOutcome(rule.kind, source.name, days[rule.kind], cutoff, removed)
            )
    return outcomes
