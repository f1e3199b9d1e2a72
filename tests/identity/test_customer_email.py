"""Email one-time codes over a real SMTP server on loopback, and linking identities."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import AURORA, KEY_B, account, guest, make_brands, siwe_sign_in
from tests.smtp import SmtpCapture
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.crm.models import CustomerIdentity, CustomerProfile, ProfileMerge
from vitrina.identity.models import CustomerChallenge
from vitrina.services import services_of


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCapture) -> Settings:
    return smtp_server.configure(settings)


async def _request_code(client: AsyncClient, smtp: SmtpCapture, email: str) -> tuple[str, str]:
    before = len(smtp.messages)
    resp = await client.post(
        "/api/customer-auth/email/start", json={"brand": AURORA, "email": email}
    )
    assert resp.status_code == 202, resp.text
    mail = await smtp.wait_for(lambda m: smtp.messages.index(m) >= before)
    match = re.search(r"\b(\d{6})\b", mail.get_content())
    assert match is not None
    return resp.json()["challenge_id"], match[1]


async def test_code_by_email_verifies_the_session(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    async with guest(app) as client:
        challenge_id, code = await _request_code(client, smtp_server, "  Mia.Rossi@Example.COM ")
        mail = smtp_server.messages[-1]
        assert mail["To"] == "mia.rossi@example.com"
        # A lock screen shows the subject to whoever holds the phone: the code is not in it.
        assert mail["Subject"] == "Your Aurora Motors sign-in code"
        assert code not in mail["Subject"]
        resp = await client.post(
            "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert (body["method"], body["level"], body["identifier"]) == (
            "email",
            1,
            "mia.rossi@example.com",
        )
        again = await client.post(
            "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert again.json()["code"] == "email_code_expired"
    stored = (await db.execute(select(CustomerChallenge))).scalar_one()
    assert code not in stored.secret_hash


async def test_brute_force_locks_the_code(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture, settings: Settings
) -> None:
    await make_brands(db)
    async with guest(app) as client:
        challenge_id, code = await _request_code(client, smtp_server, "mia@example.com")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(settings.email_code_max_attempts):
            resp = await client.post(
                "/api/customer-auth/email/verify",
                json={"challenge_id": challenge_id, "code": wrong},
            )
            assert resp.status_code == 401
            assert resp.json()["code"] == "email_invalid_code"
        right = await client.post(
            "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert right.status_code == 401
        assert right.json()["code"] == "email_code_expired"
        assert (await client.get("/api/customer-auth/status")).json()["verified"] is False
    assert (await db.execute(select(CustomerIdentity))).first() is None


async def test_an_expired_code_is_refused(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    async with guest(app) as client:
        challenge_id, code = await _request_code(client, smtp_server, "mia@example.com")
        await db.execute(
            update(CustomerChallenge).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
        resp = await client.post(
            "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert resp.json()["code"] == "email_code_expired"


async def test_sending_codes_is_rate_limited(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    async with guest(app) as client:
        statuses = [
            (
                await client.post(
                    "/api/customer-auth/email/start",
                    json={"brand": AURORA, "email": "target@example.com"},
                )
            ).status_code
            for _ in range(5)
        ]
    assert statuses[:3] == [202, 202, 202]
    assert statuses[3:] == [429, 429]
    assert len(smtp_server.messages) == 3


async def test_a_code_is_bound_to_the_session_that_asked(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    async with guest(app) as alice, guest(app, "Eve") as eve:
        challenge_id, code = await _request_code(alice, smtp_server, "alice@example.com")
        stolen = await eve.post(
            "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert stolen.json()["code"] == "email_invalid_code"


async def test_linking_needs_a_verified_session_and_adds_the_identifier(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    wallet = account()
    async with guest(app) as client:
        challenge_id, code = await _request_code(client, smtp_server, "mia@example.com")
        refused = await client.post(
            "/api/customer-auth/email/verify",
            json={"challenge_id": challenge_id, "code": code, "link": True},
        )
        assert refused.status_code == 403
        signed_in = (await siwe_sign_in(client, wallet)).json()
        challenge_id, code = await _request_code(client, smtp_server, "mia@example.com")
        linked = await client.post(
            "/api/customer-auth/email/verify",
            json={"challenge_id": challenge_id, "code": code, "link": True},
        )
        assert linked.status_code == 200, linked.text
        assert linked.json()["customer_id"] == signed_in["customer_id"]
        assert linked.json()["level"] == 2  # the stronger proof still holds
    rows = (await db.execute(select(CustomerIdentity).order_by(CustomerIdentity.kind))).scalars()
    assert [(r.kind, r.profile_id) for r in rows] == [
        ("email", signed_in["customer_id"]),
        ("wallet", signed_in["customer_id"]),
    ]


async def test_proving_two_customers_identifiers_merges_them(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    async with guest(app) as by_mail:
        challenge_id, code = await _request_code(by_mail, smtp_server, "mia@example.com")
        mail_customer = (
            await by_mail.post(
                "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
            )
        ).json()["customer_id"]
    async with guest(app) as both:
        wallet_customer = (await siwe_sign_in(both, account(KEY_B))).json()["customer_id"]
        assert wallet_customer != mail_customer
        challenge_id, code = await _request_code(both, smtp_server, "mia@example.com")
        linked = await both.post(
            "/api/customer-auth/email/verify",
            json={"challenge_id": challenge_id, "code": code, "link": True},
        )
        assert linked.json()["customer_id"] == wallet_customer
    merged = await db.get(CustomerProfile, mail_customer)
    assert merged is not None
    assert merged.merged_into_id == wallet_customer
    record = (await db.execute(select(ProfileMerge))).scalar_one()
    assert record.actor == "customer-proof"
    assert "mia@example.com" in record.reason


async def test_an_unreachable_relay_is_reported_and_leaves_no_code(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    await make_brands(db)
    services_of(app).mailer.port = 9  # nothing listens on the discard port
    async with guest(app) as client:
        resp = await client.post(
            "/api/customer-auth/email/start", json={"brand": AURORA, "email": "mia@example.com"}
        )
    assert resp.status_code == 503
    assert resp.json()["code"] == "email_unavailable"
    assert (await db.execute(select(CustomerChallenge))).first() is None


async def test_a_customer_signs_in_in_a_browser_that_holds_a_stale_staff_session(
    app: FastAPI, db: AsyncSession, smtp_server: SmtpCapture
) -> None:
    """The browser once held a staff session (expired, revoked or signed out elsewhere):
    starting a guest session and signing in by e-mail code still work, on the storefront's
    own CSRF token."""
    await make_brands(db)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        c.cookies.set("vitrina_session", "expired-or-revoked-session-token")
        c.cookies.set("vitrina_csrf", "old-csrf-value")
        started = await c.post("/api/auth/guest", json={"brand_slug": AURORA})
        assert started.status_code == 201, started.text
        assert c.cookies.get("vitrina_session") == "expired-or-revoked-session-token"
        c.headers["x-csrf-token"] = started.json()["csrf_token"]
        challenge_id, code = await _request_code(c, smtp_server, "back@example.com")
        resp = await c.post(
            "/api/customer-auth/email/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["identifier"] == "back@example.com"
