"""Outbound webhooks: signed with HMAC-SHA256, retried with backoff, logged per delivery."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.conftest import Receiver
from tests.crm.helpers import AURORA, make_brands
from tests.factories import login, make_staff
from vitrina.core.config import Settings
from vitrina.crm.webhooks import sign, verify_signature
from vitrina.services import services_of


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_retry_base_s": 0.2, "webhook_max_attempts": 3})


async def _supervisor(client: AsyncClient, db: AsyncSession) -> dict[str, str]:
    await make_brands(db)
    await make_staff(db, email="sup@aurora.example", roles=["supervisor"], brand_slugs=[AURORA])
    return await login(client, "sup@aurora.example")


async def _endpoint(
    client: AsyncClient, headers: dict[str, str], url: str, events: list[str]
) -> dict[str, str]:
    resp = await client.post(
        "/api/crm/webhooks", json={"brand": AURORA, "url": url, "events": events}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    data: dict[str, str] = resp.json()
    assert data["secret"].startswith("whsec_")
    return data


def test_signature_scheme() -> None:
    header = sign("whsec_test", 1_700_000_000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=")
    assert not verify_signature("whsec_test", header, b'{"a":1}')  # too old
    now = int(time.time())
    fresh = sign("whsec_test", now, b'{"a":1}')
    assert verify_signature("whsec_test", fresh, b'{"a":1}')
    assert not verify_signature("whsec_other", fresh, b'{"a":1}')
    assert not verify_signature("whsec_test", fresh, b'{"a":2}')


async def test_signed_delivery_retried_after_failures(
    client: AsyncClient, db: AsyncSession, receiver: Receiver
) -> None:
    staff = await _supervisor(client, db)
    receiver.script = [500, 503]
    endpoint = await _endpoint(client, staff, receiver.url, ["customer.created", "identity.linked"])
    created = await client.post(
        "/api/crm/customers",
        json={
            "brand": AURORA,
            "display_name": "Luca",
            "identities": [{"kind": "email", "value": "luca@example.com"}],
        },
        headers=staff,
    )
    assert created.status_code == 201
    requests = await receiver.wait_for(3)
    assert (
        len({r.headers["vitrina-delivery"] for r in requests}) == 1
    )  # one delivery, three attempts
    for r in requests:
        assert r.headers["vitrina-event"] == "customer.created"
        assert verify_signature(endpoint["secret"], r.headers["vitrina-signature"], r.body)
    payload = json.loads(requests[-1].body)
    assert payload["type"] == "customer.created"
    assert payload["customer_id"] == created.json()["id"]
    assert payload["data"]["identities"] == [{"kind": "email", "value": "luca@example.com"}]
    # Backoff: the first retry waits the base delay (0.2 s), the second twice that. A busy
    # machine only adds to the gaps, so they are checked against their lower bounds.
    first_gap = requests[1].at - requests[0].at
    second_gap = requests[2].at - requests[1].at
    assert first_gap >= 0.2 * 0.95
    assert second_gap >= 0.4 * 0.95
    # The receiver has answered the third attempt; the dispatcher records it just after.
    rows: list[tuple[str, int, int]] = []
    for _ in range(200):
        log = (
            await client.get(f"/api/crm/webhooks/{endpoint['id']}/deliveries", headers=staff)
        ).json()
        rows = [(d["status"], d["attempts"], d["last_status_code"]) for d in log]
        if rows and rows[0][0] != "pending":
            break
        await asyncio.sleep(0.05)
    assert rows == [("delivered", 3, 200)]


async def test_a_delivery_that_keeps_failing_is_marked_failed(
    app: FastAPI, client: AsyncClient, db: AsyncSession, receiver: Receiver, settings: Settings
) -> None:
    staff = await _supervisor(client, db)
    receiver.script = [500] * 10
    endpoint = await _endpoint(client, staff, receiver.url, [])
    await client.post(
        "/api/crm/customers", json={"brand": AURORA, "display_name": "Nina"}, headers=staff
    )
    await receiver.wait_for(settings.webhook_max_attempts)
    dispatcher = services_of(app).webhook_dispatcher
    await dispatcher.run_due()
    log = (await client.get(f"/api/crm/webhooks/{endpoint['id']}/deliveries", headers=staff)).json()
    assert [(d["status"], d["attempts"], d["last_error"]) for d in log] == [
        ("failed", 3, "HTTP 500")
    ]


async def test_a_rolled_back_change_sends_nothing(
    app: FastAPI, client: AsyncClient, db: AsyncSession, receiver: Receiver
) -> None:
    staff = await _supervisor(client, db)
    await _endpoint(client, staff, receiver.url, [])
    body = {"brand": AURORA, "identities": [{"kind": "email", "value": "dup@example.com"}]}
    assert (await client.post("/api/crm/customers", json=body, headers=staff)).status_code == 201
    assert (await client.post("/api/crm/customers", json=body, headers=staff)).status_code == 409
    await receiver.wait_for(1)
    dispatcher = services_of(app).webhook_dispatcher
    assert await dispatcher.run_due() == 0
    assert len(receiver.requests) == 1


async def test_agents_cannot_manage_webhooks_and_events_are_checked(
    client: AsyncClient, db: AsyncSession, receiver: Receiver
) -> None:
    staff = await _supervisor(client, db)
    await make_staff(db, email="agent@aurora.example", roles=["agent"], brand_slugs=[AURORA])
    agent = await login(client, "agent@aurora.example")
    denied = await client.post(
        "/api/crm/webhooks", json={"brand": AURORA, "url": receiver.url}, headers=agent
    )
    assert denied.status_code == 403
    unknown = await client.post(
        "/api/crm/webhooks",
        json={"brand": AURORA, "url": receiver.url, "events": ["customer.deleted"]},
        headers=staff,
    )
    assert unknown.status_code == 422
