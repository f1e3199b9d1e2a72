"""Staff reads of personal data outside the privacy API are audited too: the CRM's
customer 360 and timeline, conversation transcripts in the console, and the agenda."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import staff
from tests.scheduling.conftest import build_shop, next_weekday, paris

SLUG = "aurora-motors"


async def audit(client: AsyncClient, dpo: dict[str, str], subject: str) -> list[tuple[Any, ...]]:
    resp = await client.get("/api/privacy/dpo/audit", params={"subject": subject}, headers=dpo)
    assert resp.status_code == 200, resp.text
    return [(a["staff_name"], a["what"], a["why"]) for a in resp.json()["items"]]


async def test_reading_a_customer_360_and_timeline_is_audited(
    client: AsyncClient, db: AsyncSession, app: FastAPI
) -> None:
    await build_shop(db)  # the demo brand
    agent = await staff(client, db, email="ava@example.com", roles=["agent"], brands=[SLUG])
    dpo = await staff(client, db, email="dana@example.com", roles=["dpo"], brands=[SLUG])
    made = await client.post(
        "/api/crm/customers",
        json={"brand": SLUG, "display_name": "Giulia Bianchi"},
        headers=agent,
    )
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    subject = f"customer:{cid}"
    assert await audit(client, dpo, subject) == []

    view = await client.get(
        f"/api/crm/customers/{cid}", params={"reason": "Call about her order"}, headers=agent
    )
    assert view.status_code == 200 and view.json()["profile"]["display_name"] == "Giulia Bianchi"
    assert (
        await client.get(f"/api/crm/customers/{cid}/timeline", headers=agent)
    ).status_code == 200
    # Newest first; a read without a reason is still written, and shows as such.
    assert await audit(client, dpo, subject) == [
        ("Staff Member", "crm.timeline", "no reason given"),
        ("Staff Member", "crm.customer_360", "Call about her order"),
    ]
    # A profile the caller may not see is neither shown nor logged.
    other = await staff(client, db, email="b@example.com", roles=["agent"], brands=["nowhere"])
    assert (await client.get(f"/api/crm/customers/{cid}", headers=other)).status_code == 404
    assert len(await audit(client, dpo, subject)) == 2


async def test_reading_a_transcript_and_the_agenda_is_audited(
    client: AsyncClient, db: AsyncSession, app: FastAPI
) -> None:
    await build_shop(db)
    agent = await staff(client, db, email="ava@example.com", roles=["agent"], brands=[SLUG])
    dpo = await staff(client, db, email="dana@example.com", roles=["dpo"], brands=[SLUG])
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as mia:
        resp = await mia.post("/api/auth/guest", json={"display_name": "Mia"})
        assert resp.status_code == 201, resp.text
        mia.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
        subject = f"guest:{resp.json()['id']}"
        started = await mia.post(
            "/api/conversations",
            json={"brand": SLUG, "body": "My order is late"},
        )
        assert started.status_code == 201, started.text
        conversation = started.json()["id"]
        day = next_weekday(2)
        booked = await mia.post(
            f"/api/brands/{SLUG}/appointments",
            json={
                "type": "advice",
                "start": paris(day, 10).isoformat(),
                "customer": {"email": "mia@example.org"},
            },
        )
        assert booked.status_code == 201, booked.text

    read = await client.get(f"/api/console/conversations/{conversation}", headers=agent)
    assert read.status_code == 200
    assert "My order is late" in [m["body"] for m in read.json()["messages"]]
    agenda = await client.get(
        "/api/staff/scheduling/agenda",
        params={"brand": SLUG, "day": day.isoformat()},
        headers=agent,
    )
    assert agenda.json()["appointments"][0]["customer_email"] == "mia@example.org"

    log = await audit(client, dpo, subject)
    assert log[0] == ("Staff Member", "scheduling.agenda", f"agenda of {day.isoformat()}")
    assert log[1][:2] == ("Staff Member", "conversations.transcript")
    assert conversation in log[1][2]
    assert len(log) == 2  # nothing else was logged about her
