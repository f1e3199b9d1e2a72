"""The satisfaction survey: a number typed in the chat after resolution is the rating."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from tests.conversations.helpers import BRAND, Frames, make_brands, serve
from tests.crm.helpers import guest
from tests.factories import login, make_staff
from vitrina.conversations import service, survey
from vitrina.services import services_of
from vitrina.world.events import ChatPosted


def said(text: str, session: str = "guest-42") -> ChatPosted:
    return ChatPosted(
        room=f"{BRAND}/showroom#1",
        brand=BRAND,
        zone="showroom",
        avatar_id=7,
        session_id=session,
        user_id=None,
        display_name="Mia",
        badge="customer",
        text=text,
    )


async def rows_of(client: AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await client.get("/api/console/conversations?state=resolved", headers=headers)
    ).json()
    return rows


async def test_typing_a_number_in_the_store_after_resolution_rates_the_conversation(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(
        db, email="ava@example.com", roles=["supervisor"], brand_slugs=[BRAND], name="Ava"
    )
    ava = await login(client, "ava@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=ava)
    await services_of(app).bus.publish(said("I want to talk to a person"))
    rows: list[dict[str, Any]] = []
    for _ in range(50):
        rows = (await client.get("/api/console/conversations", headers=ava)).json()
        if rows:
            break
        await asyncio.sleep(0.05)
    cid = rows[0]["id"]
    await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=ava)
    assert (await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)).is_success
    resolved = await client.post(
        f"/api/console/conversations/{cid}/resolve", json={"disposition": "solved"}, headers=ava
    )
    assert resolved.status_code == 200, resolved.text

    await services_of(app).bus.publish(said("5 quick and kind"))

    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert detail["csat_score"] == 5 and detail["csat_comment"] == "quick and kind"
    assert detail["messages"][-1]["body"] == "Thank you for your rating."
    everything = (await client.get("/api/console/conversations", headers=ava)).json()
    assert [r["id"] for r in everything if r["state"] != "resolved"] == [], (
        "the rating did not start a new conversation with the bot"
    )
    # A second number is a new question, not a second rating.
    await services_of(app).bus.publish(said("4"))
    again = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert again["csat_score"] == 5


async def test_a_french_widget_customer_reads_the_service_notices_in_french_and_rates_by_typing(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(db, email="ava@example.com", roles=["agent"], brand_slugs=[BRAND], name="Ava")
    ava = await login(client, "ava@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=ava)
    async with serve(app) as host:
        widget = Frames(await connect(f"ws://{host}/ws/widget?brand={BRAND}&locale=fr"))
        await widget.wait_for(lambda f: f["type"] == "welcome")
        await widget.ws.send(json.dumps({"type": "say", "text": "Bonjour"}))
        await widget.ws.send(json.dumps({"type": "handoff", "reason": "customer asked"}))
        place = await widget.wait_for(
            lambda f: f["type"] == "message" and f["message"]["data"].get("event") == "queue_place"
        )
        cid = place["conversation_id"]
        assert place["message"]["body"].startswith("Vous êtes numéro 1 dans la file d'attente")
        await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        await client.post(
            f"/api/console/conversations/{cid}/resolve", json={"disposition": "solved"}, headers=ava
        )
        ask = await widget.wait_for(
            lambda f: f["type"] == "message" and f["message"]["kind"] == "csat_request"
        )
        assert ask["message"]["body"].startswith("Comment était notre service ?")
        await widget.ws.send(json.dumps({"type": "say", "text": "4"}))
        thanks = await widget.wait_for(
            lambda f: f["type"] == "message" and f["message"]["data"].get("event") == "csat_thanks"
        )
        assert thanks["message"]["body"] == "Merci pour votre note."
        await widget.close()
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert detail["csat_score"] == 4
    shown = [m["body"] for m in detail["messages"] if not m["internal"]]
    assert not [b for b in shown if b.startswith("Handoff requested")], shown
    assert "Je vous trouve un conseiller." in shown
    assert "Note donnée : 4/5" in shown  # the customer's own answer, echoed in French
    assert not [b for b in shown if b.startswith("Rated")], shown


async def test_the_store_reads_back_the_conversation_and_the_pending_survey(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    """After a reload the storefront shows the transcript again, and the rating control
    while the resolved conversation waits for a rating."""
    await make_brands(db)
    await make_staff(db, email="ava@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    ava = await login(client, "ava@example.com")
    current = f"/api/conversations/current?brand={BRAND}"
    async with guest(app) as mia:
        assert (await mia.get(current)).json() == {"conversation": None, "survey_pending": False}
        session = (await mia.get("/api/auth/me")).json()["session_id"]
        await services_of(app).bus.publish(said("What are your opening hours?", session=session))
        shown = (await mia.get(current)).json()
        assert [m["body"] for m in shown["conversation"]["messages"]] == [
            "What are your opening hours?"
        ]
        assert shown["survey_pending"] is False
        cid = shown["conversation"]["id"]
        await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=ava)
        await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
        await client.post(
            f"/api/console/conversations/{cid}/resolve",
            json={"disposition": "solved"},
            headers=ava,
        )
        after = (await mia.get(current)).json()
        assert after["survey_pending"] is True
        assert after["conversation"]["messages"][-1]["kind"] == "csat_request"
        rated = await mia.post(f"/api/conversations/{cid}/csat", json={"score": 5})
        assert rated.status_code == 200, rated.text
        assert (await mia.get(current)).json()["survey_pending"] is False


async def test_a_store_conversation_speaks_the_storefronts_language(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(db, email="ava@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    ava = await login(client, "ava@example.com")
    async with guest(app) as luca:
        started = await luca.post("/api/auth/guest", json={"brand_slug": BRAND, "locale": "it"})
        session = started.json()["id"]
        await services_of(app).bus.publish(said("Vorrei parlare con una persona", session=session))
    rows = (await client.get("/api/console/conversations", headers=ava)).json()
    assert [r["locale"] for r in rows] == ["it"]
    cid = rows[0]["id"]
    await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=ava)
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert "Sto cercando un consulente per te." in [m["body"] for m in detail["messages"]]


async def test_ratings_typed_or_clicked_reach_the_supervisors_figures(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    await make_staff(db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    sam = await login(client, "sam@example.com")
    for session, answer in (("g-typed", "2"), ("g-clicked", None), ("g-silent", None)):
        await services_of(app).bus.publish(said("I need help", session=session))
        rows = (await client.get("/api/console/conversations", headers=sam)).json()
        cid = next(r["id"] for r in rows if r["state"] != "resolved")
        await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=sam)
        await client.post(f"/api/console/conversations/{cid}/accept", headers=sam)
        await client.post(
            f"/api/console/conversations/{cid}/resolve", json={"disposition": "solved"}, headers=sam
        )
        if answer:
            await services_of(app).bus.publish(said(answer, session=session))
        elif session == "g-clicked":
            async with services_of(app).sessions() as s:
                conversation = await service.get_or_raise(s, conversation_id=cid)
                await survey.submit(
                    s, bus=services_of(app).bus, conversation=conversation, score=5, comment=None
                )
                await s.commit()
    figures = (await client.get("/api/routing/csat?days=7", headers=sam)).json()
    assert figures == [
        {
            "brand_slug": BRAND,
            "days": 7,
            "resolved": 3,
            "rated": 2,
            "response_rate": 0.667,
            "average": 3.5,
            "scores": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
        }
    ]
