"""A member of staff's training records are theirs: the brand's admin or data-protection
officer exports them (sessions, transcripts, scores, remarks) and erases them on that
person's request. Training is never part of a customer's export or erasure."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import seed_demo
from tests.training.helpers import BRAND, advisor, ok, say, started
from vitrina.privacy import registry
from vitrina.services import services_of
from vitrina.training.models import TrainingComment, TrainingEvent, TrainingSession
from vitrina.training.nlu import BotReader
from vitrina.world import service as world


async def _count(db: AsyncSession, model: type, **where: str) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return int(await db.scalar(query) or 0)


async def test_an_admin_exports_and_erases_a_member_of_staffs_training_records(
    app: FastAPI, app_reader: BotReader, client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    trainee_id, trainee = await advisor(client, db, "trainee@aurora.example")
    coach_id, coach = await advisor(client, db, "coach@aurora.example", roles=["supervisor"])
    _, admin = await advisor(client, db, "admin@aurora.example", roles=["admin"])
    _, dpo = await advisor(client, db, "dpo@aurora.example", roles=["dpo"])
    rooms = services_of(app).training
    # An ended session assigned by the coach, with a remark by the coach; one running.
    assigned = await ok(
        client,
        "POST",
        "/api/training/sessions",
        coach,
        json={"brand": BRAND, "scenario": "late-delivery", "trainee_id": trainee_id},
    )
    await ok(client, "POST", f"/api/training/sessions/{assigned['id']}/start", trainee)
    await say(client, trainee, assigned["id"], "Good morning and welcome to Aurora Motors.")
    await ok(client, "POST", f"/api/training/sessions/{assigned['id']}/end", trainee)
    await ok(
        client,
        "POST",
        f"/api/training/sessions/{assigned['id']}/comments",
        coach,
        json={"remark": "Warm welcome; ask for the order number sooner."},
    )
    running = await started(client, trainee, scenario="financing-question")
    records = f"/api/training/brands/{BRAND}/staff/{trainee_id}/records"

    # The access request: everything training holds about the trainee, to the admin or DPO.
    refused = await client.get(records, headers=coach)
    assert refused.status_code == 403
    export = await ok(client, "GET", records, dpo)
    assert export == await ok(client, "GET", records, admin)
    assert [s["id"] for s in export["sessions"]] == [assigned["id"], running["id"]]
    first = export["sessions"][0]
    assert first["state"] == "ended" and first["score_percent"] is not None
    assert first["assigned_by"] == coach_id
    said = [e["line"] for e in first["events"] if e["who"] == "trainee"]
    assert said == ["Good morning and welcome to Aurora Motors."]
    assert [c["remark"] for c in first["comments"]] == [
        "Warm welcome; ask for the order number sooner."
    ]
    # The coach's own records: the remark they wrote, the session they assigned.
    theirs = await ok(
        client, "GET", f"/api/training/brands/{BRAND}/staff/{coach_id}/records", admin
    )
    assert theirs["sessions"] == []
    assert [r["session_id"] for r in theirs["remarks_written"]] == [assigned["id"]]
    assert theirs["sessions_assigned"] == [assigned["id"]]

    # The coach leaves and asks for erasure: the remark stays for the trainee, unsigned.
    gone = await ok(client, "DELETE", f"/api/training/brands/{BRAND}/staff/{coach_id}/records", dpo)
    assert (gone["sessions"], gone["remarks_unsigned"], gone["assignments_cleared"]) == (0, 1, 1)
    seen = await ok(client, "GET", f"/api/training/sessions/{assigned['id']}", trainee)
    assert [(c["author"], c["remark"]) for c in seen["comments"]] == [
        ("", "Warm welcome; ask for the order number sooner.")
    ]
    assert seen["assigned_by"] is None
    after = await ok(client, "GET", f"/api/training/brands/{BRAND}/staff/{coach_id}/records", dpo)
    assert after["remarks_written"] == [] and after["sessions_assigned"] == []

    # The trainee's erasure: sessions, transcripts, scores and remarks go; the room closes.
    assert running["id"] in rooms.live
    erased = await ok(client, "DELETE", records, admin)
    assert erased["sessions"] == 2 and erased["comments"] == 1 and erased["events"] >= 6
    db.expire_all()
    assert await _count(db, TrainingSession, trainee_id=trainee_id) == 0
    assert await _count(db, TrainingEvent) == 0
    assert await _count(db, TrainingComment) == 0
    assert rooms.live == {}
    hub = services_of(app).world_hub
    assert world.room_occupants(hub, brand=BRAND, zone=running["zone"]) == []
    assert world.zone_of(hub, brand=BRAND, zone=running["zone"]) is None
    gone_session = await client.get(f"/api/training/sessions/{running['id']}", headers=trainee)
    assert gone_session.status_code == 404
    empty = await ok(client, "GET", records, admin)
    assert empty["sessions"] == [] and empty["remarks_written"] == []
    mine = await ok(client, "GET", "/api/training/progress", trainee, params={"brand": BRAND})
    assert mine["sessions"] == 0


def test_training_is_no_part_of_a_customers_export_or_erasure() -> None:
    registry.discover()
    assert not [t for t in registry.covered_tables() if t.startswith("training_")]
    assert not [s.name for s in registry.sources() if s.name.startswith("training")]
