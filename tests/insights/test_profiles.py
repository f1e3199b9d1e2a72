"""Interest profiles: consented signals only, decayed with time, gone at withdrawal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tests.insights.conftest import SLUG
from tests.privacy.conftest import ALL_OPTIONAL, Guest
from vitrina.brands.models import Brand
from vitrina.core.db import utcnow
from vitrina.insights import profiles
from vitrina.insights import service as insights

MakeGuest = Callable[[], Awaitable[Guest]]


def ev(kind: str, product: str, **extra: object) -> dict[str, object]:
    event: dict[str, object] = {"type": kind, "product": product, "at": utcnow().isoformat()}
    if kind == "dwell":
        event |= {"duration_ms": 5000, "part": "seat"}
    return event | extra


def test_decay_halves_a_signal_every_half_life() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    scores = profiles.decayed(
        [
            ("a", "click", now, 1.0),  # 2.0
            ("a", "view", now - profiles.HALF_LIFE, 1.0),  # 1.0 halved
            ("b", "book", now - 2 * profiles.HALF_LIFE, 1.0),  # 8.0 quartered
            ("c", "dwell", now, 90.0),  # capped at 60 s x 0.2
        ],
        now=now,
    )
    assert scores == {"a": 2.5, "b": 2.0, "c": 12.0}


async def test_every_kind_of_signal_builds_the_profile(
    make_guest: MakeGuest, cars: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    result = await guest.signals(
        SLUG,
        [
            ev("dwell", "city-e"),
            ev("configure", "family-x", part="paint"),
            ev("ask", "sport-r", part="range"),
            ev("book", "wallbox"),
        ],
    )
    assert result == {"accepted": 4, "rejected": {}}
    resp = await guest.http.get(f"/api/insights/brands/{SLUG}/interests")
    ranked = [r["product"] for r in resp.json()]
    # book 8 > configure 4 = ask 4 > dwell 5 s x 0.2
    assert ranked[0] == "wallbox"
    assert set(ranked[1:3]) == {"family-x", "sport-r"}
    assert ranked[3] == "city-e"


async def test_withdrawing_consent_removes_influence_at_once(
    make_guest: MakeGuest, cars: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [ev("click", "sport-r"), ev("dwell", "family-x")])
    url = f"/api/insights/brands/{SLUG}/recommendations"
    before = (await guest.http.get(url)).json()
    assert before["personalised"] is True
    assert any(r["code"] == "similar" for i in before["items"] for r in i["reasons"])

    # Without gaze_dwell the dwell on family-x no longer counts; clicks still do.
    await guest.consent(SLUG, {"gaze_dwell": False})
    interests = (await guest.http.get(f"/api/insights/brands/{SLUG}/interests")).json()
    assert [i["product"] for i in interests] == ["sport-r"]

    # Without personalisation nothing does: the same answer as a stranger's.
    await guest.consent(SLUG, {"personalisation": False})
    after = (await guest.http.get(url)).json()
    assert after["personalised"] is False
    stranger = await make_guest()
    cold = (await stranger.http.get(url)).json()
    assert [i["product"] for i in after["items"]] == [i["product"] for i in cold["items"]]
    assert all(r["code"] in ("popular", "persona") for i in after["items"] for r in i["reasons"])
    assert (await guest.http.get(f"/api/insights/brands/{SLUG}/interests")).json() == []
    # And the profile function itself agrees.
    assert await insights.interest_profile(db, brand_id=cars.id, subject=guest.subject) == []

    # Consent again: the signals kept from before count again.
    await guest.consent(SLUG, {"personalisation": True, "gaze_dwell": True})
    again = (await guest.http.get(f"/api/insights/brands/{SLUG}/interests")).json()
    assert {i["product"] for i in again} == {"sport-r", "family-x"}


async def test_older_signals_weigh_less(
    make_guest: MakeGuest, cars: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [ev("click", "city-e")])
    later = utcnow() + profiles.HALF_LIFE
    ranked = await insights.interest_profile(db, brand_id=cars.id, subject=guest.subject, now=later)
    assert ranked == [("city-e", 1.0)] or abs(ranked[0][1] - 1.0) < 1e-3
