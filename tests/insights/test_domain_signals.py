"""What a visitor does elsewhere in the store feeds their interest profile by itself:
saving a configuration, asking about a product in the chat, booking a test drive of it,
buying it. Only with analytics consent, and each shows as evidence behind "why"."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import (
    AURORA,
    E1_DEFAULTS,
    cart_with,
    checkout,
    guest,
    ok,
    open_shop,
    pay,
    wait_status,
)
from tests.privacy.conftest import ALL_OPTIONAL
from tests.scheduling.conftest import build_shop, next_weekday, paris
from vitrina.insights.mentions import ProductNames

CONSENTS = f"/api/privacy/brands/{AURORA}/consents"
INTERESTS = f"/api/insights/brands/{AURORA}/interests"


def why(product: str) -> str:
    return f"/api/insights/brands/{AURORA}/why?product={product}"


async def consent(c: AsyncClient, choices: dict[str, bool]) -> None:
    await ok(await c.put(CONSENTS, json={"choices": choices, "channel": "storefront_3d"}))


async def evidence_of(c: AsyncClient, product: str, kind: str) -> list[dict[str, Any]]:
    """The evidence of `kind` behind `product`, once the event has been delivered."""
    found: list[dict[str, Any]] = []
    for _ in range(100):
        body = await ok(await c.get(why(product)))
        found = [e for e in body["evidence"] if e["kind"] == kind]
        if found:
            return found
        await asyncio.sleep(0.05)
    return found


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("vitrina_signals_rejected_total", {"reason": reason}) or 0.0


def test_a_product_is_named_by_its_name_or_the_word_only_it_has() -> None:
    names = ProductNames.of(
        [
            ("aurora-e1", {"en": "Aurora E1", "fr": "Aurora E1", "it": "Aurora E1"}),
            ("aurora-gt", {"en": "Aurora GT", "fr": "Aurora GT", "it": "Aurora GT"}),
            ("aurora-wallbox", {"en": "Aurora Wallbox", "fr": "Borne Aurora", "it": "Wallbox"}),
        ]
    )
    assert names.named_in("How far does the E1 go on one charge?") == ["aurora-e1"]
    assert names.named_in("la gt est-elle disponible en bleu ?") == ["aurora-gt"]
    assert names.named_in("Combien coûte la borne ?") == ["aurora-wallbox"]
    assert names.named_in("E1 or GT, which one for a family?") == ["aurora-e1", "aurora-gt"]
    # The brand's own word names no product; words inside other words are no mention.
    assert names.named_in("Where is the Aurora showroom?") == []
    assert names.named_in("I drive a GTX and an E10") == []
    assert names.named_in("AURORA-E1 délai de livraison") == ["aurora-e1"]


async def test_configuring_asking_booking_and_buying_feed_the_profile(
    app: FastAPI, db: AsyncSession
) -> None:
    await open_shop(app, db)
    await build_shop(db)
    async with guest(app) as c:
        await consent(c, ALL_OPTIONAL)

        # A configuration saved in the configurator.
        await ok(
            await c.post(
                f"/api/brands/{AURORA}/products/aurora-e1/configurations",
                json={"option_ids": E1_DEFAULTS},
            ),
            201,
        )
        configured = await evidence_of(c, "aurora-e1", "configure")
        assert [e["count"] for e in configured] == [1]

        # A question in the chat that names the GT by the word only it has.
        await ok(
            await c.post(
                "/api/conversations",
                json={"brand": AURORA, "body": "Is the GT available in blue?"},
            ),
            201,
        )
        asked = await evidence_of(c, "aurora-gt", "ask")
        assert [e["count"] for e in asked] == [1]
        assert await evidence_of(c, "aurora-e1", "ask") == []

        # A test drive of the GT.
        day = next_weekday(3)
        slot = (
            await ok(
                await c.get(
                    f"/api/brands/{AURORA}/scheduling/availability",
                    params={"type": "test-drive", "start": paris(day, 10).isoformat(), "limit": 1},
                )
            )
        )["slots"][0]
        booked = await ok(
            await c.post(
                f"/api/brands/{AURORA}/appointments",
                json={"type": "test-drive", "start": slot["start"], "product": "aurora-gt"},
            ),
            201,
        )
        assert booked["product"] == "aurora-gt"
        assert [e["count"] for e in await evidence_of(c, "aurora-gt", "book")] == [1]

        # A wallbox bought and paid for.
        cart = await cart_with(c)
        placed = await ok(await checkout(c, cart["id"]), 201)
        await pay(c, app, placed)
        await wait_status(c, app, placed["order"]["id"], "paid")
        assert [e["count"] for e in await evidence_of(c, "aurora-wallbox", "buy")] == [1]

        # All four shape what the store thinks this visitor cares about.
        ranked = [i["product"] for i in await ok(await c.get(INTERESTS))]
        assert set(ranked) == {"aurora-e1", "aurora-gt", "aurora-wallbox"}
        # Asked about and booked, or configured (in the cart) and bought, beats configured.
        assert ranked[-1] == "aurora-e1"


async def test_without_analytics_consent_nothing_is_kept(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    async with guest(app) as c:
        await consent(c, {**ALL_OPTIONAL, "analytics": False})
        before = rejected("no_consent")
        await ok(
            await c.post(
                f"/api/brands/{AURORA}/products/aurora-e1/configurations",
                json={"option_ids": E1_DEFAULTS},
            ),
            201,
        )
        await ok(
            await c.post(
                "/api/conversations", json={"brand": AURORA, "body": "How far does the E1 go?"}
            ),
            201,
        )
        for _ in range(100):
            if rejected("no_consent") >= before + 2:
                break
            await asyncio.sleep(0.05)
        assert rejected("no_consent") == before + 2
        body = await ok(await c.get(why("aurora-e1")))
        assert body["evidence"] == []
        assert await ok(await c.get(INTERESTS)) == []
