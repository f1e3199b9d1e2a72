"""Privacy fixtures: two brands, guests with their own cookie jars, DPOs per brand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import login, make_staff
from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data, ensure_demo_brand
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.core.security import Principal, Role
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.crm.verification import Level
from vitrina.identity.customer_service import complete, new_challenge, sha
from vitrina.privacy import requests
from vitrina.privacy.models import PrivacyRequest
from vitrina.services import services_of

OTHER_SLUG = "borealis-bikes"
ALL_OPTIONAL = {
    "analytics": True,
    "personalisation": True,
    "gaze_dwell": True,
    "marketing": True,
}


@pytest.fixture
async def brand(db: AsyncSession) -> Brand:
    made, _ = await ensure_demo_brand(db)
    await db.commit()
    return made


@pytest.fixture
async def other_brand(db: AsyncSession, brand: Brand) -> Brand:
    data = demo_brand_data().model_copy(update={"slug": OTHER_SLUG, "name": "Borealis Bikes"})
    made = await brands.create(db, data=data)
    await db.commit()
    return made


class Guest:
    """A visitor's browser: its own cookies and the CSRF header its writes must carry."""

    def __init__(self, client: AsyncClient, session_id: str) -> None:
        self.http = client
        self.session_id = session_id
        self.subject = f"guest:{session_id}"

    async def consent(
        self, slug: str, choices: dict[str, bool], channel: str = "storefront_2d"
    ) -> Any:
        resp = await self.http.put(
            f"/api/privacy/brands/{slug}/consents", json={"choices": choices, "channel": channel}
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def signals(self, slug: str, events: list[dict[str, Any]]) -> Any:
        resp = await self.http.post("/api/insights/signals", json={"brand": slug, "events": events})
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
async def make_guest(app: FastAPI) -> AsyncIterator[Callable[[], Awaitable[Guest]]]:
    clients: list[AsyncClient] = []

    async def make() -> Guest:
        client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        resp = await client.post("/api/auth/guest", json={"display_name": "Mia"})
        assert resp.status_code == 201, resp.text
        body = resp.json()
        client.headers["X-CSRF-Token"] = body["csrf_token"]
        return Guest(client, body["id"])

    yield make
    for c in clients:
        await c.aclose()


async def staff(
    client: AsyncClient, db: AsyncSession, *, email: str, roles: list[str], brands: list[str]
) -> dict[str, str]:
    await make_staff(db, email=email, roles=roles, brand_slugs=brands)
    return await login(client, email)


def signal(kind: str, at: datetime | None = None, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "product": "aurora-e",
        "part": "seat",
        "at": (at or utcnow()).isoformat(),
    }
    if kind in ("dwell", "gaze"):
        event["duration_ms"] = 1500
    event.update(extra)
    return event


async def wait_for_request(
    http: AsyncClient, path: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Polls a request's progress as a client would, until it is finished."""
    seen: list[float] = []
    for _ in range(400):
        resp = await http.get(path, headers=headers or {})
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        seen.append(body["progress"])
        if body["status"] in ("done", "failed"):
            assert seen == sorted(seen), "progress never goes backwards"
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"request still {body['status']} at {body['progress']}")


async def prove_email(
    db: AsyncSession, settings: Settings, brand_id: str, guest: Guest, email: str
) -> str:
    """The guest asks for an email code and proves it (the code's mail aside); returns the
    customer id."""
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


async def run_request(
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
