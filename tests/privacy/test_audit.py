"""Staff access audit: reading a person's data needs a reason and leaves a trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL, OTHER_SLUG, Guest, signal, staff
from vitrina.brands.models import Brand

SLUG = "aurora-motors"
MakeGuest = Callable[[], Awaitable[Guest]]


async def test_staff_reads_are_audited_with_who_what_and_why(
    make_guest: MakeGuest, brand: Brand, other_brand: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [signal("dwell")])
    agent = await staff(client, db, email="ava@example.com", roles=["agent"], brands=[SLUG])
    dpo = await staff(client, db, email="dana@example.com", roles=["dpo"], brands=[SLUG])
    other_dpo = await staff(
        client, db, email="olga@example.com", roles=["dpo"], brands=[OTHER_SLUG]
    )

    path = f"/api/insights/brands/{SLUG}/why"
    params = {"product": "aurora-e", "subject": guest.subject}
    no_reason = await client.get(path, params=params, headers=agent)
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "access_reason_required"

    ok = await client.get(
        path, params=params | {"reason": "Customer asked on the phone"}, headers=agent
    )
    assert ok.status_code == 200
    assert ok.json()["evidence"][0]["part"] == "seat"

    # An agent of another brand gets nothing, and nothing is written in their name.
    foreign = await staff(client, db, email="b@example.com", roles=["agent"], brands=[OTHER_SLUG])
    resp = await client.get(path, params=params | {"reason": "curious"}, headers=foreign)
    assert resp.status_code == 403

    resp = await client.get(
        f"/api/privacy/dpo/brands/{SLUG}/subjects/{guest.subject}/consents",
        params={"reason": "Checking the complaint of 4 June"},
        headers=dpo,
    )
    assert resp.status_code == 200
    assert {c["purpose"] for c in resp.json()} == set(ALL_OPTIONAL)

    audit = (
        await client.get("/api/privacy/dpo/audit", params={"subject": guest.subject}, headers=dpo)
    ).json()
    assert [(a["staff_name"], a["what"], a["why"]) for a in audit["items"]] == [
        ("Staff Member", "privacy.consents", "Checking the complaint of 4 June"),
        ("Staff Member", "insights.signals", "Customer asked on the phone"),
    ]
    assert (await client.get("/api/privacy/dpo/audit", headers=other_dpo)).json()["items"] == []
    assert (await client.get("/api/privacy/dpo/audit", headers=agent)).status_code == 403


async def test_the_visitor_sees_who_read_their_data_in_the_export(
    make_guest: MakeGuest, brand: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    import io
    import json
    import zipfile

    from tests.privacy.conftest import wait_for_request

    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    agent = await staff(client, db, email="ava@example.com", roles=["agent"], brands=[SLUG])
    await client.get(
        f"/api/insights/brands/{SLUG}/interests",
        params={"subject": guest.subject, "reason": "Preparing the test drive"},
        headers=agent,
    )
    filed = (
        await guest.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "access"})
    ).json()
    await wait_for_request(guest.http, f"/api/privacy/requests/{filed['id']}")
    archive = await guest.http.get(f"/api/privacy/requests/{filed['id']}/download")
    log = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("privacy.access_log.json"))
    assert [(e["what"], e["why"]) for e in log] == [
        ("insights.signals", "Preparing the test drive")
    ]
