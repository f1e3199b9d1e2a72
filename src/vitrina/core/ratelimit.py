"""Token buckets keyed by caller, for sign-in and public writes."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import structlog
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection

from vitrina.core.components import components_of
from vitrina.core.errors import RateLimited

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`rate` events per `per` seconds with bursts up to `burst`; bounded memory (LRU)."""

    def __init__(
        self, rate: float, per: float = 60.0, burst: float | None = None, max_keys: int = 100_000
    ) -> None:
        self.refill = rate / per
        self.burst = burst if burst is not None else rate
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, key: str, cost: float = 1.0, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.refill)
            bucket.updated = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return True
        return False

    def retry_after(self, key: str) -> float:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) / self.refill


# A token bucket kept in Redis, on Redis's clock, so every worker and node shares it.
# Returns the seconds to wait as a string (Lua numbers become integers in replies).
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RateLimits:
    """The app's named limits. With Redis they hold across workers and nodes; without it,
    or while Redis does not answer, each process keeps its own buckets.

    Callers are keyed by e-mail address or IP address; buckets are stored under a keyed
    hash of them (HMAC-SHA256 with the app's secret), so neither Redis nor a memory dump
    holds who tried to sign in, and the hash cannot be reversed by hashing candidates."""

    def __init__(
        self, redis_url: str | None, *, secret: str, prefix: str = "vitrina:ratelimit:"
    ) -> None:
        self.prefix = prefix
        self._secret = hashlib.sha256(f"rate limit buckets:{secret}".encode()).digest()
        self._local: dict[str, RateLimiter] = {}
        self._redis: Any = None
        self._take: Any = None
        if redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(
                redis_url, socket_timeout=1.0, socket_connect_timeout=1.0
            )
            self._take = self._redis.register_script(_TAKE)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def take(
        self, name: str, key: str, *, rate: float, per: float = 60.0, burst: float | None = None
    ) -> float:
        """Spend one of `key`'s tokens under the limit `name`: 0.0 when allowed, otherwise
        the seconds until a token is back."""
        burst = rate if burst is None else burst
        key = hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()[:32]
        if self._take is not None:
            try:
                wait = await self._take(
                    keys=[f"{self.prefix}{name}:{key}"], args=[rate / per, burst, 1]
                )
                return float(wait)
            except RedisError as exc:
                log.warning("rate_limit_redis_unavailable", error=type(exc).__name__)
        limiter = self._local.get(name)
        if limiter is None:
            limiter = self._local[name] = RateLimiter(rate=rate, per=per, burst=burst)
        if limiter.allow(key):
            return 0.0
        return max(limiter.retry_after(key), 1e-3)

    async def enforce(self, name: str, key: str, *, rate: float, message: str) -> None:
        """Spend a token of a limit of `rate` per minute, or refuse with 429 and Retry-After."""
        wait = await self.take(name, key, rate=rate)
        if wait > 0:
            raise RateLimited(message, retry_after=wait)


def limits_of(conn: HTTPConnection) -> RateLimits:
    return components_of(conn).get(RateLimits)
