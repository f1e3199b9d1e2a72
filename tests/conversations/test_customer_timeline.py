"""A verified customer's conversation shows on their CRM 360 timeline."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import BRAND, make_brands
from tests.factories import login, make_staff
from vitrina.brands import service as brands
from vitrina.conversations import service as conversations
from vitrina.conversations.events import ConversationLogged, StateChanged
from vitrina.conversations.states import BOT, Channel
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.demo import DEMO_EMAIL, seed_demo_customer
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.services import services_of


async def test_handoff_and_resolution_land_on_the_customer_timeline(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await seed_demo_customer(db)
    brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
    identity = await crm.find_identity(
        db, brand_id=brand.id, identifier=normalise(IdentityKind.EMAIL, DEMO_EMAIL)
    )
    assert identity is not None
    guest = Principal(kind="guest", session_id="guest-giulia", display_name="Giulia")
    await verification.record(
        db,
        principal=guest,
        brand_id=brand.id,
        customer_id=identity.profile_id,
        method="email_code",
        level=verification.Level.EMAIL_CODE,
        identifier=DEMO_EMAIL,
        ttl_s=600,
    )
    await db.commit()
    await make_staff(db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    sam = await login(client, "sam@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=sam)

    bus = services_of(app).bus
    seen: list[str] = []
    bus.subscribe(StateChanged, lambda e: seen.append(f"state:{e.from_state}->{e.to_state}"))
    bus.subscribe(ConversationLogged, lambda e: seen.append(f"logged:{e.summary}"))
    conversation = await conversations.create(
        db,
        bus=bus,
        brand_slug=BRAND,
        channel=Channel.WIDGET,
        customer_name="Giulia",
        guest_session_id="guest-giulia",
    )
    await conversations.request_handoff(
        db, bus=bus, conversation_id=conversation.id, actor=BOT, reason="asked"
    )
    await db.commit()
    accepted = await client.post(
        f"/api/console/conversations/{conversation.id}/accept", headers=sam
    )
    assert accepted.status_code == 200
    resolved = await client.post(
        f"/api/console/conversations/{conversation.id}/resolve",
        json={"disposition": "solved"},
        headers=sam,
    )
    assert resolved.status_code == 200, resolved.text

    wanted = {
        "Asked for an advisor (widget)",
        "Talking with an advisor (widget)",
        "Conversation resolved (widget)",
    }
    for _ in range(100):
        rows = (
            await client.get(f"/api/crm/customers/{identity.profile_id}/timeline", headers=sam)
        ).json()
        summaries = {row["summary"] for row in rows if row["kind"] == "conversations.logged"}
        if wanted <= summaries:
            break
        await asyncio.sleep(0.05)
    assert wanted <= summaries, seen


async def test_an_email_from_a_customers_address_lands_on_their_timeline(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await seed_demo_customer(db)
    brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
    identity = await crm.find_identity(
        db, brand_id=brand.id, identifier=normalise(IdentityKind.EMAIL, DEMO_EMAIL)
    )
    assert identity is not None
    await make_staff(db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    sam = await login(client, "sam@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=sam)
    bus = services_of(app).bus
    stranger = await conversations.create(
        db,
        bus=bus,
        brand_slug=BRAND,
        channel=Channel.EMAIL,
        customer_name="Someone",
        customer_email="someone@example.net",
    )
    mail = await conversations.create(
        db,
        bus=bus,
        brand_slug=BRAND,
        channel=Channel.EMAIL,
        customer_name="Giulia",
        customer_email=DEMO_EMAIL.upper(),
    )
    for conversation in (stranger, mail):
        await conversations.request_handoff(
            db, bus=bus, conversation_id=conversation.id, actor=BOT, reason="asked"
        )
    await db.commit()
    panel = (await client.get(f"/api/console/conversations/{mail.id}/customer", headers=sam)).json()
    assert panel["customer_id"] == identity.profile_id and panel["matched_by"] == "email"
    unknown = (
        await client.get(f"/api/console/conversations/{stranger.id}/customer", headers=sam)
    ).json()
    assert unknown["customer_id"] is None

    for _ in range(100):
        rows = (
            await client.get(f"/api/crm/customers/{identity.profile_id}/timeline", headers=sam)
        ).json()
        logged = [r for r in rows if r["kind"] == "conversations.logged"]
        if logged:
            break
        await asyncio.sleep(0.05)
    assert [(r["summary"], r["data"]["conversation_id"]) for r in logged] == [
        ("Asked for an advisor (email)", mail.id)
    ]
