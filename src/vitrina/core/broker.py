"""Message broker for cross-node fan-out: in-process by default, Redis pub/sub when configured.

The broker carries opaque bytes on named channels. Delivery is at most once and
best effort (Redis pub/sub semantics): a node that is not subscribed when a message
is published never sees it. Callers that need state after subscribing ask for it
explicitly (the world asks the other nodes for their roster when it opens a room).

Handlers run on the event loop, one message at a time per broker, in publish order
per channel. A failing handler is logged and does not stop delivery to the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)

Handler = Callable[[bytes], Awaitable[None]]
Unsubscribe = Callable[[], Awaitable[None]]


class BrokerError(RuntimeError):
    """The broker is not usable (not started, closed, or the server is unreachable)."""


class Broker(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Return when the broker works; raise otherwise (used by /readyz)."""

    async def publish(self, channel: str, payload: bytes) -> int:
        """Send `payload` to the channel's subscribers; how many subscribed processes it
        reached (0: nobody listens, e.g. the node that owned the channel is gone)."""

    async def subscribe(self, channel: str, handler: Handler) -> Unsubscribe:
        """Call `handler` with every payload later published on `channel`."""


class _Subscriptions:
    """Handler bookkeeping shared by both brokers."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Handler]] = defaultdict(list)

    def add(self, channel: str, handler: Handler) -> bool:
        """Register; True when this is the channel's first handler."""
        first = not self.handlers.get(channel)
        self.handlers[channel].append(handler)
        return first

    def remove(self, channel: str, handler: Handler) -> bool:
        """Unregister; True when the channel has no handler left."""
        handlers = self.handlers.get(channel)
        if handlers and handler in handlers:
            handlers.remove(handler)
        if not handlers:
            self.handlers.pop(channel, None)
            return True
        return False

    async def dispatch(self, channel: str, payload: bytes) -> None:
        for handler in list(self.handlers.get(channel, ())):
            try:
                await handler(payload)
            except Exception:
                log.exception("broker_handler_failed", channel=channel)


class InProcessBroker:
    """Single-node broker: publish hands the payload to local subscribers in order."""

    def __init__(self) -> None:
        self._subs = _Subscriptions()
        self._queue: asyncio.Queue[tuple[str, bytes]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(), name="inprocess-broker")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._queue = None

    async def ping(self) -> None:
        if self._task is None or self._task.done():
            raise BrokerError("in-process broker is not running")

    async def publish(self, channel: str, payload: bytes) -> int:
        if self._queue is None:
            raise BrokerError("broker not started")
        # Delivered from the broker task, never re-entrantly from the publisher's stack,
        # the same ordering a network broker gives.
        if channel in self._subs.handlers:
            self._queue.put_nowait((channel, payload))
            return 1
        return 0

    async def subscribe(self, channel: str, handler: Handler) -> Unsubscribe:
        self._subs.add(channel, handler)

        async def unsubscribe() -> None:
            self._subs.remove(channel, handler)

        return unsubscribe

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            channel, payload = await queue.get()
            await self._subs.dispatch(channel, payload)


class RedisBroker:
    """Redis pub/sub: one connection for publishing, one for all subscriptions."""

    def __init__(self, url: str, *, reconnect_delay_s: float = 0.5) -> None:
        self.url = url
        self._reconnect_delay_s = reconnect_delay_s
        self._subs = _Subscriptions()
        self._redis: Any = None
        self._pubsub: Any = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        import redis.asyncio as aioredis

        if self._redis is not None:
            return
        client = aioredis.Redis.from_url(self.url)
        try:
            await client.ping()
        except BaseException:
            await client.aclose()
            raise
        self._redis = client
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._task = asyncio.create_task(self._run(), name="redis-broker")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
            self._pubsub = None
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
            self._redis = None

    async def ping(self) -> None:
        if self._redis is None:
            raise BrokerError("redis broker not started")
        await self._redis.ping()

    async def publish(self, channel: str, payload: bytes) -> int:
        if self._redis is None:
            raise BrokerError("redis broker not started")
        return int(await self._redis.publish(channel, payload))

    async def subscribe(self, channel: str, handler: Handler) -> Unsubscribe:
        if self._pubsub is None:
            raise BrokerError("redis broker not started")
        if self._subs.add(channel, handler):
            await self._pubsub.subscribe(channel)
        self._ready.set()

        async def unsubscribe() -> None:
            if self._subs.remove(channel, handler) and self._pubsub is not None:
                with contextlib.suppress(Exception):
                    await self._pubsub.unsubscribe(channel)

        return unsubscribe

    async def _run(self) -> None:
        while True:
            if not self._pubsub.subscribed:
                # get_message() returns at once when nothing is subscribed yet.
                self._ready.clear()
                await self._ready.wait()
                continue
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("redis_broker_read_failed", exc_info=True)
                await asyncio.sleep(self._reconnect_delay_s)
                await self._resubscribe()
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            await self._subs.dispatch(channel, message["data"])

    async def _resubscribe(self) -> None:
        channels = list(self._subs.handlers)
        if channels and self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.subscribe(*channels)


def create_broker(redis_url: str | None) -> Broker:
    """Redis pub/sub when a URL is configured (multi-node), otherwise in-process."""
    if redis_url:
        return RedisBroker(redis_url)
    return InProcessBroker()
