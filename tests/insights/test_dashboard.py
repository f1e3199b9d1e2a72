"""The supervisor dashboard: definitions on hand-made cases, a scripted day through the
API for the caller's brands only, CSV, and live notices on the console channel."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from tests.insights.conftest import OTHER, SLUG
from tests.privacy.conftest import staff
from vitrina.brands.models import Brand
from vitrina.conversations import lifecycle
from vitrina.conversations import service as conversations
from vitrina.conversations.figures import ConversationFacts, Step
from vitrina.conversations.states import Actor, Channel
from vitrina.core.events import EventBus
from vitrina.insights import dashboard
from vitrina.routing import console
from vitrina.services import services_of

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def conv(
    cid: str,
    state: str,
    channel: str,
    steps: list[tuple[str, float, str]],
    *,
    resolved: float | None = None,
    csat: int | None = None,
    customer: float | None = None,
    agent: float | None = None,
) -> ConversationFacts:
    return ConversationFacts(
        id=cid,
        brand=SLUG,
        channel=channel,
        state=state,
        queue=None,
        created_at=T0,
        resolved_at=at(resolved) if resolved is not None else None,
        csat=csat,
        first_customer_at=at(customer) if customer is not None else None,
        first_agent_at=at(agent) if agent is not None else None,
        steps=[
            Step(
                to,
                None,
                "" if why == "customer" else why,
                at(m),
                "customer" if why == "customer" else "bot",
            )
            for to, m, why in steps
        ],
    )


def test_definitions_on_hand_computed_cases() -> None:
    facts = [
        # The bot answered and closed it: contained.
        conv("a", "resolved", "widget", [("bot", 0, ""), ("resolved", 3, "")], resolved=3),
        # Handed off after 2 min, waited 4 min, handled 10 min, rated 5.
        conv(
            "b",
            "resolved",
            "world",
            [
                ("bot", 0, ""),
                ("queued", 2, "asked_for_human"),
                ("assigned", 6, ""),
                ("resolved", 16, ""),
            ],
            resolved=16,
            csat=5,
            customer=1,
            agent=7,
        ),
        # Handed off, waited 2 min, still with the advisor; answered after 3 min.
        conv(
            "c",
            "assigned",
            "widget",
            [("bot", 0, ""), ("queued", 1, "low_confidence"), ("assigned", 3, "")],
            customer=0.5,
            agent=3.5,
        ),
        # Still talking to the bot: not finished, so not in containment.
        conv("d", "bot", "widget", [("bot", 0, "")]),
        # Email straight to a queue, rated 2 after 20 min of handling.
        conv(
            "e",
            "resolved",
            "email",
            [("queued", 0, "customer"), ("assigned", 10, ""), ("resolved", 30, "")],
            resolved=30,
            csat=2,
        ),
    ]
    now = at(60)
    f = dashboard.compute(facts, queued_since=[at(50), at(55)], bookings=3, visitors=7, now=now)
    assert f.conversations == 5
    assert f.by_state_channel == {
        "assigned": {"widget": 1},
        "bot": {"widget": 1},
        "resolved": {"email": 1, "widget": 1, "world": 1},
    }
    assert (f.bot_started, f.bot_finished, f.bot_contained) == (4, 3, 1)
    assert f.containment_rate == round(1 / 3, 4)
    assert f.handoffs == 3 and f.handoff_rate == 0.6
    assert f.handoff_reasons == {"asked_for_human": 1, "customer_asked": 1, "low_confidence": 1}
    assert f.queue_length == 2 and f.oldest_wait_s == 600.0
    assert f.mean_wait_s == round((240 + 120 + 600) / 3, 2)
    assert f.mean_first_response_s == round((360 + 180) / 2, 2)
    assert f.mean_handle_s == round((600 + 1200) / 2, 2)
    assert (f.csat_count, f.csat_mean, f.csat_satisfied) == (2, 3.5, 0.5)
    assert (f.bookings, f.visitors_now) == (3, 7)

    rows = dict(csv.reader(io.StringIO(dashboard.to_csv(f, filters={"brand": SLUG}))))
    assert rows["filter.brand"] == SLUG
    assert rows["containment_rate"] == "0.3333"
    assert rows["conversations.resolved.world"] == "1"
    assert rows["handoff_reason.low_confidence"] == "1"


def test_empty_period_has_no_rates() -> None:
    f = dashboard.compute([], queued_since=[], bookings=0, visitors=0, now=T0)
    assert f.containment_rate is None and f.handoff_rate is None and f.csat_mean is None


async def scripted_day(db: AsyncSession, bus: EventBus, slug: str) -> None:
    """Three conversations: one contained by the bot, one handed off and resolved with a
    rating of 4, one waiting in the queue."""
    bot = Actor(kind="bot", name="Greeter")
    advisor = Actor(kind="agent", name="Ada", id="advisor-1")
    a = await conversations.create(
        db, bus=bus, brand_slug=slug, channel=Channel.WIDGET, customer_name="A"
    )
    await lifecycle.resolve(db, bus=bus, conversation=a, actor=bot, disposition="answered")
    b = await conversations.create(
        db, bus=bus, brand_slug=slug, channel=Channel.WORLD, customer_name="B"
    )
    await lifecycle.request_handoff(
        db, bus=bus, conversation_id=b.id, actor=bot, reason="asked_for_human"
    )
    b = await lifecycle.claim(db, bus=bus, conversation_id=b.id, actor=advisor)
    await lifecycle.resolve(db, bus=bus, conversation=b, actor=advisor, disposition="solved")
    await lifecycle.rate(db, bus=bus, conversation=b, score=4, comment=None)
    c = await conversations.create(
        db, bus=bus, brand_slug=slug, channel=Channel.WIDGET, customer_name="C"
    )
    await lifecycle.request_handoff(
        db, bus=bus, conversation_id=c.id, actor=bot, reason="low_confidence"
    )
    await db.commit()


async def test_a_supervisor_sees_only_their_brands(
    app: FastAPI, client: AsyncClient, db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    bus = services_of(app).bus
    await scripted_day(db, bus, SLUG)
    await scripted_day(db, bus, OTHER)
    other_only = await conversations.create(
        db, bus=bus, brand_slug=OTHER, channel=Channel.EMAIL, customer_name="D"
    )
    await db.commit()
    assert other_only.id
    headers = await staff(
        client, db, email="sup@aurora.example.com", roles=["supervisor"], brands=[SLUG]
    )
    url = "/api/insights/dashboard"
    resp = await client.get(url, headers=headers)
    assert resp.status_code == 200, resp.text
    f = resp.json()["figures"]
    assert f["conversations"] == 3  # the other brand's four are not counted
    assert f["containment_rate"] == round(1 / 3, 4)  # one contained, two handed off
    assert f["handoff_rate"] == round(2 / 3, 4)
    assert f["handoff_reasons"] == {"asked_for_human": 1, "low_confidence": 1}
    assert f["queue_length"] == 1
    assert (f["csat_count"], f["csat_mean"]) == (1, 4.0)
    assert f["by_state_channel"] == {"queued": {"widget": 1}, "resolved": {"widget": 1, "world": 1}}

    assert (await client.get(url, params={"brand": OTHER}, headers=headers)).status_code == 403
    widget = (await client.get(url, params={"channel": "widget"}, headers=headers)).json()
    assert widget["figures"]["conversations"] == 2
    bad = await client.get(url, params={"period": "forever"}, headers=headers)
    assert bad.status_code == 422

    exported = await client.get(url + ".csv", params={"brand": SLUG}, headers=headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = dict(csv.reader(io.StringIO(exported.text)))
    assert rows["conversations"] == "3" and rows["filter.brand"] == SLUG

    advisor = await staff(
        client, db, email="adv@aurora.example.com", roles=["agent"], brands=[SLUG]
    )
    assert (await client.get(url, headers=advisor)).status_code == 403


async def test_events_send_a_notice_to_consoles_within_two_seconds(
    app: FastAPI, db: AsyncSession, brand: Brand
) -> None:
    assert dashboard.CONSOLE_CHANNEL == console.CHANNEL
    running = services_of(app)
    frames: asyncio.Queue[dict[str, object]] = asyncio.Queue()

    async def heard(payload: bytes) -> None:
        frame = json.loads(payload)
        if frame.get("type") == "dashboard":
            await frames.put(frame)

    unsubscribe = await running.broker.subscribe(console.CHANNEL, heard)
    try:
        started = asyncio.get_running_loop().time()
        await conversations.create(
            db, bus=running.bus, brand_slug=SLUG, channel=Channel.WIDGET, customer_name="E"
        )
        await db.commit()
        frame = await asyncio.wait_for(frames.get(), timeout=2.0)
        assert frame == {"type": "dashboard", "brand": SLUG}
        assert asyncio.get_running_loop().time() - started < 2.0
    finally:
        await unsubscribe()
    # The same figures as Prometheus gauges.
    value = REGISTRY.get_sample_value("vitrina_dashboard_conversations", {"brand": SLUG})
    assert value is not None and value >= 1
