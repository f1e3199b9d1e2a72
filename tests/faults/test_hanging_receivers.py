"""A mail relay or a webhook receiver that hangs never delays customers' requests,
and each mail or webhook is attempted by one node only.

The fault cluster sends its mail and the payment provider's webhooks to a server that
accepts connections and never answers (tests/faults/conftest.py). Customers book (a
confirmation mail goes out), pay (the provider's webhook goes out) and write, while
those deliveries hang.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.faults.clients import BRAND, guest
from tests.faults.conftest import Tarpit
from vitrina.cluster import Cluster

SHOP = f"/api/brands/{BRAND}/commerce"
ITEM = {"product": "aurora-wallbox", "option_ids": ["wb-power-11", "wb-cable-7", "wb-white"]}
ADDRESS = {"line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}
CARD = {"card": {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def timed(call: asyncio.Future[httpx.Response] | object) -> tuple[httpx.Response, float]:
    t0 = time.monotonic()
    r = await call  # type: ignore[misc]
    return r, time.monotonic() - t0


async def test_a_hanging_mail_relay_and_webhook_receiver_never_delay_customers(
    whole: Cluster, tarpit: Tarpit
) -> None:
    cluster = whole
    c = await guest(cluster.url, "Chiara", timeout=20)
    took: dict[str, float] = {}
    try:
        before = tarpit.connections
        # A booking: its confirmation mail is for the relay that hangs.
        start = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        slots = await c.get(
            f"/api/brands/{BRAND}/scheduling/availability",
            params={"type": "showroom-visit", "start": start, "limit": 5},
        )
        assert slots.status_code == 200, slots.text
        slot = slots.json()["slots"][-1]["start"]
        body = {"type": "showroom-visit", "start": slot,
                "customer": {"email": "chiara@example.com", "name": "Chiara"}}  # fmt: skip
        r, took["booking"] = await timed(
            c.post(f"/api/brands/{BRAND}/appointments", json=body, headers=key())
        )
        assert r.status_code == 201, r.text
        # A payment: the provider's webhook goes to the receiver that hangs.
        cart = (await c.post(f"{SHOP}/carts", headers=key())).json()["id"]
        r = await c.post(f"{SHOP}/carts/{cart}/items", json=ITEM, headers=key())
        assert r.status_code == 200, r.text
        checkout = {"name": "Chiara", "email": "chiara@example.com", "shipping_address": ADDRESS}
        r, took["checkout"] = await timed(
            c.post(f"{SHOP}/carts/{cart}/checkout", json=checkout, headers=key())
        )
        assert r.status_code == 201, r.text
        order, payment = r.json()["order"]["id"], r.json()["payment"]["id"]
        r, took["payment"] = await timed(
            c.post(f"{SHOP}/orders/{order}/payments/{payment}/confirm", json=CARD, headers=key())
        )
        assert r.status_code == 200, r.text
        # Both deliveries now hang on the tarpit.
        deadline = time.monotonic() + 30
        while tarpit.connections < before + 2:
            assert time.monotonic() < deadline, (
                f"the mail and the webhook never reached the receiver ({tarpit.connections - before})"
            )
            await asyncio.sleep(0.2)
        # Each delivery was attempted once by the cluster, although both nodes' workers
        # look for due mail and provider events twice a second.
        await asyncio.sleep(2.0)
        assert tarpit.connections == before + 2, (
            f"{tarpit.connections - before} deliveries for one mail and one webhook"
        )
        # Meanwhile customers go on: chat, look for slots, book again, on both nodes.
        r, took["conversation"] = await timed(
            c.post("/api/conversations", json={"brand": BRAND, "body": "still there?"})
        )
        assert r.status_code == 201, r.text
        conversation = r.json()["id"]
        for n in range(4):
            r, took[f"message {n}"] = await timed(
                c.post(f"/api/conversations/{conversation}/messages", json={"body": f"m{n}"})
            )
            assert r.status_code == 201, r.text
        slot = slots.json()["slots"][-2]["start"]
        r, took["second booking"] = await timed(
            c.post(f"/api/brands/{BRAND}/appointments", json={**body, "start": slot}, headers=key())
        )
        assert r.status_code == 201, r.text
        hanging = tarpit.connections - before
    finally:
        await c.aclose()
    slowest = max(took, key=lambda k: took[k])
    # The relay and the receiver give up after 10-30 s: a request that waited on them would
    # take that long. On two shared cores an ordinary request takes well under a second.
    assert took[slowest] < 3.0, f"{slowest} took {took[slowest]:.1f} s while deliveries hung"
    print(
        f"\nhanging SMTP relay and webhook receiver ({hanging} connections held): slowest"
        f" customer request {slowest} {took[slowest] * 1000:.0f} ms; "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in took.items())
    )
