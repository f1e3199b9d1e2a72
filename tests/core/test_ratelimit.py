"""Rate limits hold across every worker sharing Redis, and still hold without it."""

from __future__ import annotations

import time
import uuid
from contextlib import AsyncExitStack

import pytest
import redis.asyncio as aioredis
from httpx import ASGITransport, AsyncClient

from tests.conftest import REDIS_URL
from vitrina.app import create_app
from vitrina.core.config import Settings
from vitrina.core.ratelimit import RateLimits


@pytest.mark.skipif(not REDIS_URL, reason="needs VITRINA_TEST_REDIS_URL (make test starts Redis)")
async def test_sign_in_attempts_are_limited_across_workers_sharing_redis(
    settings: Settings,
) -> None:
    """Two workers behind one address: a guesser alternating between them gets the limit
    of one, not of two."""
    shared = settings.model_copy(update={"redis_url": REDIS_URL, "login_rate_per_minute": 4})
    email = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            app = create_app(shared)
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients.append(
                await stack.enter_async_context(
                    AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
                )
            )
        statuses = []
        for attempt in range(6):
            resp = await clients[attempt % 2].post(
                "/api/auth/login", json={"email": email, "password": "wrong-password-123"}
            )
            statuses.append(resp.status_code)
        assert statuses[:4] == [401] * 4
        assert statuses[4:] == [429, 429]
        refused = await clients[0].post(
            "/api/auth/login", json={"email": email, "password": "wrong-password-123"}
        )
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 15

    # The bucket lives in Redis under a keyed hash: neither the address nor the IP is
    # readable there.
    assert REDIS_URL is not None
    store = aioredis.Redis.from_url(REDIS_URL)
    try:
        keys = [k.decode() async for k in store.scan_iter(match="vitrina:ratelimit:login:*")]
    finally:
        await store.aclose()
    assert keys
    assert not [k for k in keys if "victim" in k or "example.com" in k or "127.0.0.1" in k]


async def test_limits_still_hold_in_each_process_when_redis_does_not_answer() -> None:
    # Nothing listens on the discard port.
    limits = RateLimits("redis://127.0.0.1:9/0", secret="s" * 32)
    try:
        started = time.monotonic()
        waits = [await limits.take("login", "1.2.3.4", rate=3) for _ in range(4)]
        assert waits[:3] == [0.0, 0.0, 0.0]
        assert 15 < waits[3] <= 20  # a token comes back every 20 s at 3 a minute
        assert time.monotonic() - started < 10
    finally:
        await limits.close()


@pytest.mark.skipif(not REDIS_URL, reason="needs VITRINA_TEST_REDIS_URL (make test starts Redis)")
async def test_no_limit_keeps_an_address_or_ip_in_its_redis_key() -> None:
    """Every limit the product applies, keyed as the routes key them: Redis holds only hashes."""
    assert REDIS_URL is not None
    prefix = f"vitrina:ratelimit-{uuid.uuid4().hex[:8]}:"
    limits = RateLimits(REDIS_URL, secret="s" * 32, prefix=prefix)
    callers = {
        "login": "203.0.113.9|mia.rossi@example.com",
        "guest_start": "203.0.113.9",
        "customer_email_address": "mia.rossi@example.com",
        "customer_email_ip": "2001:db8::7",
        "catalog_configurations": "203.0.113.9",
    }
    store = aioredis.from_url(REDIS_URL)
    try:
        for name, key in callers.items():
            assert await limits.take(name, key, rate=10) == 0.0
        keys = [k.decode() async for k in store.scan_iter(match=f"{prefix}*")]
        assert len(keys) == len(callers)
        for key in keys:
            assert not any(part in key for part in ("mia", "example", "203.0.113", "2001:db8")), key
    finally:
        await limits.close()
        async for k in store.scan_iter(match=f"{prefix}*"):
            await store.delete(k)
        await store.aclose()
