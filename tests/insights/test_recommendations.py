"""Recommendations: own brand, in stock, explained in three languages, one surprise."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.insights.conftest import CARS, OTHER, SLUG, upsert
from tests.privacy.conftest import ALL_OPTIONAL, Guest
from vitrina.brands.models import Brand
from vitrina.catalog import service as catalog
from vitrina.catalog.models import Product
from vitrina.commerce import stock
from vitrina.core.db import utcnow
from vitrina.insights import recommend

MakeGuest = Callable[[], Awaitable[Guest]]
URL = f"/api/insights/brands/{SLUG}/recommendations"


def click(product: str) -> dict[str, object]:
    return {"type": "click", "product": product, "at": utcnow().isoformat()}


async def test_explained_in_three_languages_by_the_signals_behind_them(
    make_guest: MakeGuest, cars: Brand
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [click("city-e"), click("city-e")])
    body = (await guest.http.get(URL, params={"limit": 5})).json()
    top = body["items"][0]
    assert top["product"] == "city-s"  # the most similar car to what was clicked
    similar = next(r for r in top["reasons"] if r["code"] == "similar")
    assert similar == {"code": "similar", "product": "city-e", "signal": "click"}
    assert top["why"]["en"].startswith("Similar to City E, which you clicked on.")
    assert top["why"]["fr"].startswith("Proche de City E : vous avez cliqué sur ce produit.")
    assert top["why"]["it"].startswith("Simile a City E: hai cliccato su questo prodotto.")


async def test_never_out_of_stock_nor_another_brands(
    make_guest: MakeGuest, cars: Brand, bikes: Brand
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.consent(OTHER, ALL_OPTIONAL)
    # Strong interest in the sold-out coupe and in the other brand's bike.
    await guest.signals(SLUG, [click("sport-gone")] * 5)
    await guest.signals(OTHER, [click("city-bike")] * 5)
    body = (await guest.http.get(URL, params={"limit": 20})).json()
    shown = {i["product"] for i in body["items"]}
    assert "sport-gone" not in shown
    assert "city-bike" not in shown
    assert shown == {s for s, (_, _, stock) in CARS.items() if stock > 0}
    # The sport car is first: like the one sold out.
    assert body["items"][0]["product"] == "sport-r"
    other = (
        await guest.http.get(f"/api/insights/brands/{OTHER}/recommendations", params={"limit": 20})
    ).json()
    assert [i["product"] for i in other["items"]] == ["city-bike"]


async def test_one_something_different_slot(make_guest: MakeGuest, cars: Brand) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [click("family-x"), click("family-y")])
    body = (await guest.http.get(URL, params={"limit": 3})).json()
    surprises = [i for i in body["items"] if i["surprise"]]
    assert len(surprises) == 1
    odd = surprises[0]
    assert odd["label"] == {
        "en": "Something different",
        "fr": "Quelque chose de différent",
        "it": "Qualcosa di diverso",
    }
    assert odd["product"] not in ("family-x", "family-y")
    assert odd["why"]["en"].startswith("Something different")
    assert odd["reasons"][0]["code"] == "surprise"


async def test_cold_start_for_a_guest_is_brand_popularity(
    make_guest: MakeGuest, cars: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    fans = [await make_guest() for _ in range(3)]
    for fan in fans:
        await fan.consent(SLUG, ALL_OPTIONAL)
        await fan.signals(SLUG, [click("wallbox")])
    from vitrina.insights import recommend

    recommend.forget()
    newcomer = await make_guest()
    body = (await newcomer.http.get(URL)).json()
    assert body["personalised"] is False
    assert body["items"][0]["product"] == "wallbox"
    assert body["items"][0]["why"]["en"].endswith("Popular with visitors of this store.")
    assert not any(i["surprise"] for i in body["items"])


async def test_staff_cannot_ask_for_another_brands_customer(
    make_guest: MakeGuest, cars: Brand, bikes: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    from tests.privacy.conftest import staff

    guest = await make_guest()
    headers = await staff(
        client, db, email="sup@bikes.example.com", roles=["supervisor"], brands=[OTHER]
    )
    resp = await client.get(
        URL, params={"subject": guest.subject, "reason": "asked"}, headers=headers
    )
    assert resp.status_code == 403
    assert resp.headers["content-type"] == "application/problem+json"


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("vitrina_signals_rejected_total", {"reason": reason}) or 0.0


async def test_signals_about_unknown_products_are_refused_and_counted(
    make_guest: MakeGuest, cars: Brand
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    before = rejected("unknown_product")
    result = await guest.signals(SLUG, [click("city-e"), click("no-such-car")])
    assert result == {"accepted": 1, "rejected": {"unknown_product": 1}}
    assert rejected("unknown_product") == before + 1


async def test_a_car_sold_out_since_the_model_was_built_is_not_suggested(
    make_guest: MakeGuest, cars: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [click("sport-gone")] * 5)
    first = (await guest.http.get(URL, params={"limit": 3})).json()
    assert first["items"][0]["product"] == "sport-r"
    # The catalog says the last Sport R is gone (a write outside the insights API).
    await db.execute(update(Product).where(Product.slug == "sport-r").values(stock=0))
    await db.commit()
    for _ in range(2):  # at once, and still on the next call
        again = (await guest.http.get(URL, params={"limit": 3})).json()
        shown = [i["product"] for i in again["items"]]
        assert "sport-r" not in shown
        assert len(shown) == 3


async def test_an_old_model_answers_while_a_new_one_is_built(
    make_guest: MakeGuest, cars: Brand, db: AsyncSession
) -> None:
    guest = await make_guest()
    everything = {"limit": 20}
    before = {i["product"] for i in (await guest.http.get(URL, params=everything)).json()["items"]}
    assert "roadster" not in before
    await catalog.upsert(
        db, brand=cars, data=upsert("roadster", "Roadster", "Open two-seater for sunny roads", 3)
    )
    await db.commit()
    # The model is past its age: the next request is answered from it, not held up by a
    # rebuild, and the rebuild that it started brings the new car in.
    model = recommend._models[cars.id]
    model.built_at -= recommend.MODEL_TTL + 1
    stale = {i["product"] for i in (await guest.http.get(URL, params=everything)).json()["items"]}
    assert stale == before
    for _ in range(200):
        items = (await guest.http.get(URL, params=everything)).json()["items"]
        if "roadster" in {i["product"] for i in items}:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the rebuilt model never answered")
    assert recommend._models[cars.id] is not model


async def test_a_car_sold_out_through_checkouts_is_not_suggested(
    make_guest: MakeGuest, cars: Brand, db: AsyncSession
) -> None:
    """Commerce keeps its own stock (the catalog's figure only starts it): the units on
    hand there, less the checkouts holding some, decide."""
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [click("sport-gone")] * 5)
    first = (await guest.http.get(URL, params={"limit": 3})).json()
    assert first["items"][0]["product"] == "sport-r"
    sport = (await db.execute(select(Product).where(Product.slug == "sport-r"))).scalar_one()
    await stock.set_on_hand(db, product=sport, configuration_id="", on_hand=0)
    await db.commit()
    assert sport.stock == 5  # the catalog's figure did not move
    shown = [i["product"] for i in (await guest.http.get(URL, params={"limit": 3})).json()["items"]]
    assert "sport-r" not in shown
    assert len(shown) == 3
