"""Consent purposes, texts per locale, append-only choices and `consent_in_force`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL, OTHER_SLUG, Guest, staff
from vitrina.brands.models import Brand
from vitrina.core.db import utcnow
from vitrina.privacy import service as privacy
from vitrina.privacy.models import ConsentRecord
from vitrina.privacy.service import ConsentChanged
from vitrina.services import services_of

SLUG = "aurora-motors"
MakeGuest = Callable[[], Awaitable[Guest]]


@pytest.mark.parametrize(("locale", "word"), [("en", "Gaze"), ("fr", "Regard"), ("it", "Sguardo")])
async def test_purposes_are_listed_in_each_language(
    client: AsyncClient, brand: Brand, locale: str, word: str
) -> None:
    resp = await client.get(f"/api/privacy/brands/{SLUG}/purposes", params={"locale": locale})
    assert resp.status_code == 200
    purposes = {p["purpose"]: p for p in resp.json()}
    assert list(purposes) == [
        "essential",
        "analytics",
        "personalisation",
        "gaze_dwell",
        "marketing",
    ]
    assert purposes["essential"]["required"] is True
    assert word in purposes["gaze_dwell"]["title"]
    assert set(purposes["gaze_dwell"]["texts"]) == {"en", "fr", "it"}


async def test_a_new_visitor_is_asked_and_nothing_optional_is_in_force(
    make_guest: MakeGuest, brand: Brand
) -> None:
    guest = await make_guest()
    state = (await guest.http.get(f"/api/privacy/brands/{SLUG}/consents")).json()
    assert state["prompt_needed"] is True
    by = {p["purpose"]: p for p in state["purposes"]}
    assert by["essential"]["in_force"] is True
    assert not any(by[p]["in_force"] for p in ALL_OPTIONAL)


async def test_refusing_is_as_final_as_accepting_and_both_end_the_prompt(
    make_guest: MakeGuest, brand: Brand
) -> None:
    refuser, accepter = await make_guest(), await make_guest()
    refused = await refuser.consent(SLUG, dict.fromkeys(ALL_OPTIONAL, False))
    accepted = await accepter.consent(SLUG, ALL_OPTIONAL)
    assert refused["prompt_needed"] is False and accepted["prompt_needed"] is False
    assert not any(p["in_force"] for p in refused["purposes"] if p["purpose"] != "essential")
    assert all(p["in_force"] for p in accepted["purposes"])


async def test_choices_are_appended_never_rewritten(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, {"analytics": True, "marketing": False})
    await guest.consent(SLUG, {"analytics": True, "marketing": False})  # no change: no record
    await guest.consent(SLUG, {"analytics": False}, channel="privacy_centre")
    history = (await guest.http.get(f"/api/privacy/brands/{SLUG}/consents/history")).json()
    assert [(h["purpose"], h["granted"], h["channel"]) for h in history] == [
        ("analytics", True, "storefront_2d"),
        ("marketing", False, "storefront_2d"),
        ("analytics", False, "privacy_centre"),
    ]
    rows = (
        await db.execute(
            select(ConsentRecord).order_by(ConsentRecord.recorded_at, ConsentRecord.purpose)
        )
    ).scalars()
    assert [r.granted for r in rows] == [True, False, False]


async def test_essential_cannot_be_withdrawn_and_unknown_purposes_are_refused(
    make_guest: MakeGuest, brand: Brand
) -> None:
    guest = await make_guest()
    resp = await guest.http.put(
        f"/api/privacy/brands/{SLUG}/consents",
        json={"choices": {"essential": False}, "channel": "storefront_3d"},
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "essential_cannot_be_withdrawn"
    resp = await guest.http.put(
        f"/api/privacy/brands/{SLUG}/consents",
        json={"choices": {"telepathy": True}, "channel": "storefront_3d"},
    )
    assert resp.status_code == 422


async def test_consent_in_force_follows_the_history_in_time(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    before = utcnow()
    await asyncio.sleep(0.01)
    await guest.consent(SLUG, {"gaze_dwell": True})
    granted = utcnow()
    await asyncio.sleep(0.01)
    await guest.consent(SLUG, {"gaze_dwell": False})

    async def at(t: object) -> bool:
        return await privacy.consent_in_force(
            db,
            brand_id=brand.id,
            subject=guest.subject,
            purpose="gaze_dwell",
            at=t,  # type: ignore[arg-type]
        )

    assert await at(before) is False
    assert await at(granted) is True
    assert await at(utcnow()) is False
    assert await privacy.consent_in_force(
        db, brand_id=brand.id, subject=guest.subject, purpose="essential"
    )


async def test_consent_belongs_to_one_brand(
    make_guest: MakeGuest, brand: Brand, other_brand: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    assert await privacy.consent_in_force(
        db, brand_id=brand.id, subject=guest.subject, purpose="marketing"
    )
    assert not await privacy.consent_in_force(
        db, brand_id=other_brand.id, subject=guest.subject, purpose="marketing"
    )
    state = (await guest.http.get(f"/api/privacy/brands/{OTHER_SLUG}/consents")).json()
    assert state["prompt_needed"] is True


async def test_a_material_text_change_asks_again_and_old_consent_stops_counting(
    make_guest: MakeGuest, brand: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, {"personalisation": True, "analytics": True})
    before_v2 = utcnow()
    await asyncio.sleep(0.01)
    dpo = await staff(client, db, email="dpo@a.example", roles=["dpo"], brands=[SLUG])
    texts = {"en": {"title": "Personal suggestions", "body": "Now also from your purchases."}}
    resp = await client.post(
        f"/api/privacy/dpo/brands/{SLUG}/purposes/personalisation/versions",
        json={"texts": texts, "requires_reconsent": True},
        headers=dpo,
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["version"] == 2
    state = (await guest.http.get(f"/api/privacy/brands/{SLUG}/consents")).json()
    by = {p["purpose"]: p for p in state["purposes"]}
    assert state["prompt_needed"] is True
    assert by["personalisation"]["in_force"] is False
    assert by["analytics"]["in_force"] is True
    await guest.consent(SLUG, {"personalisation": True})
    assert await privacy.consent_in_force(
        db, brand_id=brand.id, subject=guest.subject, purpose="personalisation"
    )
    # Before the new text, the old consent was valid: history is judged at its own time.
    assert await privacy.consent_in_force(
        db,
        brand_id=brand.id,
        subject=guest.subject,
        purpose="personalisation",
        at=before_v2,
    )


async def test_a_dpo_of_another_brand_cannot_change_its_texts(
    client: AsyncClient, db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    dpo = await staff(client, db, email="dpo@b.example", roles=["dpo"], brands=[OTHER_SLUG])
    resp = await client.post(
        f"/api/privacy/dpo/brands/{SLUG}/purposes/marketing/versions",
        json={"texts": {"en": {"title": "t", "body": "b"}}},
        headers=dpo,
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "brand_not_served"


async def test_changes_are_announced_after_commit(
    app: FastAPI, make_guest: MakeGuest, brand: Brand
) -> None:
    seen: list[ConsentChanged] = []
    services_of(app).bus.subscribe(ConsentChanged, seen.append)
    guest = await make_guest()
    await guest.consent(SLUG, {"gaze_dwell": True, "marketing": False})
    for _ in range(50):
        if len(seen) == 2:
            break
        await asyncio.sleep(0.01)
    assert {(e.purpose, e.granted, e.subject) for e in seen} == {
        ("gaze_dwell", True, guest.subject),
        ("marketing", False, guest.subject),
    }


async def test_recorded_choices_cannot_be_edited_or_deleted(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    from vitrina.privacy.models import AppendOnlyError

    guest = await make_guest()
    await guest.consent(SLUG, {"marketing": True})
    record = (await db.execute(select(ConsentRecord))).scalar_one()
    record.granted = False
    with pytest.raises(AppendOnlyError):
        await db.flush()
    await db.rollback()
    record = (await db.execute(select(ConsentRecord))).scalar_one()
    await db.delete(record)
    with pytest.raises(AppendOnlyError):
        await db.flush()
