"""Retention: each data kind is purged after its period, and rerunning changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
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


async def test_the_commands_purge_and_process_against_the_configured_database(
    db: AsyncSession, brand: Brand, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from vitrina.cli import app
    from vitrina.privacy import requests

    await _seed(db, brand, timedelta(days=100))
    await _seed(db, brand, timedelta(days=1))
    req = await requests.create(
        db, brand_id=brand.id, subject="guest:r", kind="access", requested_by="subject"
    )
    await db.commit()
    monkeypatch.setenv("VITRINA_DATABASE_URL", settings.resolved_database_url)  # type: ignore[attr-defined]
    monkeypatch.setenv("VITRINA_DATA_DIR", str(settings.data_dir))  # type: ignore[attr-defined]
    monkeypatch.setenv("VITRINA_MASTER_KEY", "k" * 40)

    def run(*argv: str) -> str:
        result = CliRunner().invoke(app, list(argv))
        assert result.exit_code == 0, result.output
        return result.output

    # The commands open their own event loop, as they do from cron.
    out = await asyncio.to_thread(run, "privacy", "retention")
    assert "insights.events (signals, 90 days): removed 1" in out
    assert "insights.dwell (signals, 90 days): removed 1" in out
    out = await asyncio.to_thread(run, "privacy", "process")
    assert "processed 1 pending requests" in out
    db.expunge_all()
    done = await requests.get_or_raise(db, request_id=req.id)
    assert done.status == "done" and done.summary["insights.events"] == 1
    assert await _counts(db) == (1, 1, 2)
