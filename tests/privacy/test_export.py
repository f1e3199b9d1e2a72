"""The right of access: a ZIP of JSON and CSV built in the background, with progress."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL, OTHER_SLUG, Guest, signal, staff, wait_for_request
from vitrina.app import create_app
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.privacy import registry, requests

SLUG = "aurora-motors"
MakeGuest = Callable[[], Awaitable[Guest]]


async def test_a_visitor_downloads_everything_held_about_them(
    make_guest: MakeGuest, brand: Brand
) -> None:
    guest, stranger = await make_guest(), await make_guest()
    for g in (guest, stranger):
        await g.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [signal("click", part="wheel"), signal("dwell", part="seat")])
    await stranger.signals(SLUG, [signal("click", part="stranger-part")])

    resp = await guest.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "access"})
    assert resp.status_code == 202, resp.text
    filed = resp.json()
    assert filed["kind"] == "access" and filed["status"] in ("pending", "running", "done")
    done = await wait_for_request(guest.http, f"/api/privacy/requests/{filed['id']}")
    assert done["status"] == "done" and done["progress"] == 1.0

    download = await guest.http.get(f"/api/privacy/requests/{filed['id']}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(archive.namelist())
    for source in registry.sources():
        assert {f"{source.name}.json", f"{source.name}.csv"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["subject"] == guest.subject

    events = json.loads(archive.read("insights.events.json"))
    assert [(e["kind"], e["part"]) for e in events] == [("click", "wheel")]
    dwell = list(csv.DictReader(io.StringIO(archive.read("insights.dwell.csv").decode())))
    assert [(d["part"], d["dwell_ms"]) for d in dwell] == [("seat", "1500")]
    consents = json.loads(archive.read("privacy.consents.json"))
    assert {c["purpose"] for c in consents} == set(ALL_OPTIONAL)
    everything = b"".join(archive.read(name) for name in names)
    assert b"stranger-part" not in everything
    assert stranger.subject.encode() not in everything


async def test_nobody_else_can_read_a_request_or_its_archive(
    make_guest: MakeGuest, brand: Brand
) -> None:
    guest, other = await make_guest(), await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    filed = (
        await guest.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "access"})
    ).json()
    await wait_for_request(guest.http, f"/api/privacy/requests/{filed['id']}")
    for path in (
        f"/api/privacy/requests/{filed['id']}",
        f"/api/privacy/requests/{filed['id']}/download",
    ):
        resp = await other.http.get(path)
        assert resp.status_code == 404
        assert resp.json()["code"] == "privacy_request_not_found"


async def test_a_second_request_while_one_is_open_returns_the_same(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession
) -> None:
    from vitrina.privacy import requests

    guest = await make_guest()
    first = await requests.create(
        db, brand_id=brand.id, subject=guest.subject, kind="access", requested_by="subject"
    )
    again = await requests.create(
        db, brand_id=brand.id, subject=guest.subject, kind="access", requested_by="subject"
    )
    assert first.id == again.id
    assert (first.due_at - first.requested_at).days == 30


async def test_dpo_console_lists_due_requests_per_brand_and_audits_downloads(
    make_guest: MakeGuest, brand: Brand, other_brand: Brand, client: AsyncClient, db: AsyncSession
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    dpo_a = await staff(client, db, email="dpo-a@example.com", roles=["dpo"], brands=[SLUG])
    dpo_b = await staff(client, db, email="dpo-b@example.com", roles=["dpo"], brands=[OTHER_SLUG])
    agent = await staff(client, db, email="agent@example.com", roles=["agent"], brands=[SLUG])

    resp = await client.post(
        "/api/privacy/dpo/requests",
        json={
            "brand": SLUG,
            "subject": guest.subject,
            "kind": "access",
            "reason": "Letter of 3 May",
        },
        headers=dpo_a,
    )
    assert resp.status_code == 202, resp.text
    rid = resp.json()["id"]
    done = await wait_for_request(client, f"/api/privacy/dpo/requests/{rid}", dpo_a)
    assert done["requested_by"].startswith("staff:")

    page = (await client.get("/api/privacy/dpo/requests", headers=dpo_a)).json()
    assert [r["id"] for r in page["items"]] == [rid]
    assert page["items"][0]["overdue"] is False
    assert (await client.get("/api/privacy/dpo/requests", headers=dpo_b)).json()["total"] == 0
    assert (await client.get(f"/api/privacy/dpo/requests/{rid}", headers=dpo_b)).status_code == 404
    assert (await client.get("/api/privacy/dpo/requests", headers=agent)).status_code == 403

    no_reason = await client.get(f"/api/privacy/dpo/requests/{rid}/download", headers=dpo_a)
    assert no_reason.status_code == 422
    got = await client.get(
        f"/api/privacy/dpo/requests/{rid}/download",
        params={"reason": "Sending the copy to the customer"},
        headers=dpo_a,
    )
    assert got.status_code == 200
    audit = (await client.get("/api/privacy/dpo/audit", headers=dpo_a)).json()
    assert [(a["what"], a["why"]) for a in audit["items"]] == [
        ("privacy.access_export", "Sending the copy to the customer"),
        ("privacy.access_request", "Letter of 3 May"),
    ]
    assert (await client.get("/api/privacy/dpo/audit", headers=dpo_b)).json()["total"] == 0


async def test_a_request_a_crash_left_running_is_taken_up_at_the_next_start(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession, settings: Settings
) -> None:
    """Without this the subject would wait forever: a new request returns the open one."""
    crashed, busy = await make_guest(), await make_guest()
    left = await requests.create(
        db, brand_id=brand.id, subject=crashed.subject, kind="access", requested_by="subject"
    )
    elsewhere = await requests.create(
        db, brand_id=brand.id, subject=busy.subject, kind="access", requested_by="subject"
    )
    left.status, left.step = "running", "collecting crm"
    left.started_at = utcnow() - requests.STALE_AFTER - timedelta(minutes=1)
    # Still running in another process, and recently started: not ours to take.
    elsewhere.status, elsewhere.started_at = "running", utcnow()
    await db.commit()

    restarted = create_app(settings)
    async with restarted.router.lifespan_context(restarted):
        done = await wait_for_request(crashed.http, f"/api/privacy/requests/{left.id}")
    assert done["status"] == "done" and done["progress"] == 1.0
    download = await crashed.http.get(f"/api/privacy/requests/{left.id}/download")
    assert download.status_code == 200
    still = await busy.http.get(f"/api/privacy/requests/{elsewhere.id}")
    assert still.json()["status"] == "running"


async def test_a_running_server_takes_up_what_a_crashed_node_left_running(
    make_guest: MakeGuest, brand: Brand, db: AsyncSession, settings: Settings
) -> None:
    """Another node died mid-export: the nodes still running take the request over at
    their next sweep, without waiting for a restart."""
    node = create_app(settings.model_copy(update={"privacy_sweep_s": 0.2}))
    async with node.router.lifespan_context(node):
        crashed = await make_guest()
        left = await requests.create(
            db, brand_id=brand.id, subject=crashed.subject, kind="access", requested_by="subject"
        )
        left.status, left.step = "running", "collecting crm"
        left.started_at = utcnow() - requests.STALE_AFTER - timedelta(minutes=1)
        await db.commit()
        done = await wait_for_request(crashed.http, f"/api/privacy/requests/{left.id}")
    assert done["status"] == "done" and done["progress"] == 1.0
    download = await crashed.http.get(f"/api/privacy/requests/{left.id}/download")
    assert download.status_code == 200
