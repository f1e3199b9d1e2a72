"""The right to erasure by crypto-shredding, proven on a sample table of another domain."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Column, MetaData, String, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL, Guest, signal, wait_for_request
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.db import Base
from vitrina.insights.models import DwellAggregate
from vitrina.privacy import keys, registry
from vitrina.privacy.models import PrivacyRequest
from vitrina.services import services_of

SLUG = "aurora-motors"
EMAIL = "mia.rossi.unique@example.org"
PHONE = "+39 333 765 4321"
MakeGuest = Callable[[], Awaitable[Guest]]

sample_metadata = MetaData()
# What a domain such as the CRM keeps: a row per subject, personal fields sealed.
sample_profile = Table(
    "sample_profile",
    sample_metadata,
    Column("subject", String(64), primary_key=True),
    Column("email", String(400)),
    Column("phone", String(400)),
    Column("plan", String(20)),
)


@pytest.fixture
async def sample_source(app: FastAPI) -> AsyncIterator[None]:
    async with services_of(app).engine.begin() as conn:
        await conn.run_sync(sample_metadata.create_all)

    async def export(db: AsyncSession, req: registry.DataRequest) -> list[registry.Row]:
        rows = await db.execute(
            select(sample_profile).where(sample_profile.c.subject == req.subject)
        )
        out = []
        for row in rows:
            out.append(
                {
                    "email": await keys.decrypt_for(
                        db, req.settings, subject=req.subject, token=row.email
                    ),
                    "phone": await keys.decrypt_for(
                        db, req.settings, subject=req.subject, token=row.phone
                    ),
                    "plan": row.plan,
                }
            )
        return out

    async def erase(db: AsyncSession, req: registry.DataRequest) -> int:
        return 0  # the rows stay (think of backups and logs): shredding the key is enough

    registry.register(
        registry.PersonalDataSource(
            name="sample.profile", tables=["sample_profile"], export=export, erase=erase
        )
    )
    yield
    registry.unregister("sample.profile")
    async with services_of(app).engine.begin() as conn:
        await conn.run_sync(sample_metadata.drop_all)


async def dump_everything(db: AsyncSession) -> str:
    parts = []
    for table in [*Base.metadata.sorted_tables, sample_profile]:
        for row in await db.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608
            parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


async def test_erasure_shreds_the_subject_everywhere(
    app: FastAPI,
    sample_source: None,
    make_guest: MakeGuest,
    brand: Brand,
    db: AsyncSession,
    settings: Settings,
    capfd: pytest.CaptureFixture[str],
) -> None:
    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    await guest.signals(SLUG, [signal("dwell", part="seat", duration_ms=2500), signal("click")])
    await db.execute(
        insert(sample_profile).values(
            subject=guest.subject,
            email=await keys.encrypt_for(db, settings, subject=guest.subject, value=EMAIL),
            phone=await keys.encrypt_for(db, settings, subject=guest.subject, value=PHONE),
            plan="gold",
        )
    )
    await db.commit()
    assert EMAIL not in await dump_everything(db)

    # An export first: it shows the decrypted values, and its archive must not outlive erasure.
    export = (
        await guest.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "access"})
    ).json()
    await wait_for_request(guest.http, f"/api/privacy/requests/{export['id']}")
    archive = await guest.http.get(f"/api/privacy/requests/{export['id']}/download")
    profile = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("sample.profile.json"))
    assert profile == [{"email": EMAIL, "phone": PHONE, "plan": "gold"}]

    erasure = (
        await guest.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "erasure"})
    ).json()
    done = await wait_for_request(guest.http, f"/api/privacy/requests/{erasure['id']}")
    assert done["status"] == "done"
    assert done["summary"]["data_key_destroyed"] == 1
    assert done["summary"]["archives_deleted"] == 1
    assert done["summary"]["insights.dwell"] == 1

    db.expire_all()
    # The sealed rows are still there, but nothing can open them.
    row = (await db.execute(select(sample_profile))).one()
    assert await keys.decrypt_for(db, settings, subject=guest.subject, token=row.email) is None
    # The export is gone, and no new one can be made.
    assert (await guest.http.get(f"/api/privacy/requests/{export['id']}/download")).status_code in (
        404,
    )
    again = await guest.http.post(f"/api/privacy/brands/{SLUG}/requests", json={"kind": "access"})
    assert again.status_code == 409 and again.json()["code"] == "subject_erased"
    # Signals and consent for the erased subject are refused from now on.
    assert await guest.signals(SLUG, [signal("click")]) == {
        "accepted": 0,
        "rejected": {"erased_subject": 1},
    }
    resp = await guest.http.put(
        f"/api/privacy/brands/{SLUG}/consents",
        json={"choices": {"analytics": True}, "channel": "privacy_centre"},
    )
    assert resp.status_code == 409
    # Statistics stay right: the dwell time is kept, no longer linked to the visitor.
    dwell = list((await db.execute(select(DwellAggregate))).scalars())
    assert [(d.total_ms, d.subject.startswith("erased:")) for d in dwell] == [(2500, True)]
    assert (
        await db.execute(
            select(func.count())
            .select_from(DwellAggregate)
            .where(DwellAggregate.subject == guest.subject)
        )
    ).scalar_one() == 0

    # No table, no database file and no log line holds the erased values.
    everything = await dump_everything(db)
    assert EMAIL not in everything and PHONE not in everything
    if settings.resolved_database_url.startswith("sqlite"):
        db_file = Path(settings.resolved_database_url.split("///", 1)[1])
        for path in db_file.parent.glob(db_file.name + "*"):
            raw = path.read_bytes()
            assert EMAIL.encode() not in raw and PHONE.encode() not in raw, path
    assert not list((settings.data_dir / "exports").glob("*.zip"))
    out, err = capfd.readouterr()
    assert EMAIL not in out + err and PHONE not in out + err
    request_row = await db.get(PrivacyRequest, erasure["id"])
    assert request_row is not None and request_row.archive is None


async def test_an_export_that_finishes_after_an_erasure_leaves_no_archive(
    app: FastAPI, make_guest: MakeGuest, brand: Brand, db: AsyncSession, settings: Settings
) -> None:
    from vitrina.privacy import requests

    guest = await make_guest()
    await guest.consent(SLUG, ALL_OPTIONAL)
    export = await requests.create(
        db, brand_id=brand.id, subject=guest.subject, kind="access", requested_by="subject"
    )
    erasure = await requests.create(
        db, brand_id=brand.id, subject=guest.subject, kind="erasure", requested_by="subject"
    )
    await db.commit()
    sessions = services_of(app).sessions
    # The erasure completes first; the export, already collected, is finished afterwards.
    await requests.run(sessions=sessions, settings=settings, request_id=erasure.id)
    await requests.run(sessions=sessions, settings=settings, request_id=export.id)
    db.expunge_all()
    done = await requests.get_or_raise(db, request_id=export.id)
    assert (done.status, done.error, done.archive) == ("failed", "subject erased", None)
    assert not list((settings.data_dir / "exports").glob("*"))
