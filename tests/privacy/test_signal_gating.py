"""Signals are dropped at the door unless their purpose is consented at event time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL, Guest, signal, staff
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.db import Base, utcnow
from vitrina.insights.models import DwellAggregate, InteractionEvent
from vitrina.services import services_of

SLUG = "aurora-motors"
MakeGuest = Callable[[], Awaitable[Guest]]


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("vitrina_signals_rejected_total", {"reason": reason}) or 0.0


async def count(db: AsyncSession, model: type[Base]) -> int:
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.mark.parametrize(
    ("kind", "purpose", "table"),
    [
        ("dwell", "gaze_dwell", DwellAggregate),
        ("gaze", "gaze_dwell", DwellAggregate),
        ("click", "analytics", InteractionEvent),
        ("view", "analytics", InteractionEvent),
    ],
)
async def test_each_signal_needs_its_own_purpose(
    make_guest: MakeGuest,
    brand: Brand,
    db: AsyncSession,
    kind: str,
    purpose: str,
    table: type[Base],
) -> None:
    guest = await make_guest()
    others = {p: p != purpose for p in ALL_OPTIONAL}  # everything but the one it needs
    await guest.consent(SLUG, others)
    ray = {"origin": [0, 1.6, 0], "direction": [0, 0, 1]}
    extra: dict[str, Any] = {"ray": ray} if kind == "gaze" else {}
    before = rejected("no_consent")
    result = await guest.signals(SLUG, [signal(kind, **extra)])
    assert result == {"accepted": 0, "rejected": {"no_consent": 1}}
    assert rejected("no_consent") == before + 1
    assert await count(db, table) == 0

    await guest.consent(SLUG, {purpose: True})
    result = await guest.signals(SLUG, [signal(kind, **extra)])
    assert result == {"accepted": 1, "rejected": {}}
    assert await count(db, table) == 1


async def test_withdrawal_mid_session_stops_signals_from_that_moment(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    assert (await guest.signals(SLUG, [signal("dwell")]))["accepted"] == 1
    stamped_before = utcnow()
    await asyncio.sleep(0.01)
    await guest.consent(SLUG, {"gaze_dwell": False}, channel="storefront_3d")
    # Neither new signals nor late ones stamped before the withdrawal get through.
    result = await guest.signals(SLUG, [signal("dwell"), signal("dwell", at=stamped_before)])
    assert result == {"accepted": 0, "rejected": {"no_consent": 2}}
    # Other purposes are untouched.
    assert (await guest.signals(SLUG, [signal("click")]))["accepted"] == 1
    total = (await db.execute(select(func.sum(DwellAggregate.total_ms)))).scalar_one()
    assert total == 1500


async def test_signals_from_before_the_grant_are_refused(
    make_guest: MakeGuest, brand: Brand
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, {"gaze_dwell": False})
    before_grant = utcnow()
    await asyncio.sleep(0.01)
    await guest.consent(SLUG, {"gaze_dwell": True})
    result = await guest.signals(SLUG, [signal("dwell", at=before_grant), signal("dwell")])
    assert result == {"accepted": 1, "rejected": {"no_consent": 1}}


async def test_forged_and_out_of_range_signals_are_refused_and_counted(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    now = utcnow()
    forged_before, range_before = rejected("forged_timestamp"), rejected("out_of_range")
    result = await guest.signals(
        SLUG,
        [
            signal("dwell", at=now + timedelta(minutes=5)),  # from the future
            signal("dwell", at=now - timedelta(days=2)),  # replayed from long ago
            signal("dwell", duration_ms=-5),
            signal("dwell", duration_ms=3_600_000),  # an hour on one seat
            signal("dwell", part=""),  # dwell on no part
            signal("gaze", ray={"origin": [0, 1, 0], "direction": [0, 0, 9]}),  # not unit
            signal("gaze", ray={"origin": [1e9, 1, 0], "direction": [0, 0, 1]}),  # far away
            signal("click", ray={"origin": [0, 1, 0], "direction": [0, 0, 1]}),  # ray on click
        ],
    )
    assert result == {"accepted": 0, "rejected": {"forged_timestamp": 2, "out_of_range": 6}}
    assert rejected("forged_timestamp") == forged_before + 2
    assert rejected("out_of_range") == range_before + 6
    assert await count(db, DwellAggregate) == 0
    assert await count(db, InteractionEvent) == 0


async def test_malformed_batches_are_refused_whole(make_guest: MakeGuest, brand: Brand) -> None:
    guest = await make_guest()
    naive = signal("click") | {"at": "2026-01-01T10:00:00"}
    for events in ([naive], [signal("teleport")], [signal("click") | {"extra": 1}], []):
        resp = await guest.http.post(
            "/api/insights/signals", json={"brand": SLUG, "events": events}
        )
        assert resp.status_code == 422, events


async def test_unknown_foreign_and_unconsented_subjects(
    make_guest: MakeGuest, brand: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    silent, chatty = await make_guest(), await make_guest()
    await chatty.consent(SLUG, ALL_OPTIONAL)
    # A visitor who never answered the prompt is unknown to the brand: nothing is kept.
    assert await silent.signals(SLUG, [signal("click")]) == {
        "accepted": 0,
        "rejected": {"unknown_subject": 1},
    }
    # A guest may not speak for someone else, even someone who consented.
    result = await silent.signals(SLUG, [signal("click", subject=chatty.subject)])
    assert result == {"accepted": 0, "rejected": {"foreign_subject": 1}}
    # An integration (staff of the brand) names subjects; only known, consenting ones count.
    headers = await staff(client, db, email="int@a.example", roles=["agent"], brands=[SLUG])
    resp = await client.post(
        "/api/insights/signals",
        json={
            "brand": SLUG,
            "events": [
                signal("click", subject=chatty.subject),
                signal("click", subject=silent.subject),
                signal("click", subject="customer:nobody"),
                signal("click", subject="not a subject"),
                signal("click"),
            ],
        },
        headers=headers,
    )
    assert resp.json() == {"accepted": 1, "rejected": {"unknown_subject": 4}}


async def test_staff_of_another_brand_cannot_ingest(
    client: AsyncClient, db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    headers = await staff(
        client, db, email="b@b.example", roles=["agent"], brands=["borealis-bikes"]
    )
    resp = await client.post(
        "/api/insights/signals",
        json={"brand": SLUG, "events": [signal("click", subject="guest:x")]},
        headers=headers,
    )
    assert resp.status_code == 403


async def test_gaze_rays_are_reduced_to_dwell_per_part_and_never_stored(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    ray = {"origin": [1.234567, 1.654321, -2.71828], "direction": [0.6, 0.0, 0.8]}
    events = [signal("gaze", ray=ray, duration_ms=250, part="dashboard") for _ in range(8)]
    assert (await guest.signals(SLUG, events))["accepted"] == 8
    rows = list((await db.execute(select(DwellAggregate))).scalars())
    assert [(r.part, r.total_ms, r.samples) for r in rows] == [("dashboard", 2000, 8)]
    # No column of any table holds the ray's coordinates.
    for table in Base.metadata.sorted_tables:
        dump = " ".join(
            str(v)
            for row in await db.execute(text(f"SELECT * FROM {table.name}"))  # noqa: S608
            for v in row
        )
        assert "1.234567" not in dump and "2.71828" not in dump, table.name


async def test_why_am_i_seeing_this_names_only_consented_signals(
    make_guest: MakeGuest, brand: Brand
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(
        SLUG,
        [signal("dwell", part="seat", duration_ms=4000), signal("click", part="wheel")],
    )
    why = (
        await guest.http.get(f"/api/insights/brands/{SLUG}/why", params={"product": "aurora-e"})
    ).json()
    assert why["personalised"] is True
    assert {(e["kind"], e["purpose"], e["part"]) for e in why["evidence"]} == {
        ("dwell", "gaze_dwell", "seat"),
        ("click", "analytics", "wheel"),
    }
    interests = (await guest.http.get(f"/api/insights/brands/{SLUG}/interests")).json()
    # 4 s of dwell at 0.2 a second and one click at 2 (insights.profiles), just now.
    assert interests == [{"product": "aurora-e", "score": 2.8}]

    await guest.consent(SLUG, {"gaze_dwell": False})
    why = (
        await guest.http.get(f"/api/insights/brands/{SLUG}/why", params={"product": "aurora-e"})
    ).json()
    assert [e["kind"] for e in why["evidence"]] == ["click"]

    await guest.consent(SLUG, {"personalisation": False})
    why = (
        await guest.http.get(f"/api/insights/brands/{SLUG}/why", params={"product": "aurora-e"})
    ).json()
    assert why == {
        "product": "aurora-e",
        "personalised": False,
        "explanation": "Not personalised: you have not allowed personal suggestions.",
        "evidence": [],
    }
    assert (await guest.http.get(f"/api/insights/brands/{SLUG}/interests")).json() == []


async def test_the_world_hands_over_a_visitors_frames_through_the_same_gate(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession, settings: Settings
) -> None:
    from vitrina.insights import service as insights

    guest = await make_guest()
    await guest.consent(SLUG, {"gaze_dwell": True, "analytics": False})
    frames = [signal("dwell"), signal("click"), signal("dwell", subject="guest:someone-else")]
    result = await insights.ingest_from_visitor(
        db, settings=settings, brand_id=brand.id, session_id=guest.session_id, signals=frames
    )
    await db.commit()
    assert result.accepted == 1
    assert result.rejected == {"no_consent": 1, "foreign_subject": 1}
    with pytest.raises(ValidationError):
        await insights.ingest_from_visitor(
            db,
            settings=settings,
            brand_id=brand.id,
            session_id=guest.session_id,
            signals=[{"type": "teleport"}],
        )


async def test_concurrent_batches_on_the_same_parts_add_up(
    app: object, make_guest: MakeGuest, brand: Brand, db: AsyncSession, settings: Settings
) -> None:
    from vitrina.core.db import transaction
    from vitrina.insights import service as insights
    from vitrina.insights.schemas import SignalIn

    guests = [await make_guest() for _ in range(3)]
    for g in guests:
        await g.consent(SLUG, {"gaze_dwell": True})
    parts = ["seat", "wheel", "door", "trunk"]
    events = [
        SignalIn.model_validate(signal("dwell", subject=g.subject, part=p, duration_ms=100))
        for g in guests
        for p in parts
    ]
    limits = insights.GateLimits.of(settings.signal_max_age_s, settings.signal_clock_skew_s)

    async def send(batch: list[SignalIn]) -> None:
        async with transaction(services_of(app).sessions) as session:  # type: ignore[attr-defined]
            await insights.ingest_signals(session, brand_id=brand.id, signals=batch, limits=limits)

    # Opposite orders in parallel: the writes lock buckets in key order, so no deadlock.
    await asyncio.gather(*(send(events if i % 2 else events[::-1]) for i in range(6)))
    total = (await db.execute(select(func.sum(DwellAggregate.total_ms)))).scalar_one()
    rows = (await db.execute(select(func.count()).select_from(DwellAggregate))).scalar_one()
    assert (total, rows) == (6 * 12 * 100, 12)
