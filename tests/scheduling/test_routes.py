"""The HTTP API: customers book and see their own appointments; staff see their brands'."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import login, make_staff
from tests.scheduling.conftest import (
    BRAND,
    OTHER_BRAND,
    Shop,
    make_other_brand,
    next_weekday,
    paris,
)

PROBLEM = "application/problem+json"


async def book(client: AsyncClient, start: str, **headers: str) -> dict[str, object]:
    resp = await client.post(
        f"/api/brands/{BRAND}/appointments",
        json={"type": "advice", "start": start, "customer": {"email": "mia@example.org"}},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, object] = resp.json()
    return body


async def test_a_guest_finds_a_slot_books_it_and_sees_it(
    client: AsyncClient, guest: AsyncClient, other_guest: AsyncClient, shop: Shop
) -> None:
    day = next_weekday(0)
    resp = await client.get(
        f"/api/brands/{BRAND}/scheduling/availability",
        params={"type": "advice", "start": paris(day, 9).isoformat(), "limit": 3},
    )
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["timezone"] == "Europe/Paris"
    first = page["slots"][0]
    assert first["local_start"] == paris(day, 9).isoformat()

    booked = await book(guest, first["start"], **{"Idempotency-Key": "tap-1"})
    again = await book(guest, first["start"], **{"Idempotency-Key": "tap-1"})
    assert again["id"] == booked["id"]
    assert booked["status"] == "confirmed"
    assert str(booked["customer_ref"]).startswith("guest:")
    assert [r["name"] for r in booked["resources"]] == ["Ava"]  # type: ignore[union-attr]

    mine = (await guest.get("/api/appointments/mine")).json()
    assert [a["id"] for a in mine] == [booked["id"]]
    assert (await other_guest.get("/api/appointments/mine")).json() == []
    stranger = await other_guest.get(f"/api/appointments/{booked['id']}")
    assert stranger.status_code == 404 and stranger.headers["content-type"] == PROBLEM
    refused = await other_guest.post(f"/api/appointments/{booked['id']}/cancel", json={})
    assert refused.status_code == 404

    ics = await guest.get(f"/api/appointments/{booked['id']}/invite.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.start == paris(day, 9)

    cancelled = await guest.post(f"/api/appointments/{booked['id']}/cancel", json={"reason": "x"})
    assert cancelled.json()["status"] == "cancelled"
    again_slots = await client.get(
        f"/api/brands/{BRAND}/scheduling/availability",
        params={"type": "advice", "start": paris(day, 9).isoformat(), "limit": 1},
    )
    assert again_slots.json()["slots"][0]["resource_ids"] == first["resource_ids"]


async def test_a_hold_is_confirmed_by_its_owner(guest: AsyncClient, shop: Shop) -> None:
    start = paris(next_weekday(1), 14).isoformat()
    resp = await guest.post(
        f"/api/brands/{BRAND}/appointments/holds", json={"type": "showroom-visit", "start": start}
    )
    assert resp.status_code == 201, resp.text
    held = resp.json()
    assert held["status"] == "held" and held["hold_expires_at"]
    assert {r["kind"] for r in held["resources"]} == {"advisor", "bay"}
    confirmed = await guest.post(f"/api/appointments/{held['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"


async def test_bad_requests_get_problem_details(
    client: AsyncClient, guest: AsyncClient, shop: Shop
) -> None:
    day = next_weekday(2)
    cases = [
        ({"type": "yoga", "start": paris(day, 10).isoformat()}, 404, "appointment_type_not_found"),
        ({"type": "advice", "start": paris(day, 22).isoformat()}, 409, "slot_unavailable"),
        ({"type": "advice", "start": "2020-01-06T10:00:00+01:00"}, 409, "slot_unavailable"),
        ({"type": "advice", "start": "2027-03-28T02:30:00"}, 400, "nonexistent_local_time"),
        ({"type": "advice", "start": "not a date"}, 422, "validation_error"),
        ({"type": "advice", "start": "9999-12-31T23:30:00"}, 422, "validation_error"),
        ({"type": "advice", "start": "0001-01-01T00:00:00+01:00"}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        resp = await guest.post(f"/api/brands/{BRAND}/appointments", json=body)
        assert resp.status_code == status, (body, resp.text)
        assert resp.headers["content-type"] == PROBLEM
        assert resp.json()["code"] == code
    closed = await guest.post(
        f"/api/brands/{BRAND}/appointments",
        json={"type": "advice", "start": paris(day, 22).isoformat()},
    )
    assert "open 09:00-19:00" in closed.json()["reasons"][0]
    why = await client.get(
        f"/api/brands/{BRAND}/scheduling/explain",
        params={"type": "advice", "start": (paris(day, 10) + timedelta(days=400)).isoformat()},
    )
    assert why.json()["available"] is False and "horizon" in why.json()["reasons"][0]
    anonymous = await client.post(
        f"/api/brands/{BRAND}/appointments",
        json={"type": "advice", "start": paris(day, 10).isoformat()},
    )
    assert anonymous.status_code == 401


async def test_staff_see_only_their_brands(
    client: AsyncClient, db: AsyncSession, guest: AsyncClient, shop: Shop
) -> None:
    await make_other_brand(db)
    day = next_weekday(3)
    booked = await book(guest, paris(day, 10).isoformat())
    await make_staff(db, email="ours@example.com", roles=["agent"], brand_slugs=[BRAND])
    await make_staff(db, email="theirs@example.com", roles=["agent"], brand_slugs=[OTHER_BRAND])
    await make_staff(db, email="root@example.com", roles=["admin"])
    ours, theirs, root = (
        await login(client, "ours@example.com"),
        await login(client, "theirs@example.com"),
        await login(client, "root@example.com"),
    )
    agenda = f"/api/staff/scheduling/agenda?brand={BRAND}&day={day.isoformat()}"

    mine = await client.get(agenda, headers=ours)
    assert [a["id"] for a in mine.json()["appointments"]] == [booked["id"]]
    assert mine.json()["appointments"][0]["customer_email"] == "mia@example.org"
    assert (await client.get(agenda, headers=root)).status_code == 200
    blocked = await client.get(agenda, headers=theirs)
    assert blocked.status_code == 403 and blocked.json()["code"] == "brand_forbidden"
    assert (
        await client.get(f"/api/appointments/{booked['id']}", headers=theirs)
    ).status_code == 404
    resources = await client.get(
        f"/api/staff/scheduling/resources?brand={OTHER_BRAND}", headers=theirs
    )
    assert [r["name"] for r in resources.json()] == ["Olga"]
    peek = await client.get(f"/api/staff/scheduling/resources?brand={OTHER_BRAND}", headers=ours)
    assert peek.status_code == 403


async def test_supervisors_manage_resources_of_their_brand_only(
    client: AsyncClient, db: AsyncSession, shop: Shop
) -> None:
    await make_other_brand(db)
    await make_staff(db, email="sup@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    await make_staff(db, email="agent@example.com", roles=["agent"], brand_slugs=[BRAND])
    sup, agent = await login(client, "sup@example.com"), await login(client, "agent@example.com")
    resource = {
        "brand_slug": BRAND,
        "kind": "demo_car",
        "name": "Aurora S",
        "timezone": "Europe/Paris",
        "weekly_hours": {"sat": [["10:00", "16:00"]]},
        "buffer_after_min": 20,
    }
    assert (
        await client.post("/api/staff/scheduling/resources", json=resource, headers=agent)
    ).status_code == 403
    created = await client.post("/api/staff/scheduling/resources", json=resource, headers=sup)
    assert created.status_code == 201, created.text
    elsewhere = await client.post(
        "/api/staff/scheduling/resources", json={**resource, "brand_slug": OTHER_BRAND}, headers=sup
    )
    assert elsewhere.status_code == 403
    bad_hours = await client.post(
        "/api/staff/scheduling/resources",
        json={**resource, "weekly_hours": {"sat": [["16:00", "10:00"]]}},
        headers=sup,
    )
    assert bad_hours.status_code == 400 and bad_hours.json()["code"] == "invalid_opening_hours"
    closed = await client.patch(
        f"/api/staff/scheduling/resources/{created.json()['id']}",
        json={"exceptions": [{"start": "2030-08-01", "end": "2030-08-31", "reason": "Summer"}]},
        headers=sup,
    )
    assert closed.status_code == 200
    assert closed.json()["exceptions"][0]["reason"] == "Summer"
    made_type = await client.post(
        "/api/staff/scheduling/types",
        json={
            "brand_slug": BRAND,
            "slug": "track-day",
            "name": "Track day",
            "duration_min": 120,
            "requirements": [{"kind": "demo_car"}, {"kind": "advisor", "skills": ["test_drive"]}],
        },
        headers=sup,
    )
    assert made_type.status_code == 201, made_type.text
    assert made_type.json()["timezone"] == "Europe/Paris"  # the brand's
    public = await client.get(f"/api/brands/{BRAND}/scheduling/types")
    assert "track-day" in {t["slug"] for t in public.json()}
