"""Pledges: a brand admin attaches "one tree planted" to bookings; a booking made in the
store appends a `pledge.counted` entry; the public and the visitor's own counts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import staff_headers
from tests.scheduling.conftest import BRAND, build_shop, guest_client, next_weekday, paris
from vitrina.core.security import Role
from vitrina.ledger import service as ledger

TEXTS = {
    "en": "One tree planted for each test drive booked",
    "fr": "Un arbre planté pour chaque essai réservé",
    "it": "Un albero piantato per ogni prova prenotata",
}


@pytest.fixture
async def guest(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async for c in guest_client(app, "Mia"):
        yield c


@pytest.fixture
async def other_guest(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async for c in guest_client(app, "Noah"):
        yield c


async def _counted(client: AsyncClient, want: int) -> list[dict[str, object]]:
    for _ in range(100):  # the pledge is counted once the booking's event is delivered
        pledges = (await client.get(f"/api/ledger/brands/{BRAND}/pledges")).json()
        if pledges and pledges[0]["count"] >= want:
            return list(pledges)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the pledge was not counted {want} times: {pledges}")


async def test_bookings_count_pledges_for_everyone_and_for_me(
    app: FastAPI,
    client: AsyncClient,
    db: AsyncSession,
    guest: AsyncClient,
    other_guest: AsyncClient,
) -> None:
    await build_shop(db)
    admin = await staff_headers(client, db, roles=[Role.ADMIN.value], brand_slugs=[BRAND])
    made = await client.post(
        f"/api/ledger/brands/{BRAND}/pledges",
        json={"action": "booking.created", "texts": TEXTS},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    pledge = made.json()

    day = next_weekday(2)
    for who, hour in ((guest, 10), (guest, 14), (other_guest, 11)):
        booked = await who.post(
            f"/api/brands/{BRAND}/appointments",
            json={"type": "advice", "start": paris(day, hour).isoformat()},
        )
        assert booked.status_code == 201, booked.text

    [public] = await _counted(client, 3)
    assert public["id"] == pledge["id"] and public["count"] == 3
    french = (
        await client.get(f"/api/ledger/brands/{BRAND}/pledges", params={"locale": "fr"})
    ).json()
    assert french[0]["text"] == TEXTS["fr"]
    mine = (
        await guest.get(f"/api/ledger/brands/{BRAND}/pledges/mine", params={"locale": "it"})
    ).json()
    assert mine[0]["mine"] == 2 and mine[0]["count"] == 3 and mine[0]["text"] == TEXTS["it"]
    theirs = (await other_guest.get(f"/api/ledger/brands/{BRAND}/pledges/mine")).json()
    assert theirs[0]["mine"] == 1

    # the counts are on the public ledger, for anyone to recount
    export = (await client.get(f"/api/ledger/brands/{BRAND}/export")).content.splitlines()
    counted = [json.loads(x) for x in export[1:-1] if b'"pledge.counted"' in x]
    assert len(counted) == 3
    assert {e["facts"]["pledge"] for e in counted} == {pledge["id"]}
    assert all(set(e["commitments"]) == {"customer"} for e in counted)

    # paused: bookings no longer count
    paused = await client.patch(
        f"/api/ledger/brands/{BRAND}/pledges/{pledge['id']}", json={"active": False}, headers=admin
    )
    assert paused.status_code == 200 and paused.json()["active"] is False
    booked = await guest.post(
        f"/api/brands/{BRAND}/appointments",
        json={"type": "advice", "start": paris(day, 16).isoformat()},
    )
    assert booked.status_code == 201
    await asyncio.sleep(0.3)
    assert (await client.get(f"/api/ledger/brands/{BRAND}/pledges")).json()[0]["count"] == 3
    head = await ledger.tree_head(db, brand=BRAND)
    assert head["size"] == 4  # genesis and three counts


async def test_pledges_need_three_languages_and_a_known_action(
    client: AsyncClient, db: AsyncSession
) -> None:
    await build_shop(db)
    admin = await staff_headers(client, db, roles=[Role.ADMIN.value], brand_slugs=[BRAND])
    missing = await client.post(
        f"/api/ledger/brands/{BRAND}/pledges",
        json={"action": "booking.created", "texts": {"en": "One tree"}},
        headers=admin,
    )
    assert missing.status_code == 422
    unknown = await client.post(
        f"/api/ledger/brands/{BRAND}/pledges",
        json={"action": "order.paid", "texts": TEXTS},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
