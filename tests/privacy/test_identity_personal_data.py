"""Identity's personal data: a guest's name, its sign-in proofs and verifications."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import Guest, prove_email, run_request
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.crm.models import CustomerVerification
from vitrina.identity.models import CustomerChallenge, GuestSession

MakeGuest = Callable[[], Awaitable[Guest]]
EMAIL = "mia.identity.test@example.org"
STRANGER_EMAIL = "someone.else@example.org"


def _section(archive: str | None, name: str) -> Any:
    assert archive is not None
    return json.loads(zipfile.ZipFile(archive).read(f"{name}.json"))


async def _count(db: AsyncSession, column: Any, value: str) -> int:
    """Rows whose `column` reads `value` (sealed columns are opened first)."""
    rows = (await db.execute(select(column.class_))).scalars()
    return sum(1 for row in rows if getattr(row, column.key) == value)


async def test_a_guest_is_exported_then_erased(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand, make_guest: MakeGuest
) -> None:
    guest, stranger = await make_guest(), await make_guest()
    brand_id = brand.id
    await prove_email(db, settings, brand_id, guest, EMAIL)
    await prove_email(db, settings, brand_id, stranger, STRANGER_EMAIL)
    await db.commit()

    done = await run_request(app, db, settings, brand_id, guest.subject, "access")
    assert [s["display_name"] for s in _section(done.archive, "identity.guest_session")] == ["Mia"]
    proofs = _section(done.archive, "identity.verification")
    assert sorted(p["record"] for p in proofs) == ["challenge", "verification"]
    assert {p["identifier"] for p in proofs} == {EMAIL}

    erased = await run_request(app, db, settings, brand_id, guest.subject, "erasure")
    assert erased.summary["identity.verification"] == 2
    assert erased.summary["identity.guest_session"] == 1
    session = await db.get(GuestSession, guest.session_id)
    assert session is not None and session.display_name == "Guest"
    assert await _count(db, CustomerChallenge.subject, EMAIL) == 0
    assert await _count(db, CustomerVerification.identifier, EMAIL) == 0
    # The other visitor keeps everything.
    assert await _count(db, CustomerChallenge.subject, STRANGER_EMAIL) == 1
    assert await _count(db, CustomerVerification.identifier, STRANGER_EMAIL) == 1
    other = await db.get(GuestSession, stranger.session_id)
    assert other is not None and other.display_name == "Mia"


async def test_a_customer_is_found_through_the_sessions_it_verified(
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    brand: Brand,
    other_brand: Brand,
    make_guest: MakeGuest,
) -> None:
    guest = await make_guest()
    brand_id, other_id = brand.id, other_brand.id
    customer_id = await prove_email(db, settings, brand_id, guest, EMAIL)
    await db.commit()
    subject = f"customer:{customer_id}"

    foreign = await run_request(app, db, settings, other_id, subject, "access")
    assert _section(foreign.archive, "identity.verification") == []

    done = await run_request(app, db, settings, brand_id, subject, "access")
    proofs = _section(done.archive, "identity.verification")
    assert sorted(p["record"] for p in proofs) == ["challenge", "verification"]
    assert _section(done.archive, "identity.guest_session") == []

    erased = await run_request(app, db, settings, brand_id, subject, "erasure")
    assert erased.summary["identity.verification"] == 2
    assert await _count(db, CustomerChallenge.session_id, guest.session_id) == 0
    assert await _count(db, CustomerVerification.customer_id, customer_id) == 0
