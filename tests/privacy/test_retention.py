"""Retention: each data kind is purged after its period, and rerunning changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from vitrina.brands.models import Brand
from vitrina.core.db import new_id, utcnow
from vitrina.insights.models import DwellAggregate, InteractionEvent
from vitrina.privacy import retention
from vitrina.privacy.models import AccessAudit


async def _seed(db: AsyncSession, brand: Brand, age: timedelta) -> None:
    at = utcnow() - age
    db.add(
        InteractionEvent(
            id=new_id(),
            brand_id=brand.id,
            subject="guest:r",
            kind="click",
            product="p",
            occurred_at=at,
        )
    )
    db.add(
        DwellAggregate(
            id=new_id(),
            brand_id=brand.id,
            subject="guest:r",
            product="p",
            part=f"part-{age.days}",
            bucket_start=at,
            total_ms=10,
            samples=1,
            last_at=at,
        )
    )
    db.add(
        AccessAudit(
            id=new_id(),
            brand_id=brand.id,
            staff_name="Ava",
            subject="guest:r",
            what="crm.profile",
            why="call back",
            at=at,
        )
    )


async def _counts(db: AsyncSession) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        [
            (await db.execute(select(func.count()).select_from(m))).scalar_one()
            for m in (InteractionEvent, DwellAggregate, AccessAudit)
        ]
    )


async def test_signals_go_after_90_days_and_audit_after_two_years(
    db: AsyncSession, brand: Brand
) -> None:
    for days in (1, 89, 91, 800):
        await _seed(db, brand, timedelta(days=days))
    await db.commit()
    outcomes = await retention.apply(db, overrides={})
    await db.commit()
    removed = {(o.source, o.kind): o.removed for o in outcomes}
    assert removed[("insights.events", "signals")] == 2
    assert removed[("insights.dwell", "signals")] == 2
    assert removed[("privacy.access_log", "access_audit")] == 1
    assert await _counts(db) == (2, 2, 3)

    again = await retention.apply(db, overrides={})
    await db.commit()
    assert all(o.removed == 0 for o in again)
    assert await _counts(db) == (2, 2, 3)


async def test_settings_shorten_a_period(db: AsyncSession, brand: Brand) -> None:
    await _seed(db, brand, timedelta(days=10))
    await _seed(db, brand, timedelta(days=40))
    await db.commit()
    await retention.apply(db, overrides={"signals": 30, "not_a_kind": 1})
    await db.commit()
    assert await _counts(db) == (1, 1, 2)
    assert retention.periods({"signals": 30})["signals"] == 30
    assert "not_a_kind" not in retention.periods({"not_a_kind": 1})


def test_the_command_lists_periods() -> None:
    from vitrina.cli import app

    result = CliRunner().invoke(app, ["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "signals: kept 90 days" in result.output
    assert "exports: kept 7 days" in result.output
