"""The CRM's personal data: exported for `customer:<id>`, then erased, other customers untouched."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.rows import opened
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.db import Base
from vitrina.core.security import Principal, Role
from vitrina.crm import accounts, merge
from vitrina.crm import service as crm
from vitrina.crm.account_models import AccountAccess
from vitrina.crm.demo import DEMO_EMAIL, DEMO_NAME, seed_demo_customer
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.crm.models import CustomerProfile, ProfileMerge
from vitrina.privacy import requests
from vitrina.privacy.models import PrivacyRequest
from vitrina.privacy.subjects import customer
from vitrina.services import services_of

SLUG = "aurora-motors"
OTHER_EMAIL = "second.address.of.giulia@example.org"
NOTE = "Prefers calls after 18:00, allergic to leather seats"
TIMELINE = "Test drive of the Vela Hybrid in Milan"
STRANGER_NAME = "Paolo Verdi"
STAFF = Principal(
    kind="staff",
    session_id="staff-session",
    display_name="Anna Advisor",
    user_id="staff-user",
    roles=frozenset({Role.ADMIN}),
    brand_slugs=frozenset({SLUG}),
)


async def _run(
    app: FastAPI, db: AsyncSession, settings: Settings, brand_id: str, subject: str, kind: str
) -> PrivacyRequest:
    req = await requests.create(
        db, brand_id=brand_id, subject=subject, kind=kind, requested_by="dpo"
    )
    request_id = req.id
    await db.commit()
    await requests.run(sessions=services_of(app).sessions, settings=settings, request_id=request_id)
    db.expire_all()
    done = await requests.get_or_raise(db, request_id=request_id)
    assert done.status == "done", done.error
    return done


def _section(archive: str, name: str) -> Any:
    return json.loads(zipfile.ZipFile(archive).read(f"{name}.json"))


async def _dump(db: AsyncSession, prefix: str) -> str:
    parts = []
    for table in Base.metadata.sorted_tables:
        if table.name.startswith(prefix):
            parts.extend(await opened(db, table.name))
    return "\n".join(parts)


async def test_a_customer_is_exported_then_erased(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand
) -> None:
    await seed_demo_customer(db)
    email = normalise(IdentityKind.EMAIL, DEMO_EMAIL)
    identity = await crm.find_identity(db, brand_id=brand.id, identifier=email)
    assert identity is not None
    profile = await crm.get_or_raise(db, customer_id=identity.profile_id)
    # A second profile of the same person, merged into the first: part of the same subject.
    twin = await crm.create(
        db,
        bus=None,
        brand_id=brand.id,
        display_name="G. Bianchi",
        identities=[(normalise(IdentityKind.EMAIL, OTHER_EMAIL), None)],
    )
    await merge.merge(
        db,
        bus=None,
        survivor_id=profile.id,
        merged_id=twin.id,
        principal=None,
        reason=f"customer proved {DEMO_EMAIL} and {OTHER_EMAIL}",
    )
    stranger = await crm.create(
        db,
        bus=None,
        brand_id=brand.id,
        display_name=STRANGER_NAME,
        identities=[(normalise(IdentityKind.EMAIL, "paolo@example.org"), None)],
    )
    await crm.add_note(db, principal=STAFF, profile=profile, body=NOTE)
    await crm.add_note(db, principal=STAFF, profile=stranger, body="Stranger's note")
    await crm.append_timeline(db, customer_id=twin.id, kind="test_drive", summary=TIMELINE)
    await accounts.read_account(
        db, principal=STAFF, customer_id=profile.id, reason="customer asked about the contract"
    )
    profile_id, stranger_id, brand_id = profile.id, stranger.id, brand.id
    await db.commit()
    subject = customer(profile_id)

    done = await _run(app, db, settings, brand_id, subject, "access")
    assert done.archive is not None
    profile_rows = _section(done.archive, "crm.profile")
    names = {r["display_name"] for r in profile_rows if r["record"] == "profile"}
    assert names == {DEMO_NAME, "G. Bianchi"}
    values = {r["value"] for r in profile_rows if r["record"] == "identity"}
    assert {DEMO_EMAIL, OTHER_EMAIL} <= values
    assert [r["reason"] for r in profile_rows if r["record"] == "merge"] == [
        f"customer proved {DEMO_EMAIL} and {OTHER_EMAIL}"
    ]
    assert [n["body"] for n in _section(done.archive, "crm.notes")] == [NOTE]
    assert [t["summary"] for t in _section(done.archive, "crm.timeline")] == [TIMELINE]
    account = _section(done.archive, "crm.account")
    assert {r["record"] for r in account} == {"financing_contract", "vehicle"}
    vehicle = next(r for r in account if r["record"] == "vehicle")
    assert vehicle["vin"] == "WAURZZZ8V4A000731" and len(vehicle["service"]) == 2
    access = _section(done.archive, "crm.account_access")
    assert [(a["actor"], a["reason"]) for a in access] == [
        ("Anna Advisor", "customer asked about the contract")
    ]
    assert "Paolo" not in json.dumps(profile_rows)

    erased = await _run(app, db, settings, brand_id, subject, "erasure")
    assert erased.summary["crm.profile"] == 2
    assert erased.summary["crm.notes"] == 1
    assert erased.summary["crm.timeline"] == 1
    assert erased.summary["crm.account"] == 2

    crm_rows = await _dump(db, "crm_")
    for value in (DEMO_NAME, DEMO_EMAIL, OTHER_EMAIL, NOTE, TIMELINE, "WAURZZZ8V4A000731"):
        assert value not in crm_rows, value
    # The profiles stay, anonymous, so that references to them hold; so does the access log.
    kept = (
        await db.execute(select(CustomerProfile).where(CustomerProfile.id == profile_id))
    ).scalar_one()
    assert (kept.display_name, kept.locale, kept.tags) == ("", None, [])
    assert (await db.execute(select(ProfileMerge.reason))).scalars().all() == [""]
    assert len((await db.execute(select(AccountAccess))).scalars().all()) == 1
    # The other customer is untouched.
    assert STRANGER_NAME in crm_rows and "Stranger's note" in crm_rows
    assert await crm.identities_of(db, profile_ids=[stranger_id])


async def test_a_customer_of_another_brand_or_a_guest_gets_nothing(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand, other_brand: Brand
) -> None:
    await seed_demo_customer(db)
    identity = await crm.find_identity(
        db, brand_id=brand.id, identifier=normalise(IdentityKind.EMAIL, DEMO_EMAIL)
    )
    assert identity is not None
    brand_id, other_id, profile_id = brand.id, other_brand.id, identity.profile_id
    await db.commit()
    done = await _run(app, db, settings, other_id, customer(profile_id), "access")
    assert done.archive is not None
    for name in ("crm.profile", "crm.notes", "crm.timeline", "crm.account"):
        assert _section(done.archive, name) == []
    erased = await _run(app, db, settings, other_id, customer(profile_id), "erasure")
    assert erased.summary["crm.profile"] == 0
    guest = await _run(app, db, settings, brand_id, f"guest:{profile_id}", "access")
    assert guest.archive is not None and _section(guest.archive, "crm.profile") == []
    assert DEMO_NAME in await _dump(db, "crm_profile")
