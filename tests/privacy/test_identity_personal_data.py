"""Identity's personal data: a guest's name, its sign-in proofs and verifications."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import Guest
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.security import Principal, Role
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.identity.customer_service import complete, new_challenge, sha
from vitrina.identity.models import CustomerChallenge, CustomerVerification, GuestSession
from vitrina.identity.verification import Level
from vitrina.privacy import requests
from vitrina.privacy.models import PrivacyRequest

MakeGuest = Callable[[], Awaitable[Guest]]
EMAIL = "mia.identity.test@example.org"
STRANGER_EMAIL = "someone.else@example.org"


async def _prove(
    db: AsyncSession, settings: Settings, brand_id: str, guest: Guest, email: str
) -> str:
    """The guest asks for an email code and proves it; returns the customer id."""
    principal = Principal(
        kind="guest",
        session_id=guest.session_id,
        display_name="Mia",
        roles=frozenset({Role.CUSTOMER}),
    )
    challenge = await new_challenge(
        db,
        kind="email",
        principal=principal,
        brand_id=brand_id,
        secret_hash=sha(f"{guest.session_id}:{email}"),
        subject=email,
    )
    challenge.used_at = challenge.created_at
    outcome = await complete(
        db,
        bus=None,
        settings=settings,
        principal=principal,
        brand_id=brand_id,
        identifier=normalise(IdentityKind.EMAIL, email),
        chain_id=None,
        method="email",
        level=Level.EMAIL_CODE,
        link=False,
    )
    return outcome.verified.customer_id


async def _run(
    app: FastAPI, db: AsyncSession, settings: Settings, brand_id: str, subject: str, kind: str
) -> PrivacyRequest:
    req = await requests.create(
        db, brand_id=brand_id, subject=subject, kind=kind, requested_by="dpo"
    )
    request_id = req.id
    await db.commit()
    await requests.run(sessions=app.state.sessions, settings=settings, request_id=request_id)
    db.expire_all()
    done = await requests.get_or_raise(db, request_id=request_id)
    assert done.status == "done", done.error
    return done


def _section(archive: str | None, name: str) -> Any:
    assert archive is not None
    return json.loads(zipfile.ZipFile(archive).read(f"{name}.json"))


async def _count(db: AsyncSession, column: Any, value: str) -> int:
    return int((await db.execute(select(func.count()).where(column == value))).scalar_one())


async def test_a_guest_is_exported_then_erased(
    app: FastAPI, db: AsyncSession, settings: Settings, brand: Brand, make_guest: MakeGuest
) -> None:
    guest, stranger = await make_guest(), await make_guest()
    brand_id = brand.id
    await _prove(db, settings, brand_id, guest, EMAIL)
    await _prove(db, settings, brand_id, stranger, STRANGER_EMAIL)
    await db.commit()

    done = await _run(app, db, settings, brand_id, guest.subject, "access")
    assert [s["display_name"] for s in _section(done.archive, "identity.guest_session")] == ["Mia"]
    proofs = _section(done.archive, "identity.verification")
    assert sorted(p["record"] for p in proofs) == ["challenge", "verification"]
    assert {p["identifier"] for p in proofs} == {EMAIL}

    erased = await _run(app, db, settings, brand_id, guest.subject, "erasure")
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
    customer_id = await _prove(db, settings, brand_id, guest, EMAIL)
    await db.commit()
    subject = f"customer:{customer_id}"

    foreign = await _run(app, db, settings, other_id, subject, "access")
    assert _section(foreign.archive, "identity.verification") == []

    done = await _run(app, db, settings, brand_id, subject, "access")
    proofs = _section(done.archive, "identity.verification")
    assert sorted(p["record"] for p in proofs) == ["challenge", "verification"]
    assert _section(done.archive, "identity.guest_session") == []

    erased = await _run(app, db, settings, brand_id, subject, "erasure")
    assert erased.summary["identity.verification"] == 2
    assert await _count(db, CustomerChallenge.session_id, guest.session_id) == 0
    assert await _count(db, CustomerVerification.customer_id, customer_id) == 0
