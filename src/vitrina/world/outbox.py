"""Outbound frames of one connection, sent without a task switch when possible.

The tick hands the same encoded frame to hundreds of clients. Waking one writer task
per client per tick costs more than the send itself, so `push` starts the ASGI send
right away: when the transport can take the data (the usual case) the send
coroutine finishes without suspending and nothing else happens. When it suspends
(the client's socket buffer is full), the half-run coroutine is handed to the
connection's writer task, which finishes it exactly as a task would, and later
frames queue behind it in order. A queue that grows past `max_backlog` frames means
the client does not keep up: it is closed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Direct(Protocol):
    """What the outbox needs of the server's direct lane (vitrina.world.direct)."""

    writable: asyncio.Event

    def send_frame(self, data: bytes | str) -> bool: ...


def _message(data: bytes | str) -> dict[str, Any]:
    if type(data) is bytes:
        return {"type": "websocket.send", "bytes": data}
    return {"type": "websocket.send", "text": data}


class _Finish:
    """Await a coroutine that was started by hand and suspended yielding `first`."""

    __slots__ = ("coro", "first")

    def __init__(self, coro: Coroutine[Any, Any, None], first: Any) -> None:
        self.coro = coro
        self.first = first

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self.coro, self.first
        while True:
            try:
                sent = yield value
            except BaseException as exc:  # cancellation and the like go to the send
                try:
                    value = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    value = coro.send(sent)
                except StopIteration:
                    return


class Outbox:
    def __init__(
        self,
        send: Send,
        *,
        max_backlog: int,
        on_overflow: Callable[[], None],
        direct: Direct | None = None,
    ) -> None:
        self._send = send
        self._direct = direct
        self._max_backlog = max_backlog
        self._on_overflow = on_overflow
        self._queue: deque[bytes | str] = deque()
        self._suspended: _Finish | None = None
        self._wake: asyncio.Future[None] | None = None
        self._close: dict[str, Any] | None = None
        self.broken = False  # the transport failed; nothing more will be sent

    def push(self, data: bytes | str) -> None:
        if self.broken or self._close is not None:
            return
        if self._suspended is None and not self._queue:
            direct = self._direct
            if direct is None:
                self._send_now(_message(data))
                return
            try:
                if direct.send_frame(data):
                    return
            except Exception as exc:
                self.broken = True
                log.debug("world_send_failed", error=type(exc).__name__)
                return
            self._queue.append(data)  # the transport is full: the writer waits for it
            self._wakeup()
            return
        self._queue.append(data)
        if len(self._queue) > self._max_backlog:
            self._queue.clear()
            self._on_overflow()

    def _send_now(self, message: dict[str, Any]) -> None:
        coro = self._send(message)
        assert isinstance(coro, Coroutine)
        try:
            first = coro.send(None)
        except StopIteration:
            return
        except Exception as exc:
            self.broken = True
            log.debug("world_send_failed", error=type(exc).__name__)
            return
        self._suspended = _Finish(coro, first)
        self._wakeup()

    def close(self, code: int, reason: str) -> None:
        """Send what is queued, then the close frame."""
        if self._close is None:
            self._close = {"type": "websocket.close", "code": code, "reason": reason}
            self._wakeup()

    def drop_queued(self) -> None:
        self._queue.clear()

    def _wakeup(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    async def run(self) -> None:
        """The writer task: finishes suspended sends, drains the queue, closes."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                suspended = self._suspended
                if suspended is not None:
                    await suspended
                    self._suspended = None
                direct = self._direct
                while self._queue:
                    if direct is None:
                        await self._send(_message(self._queue.popleft()))
                    elif direct.send_frame(self._queue[0]):
                        self._queue.popleft()
                    else:
                        await direct.writable.wait()
                if self._close is not None and not self.broken:
                    await self._send(self._close)
                    return
                self._wake = loop.create_future()
                await self._wake
                self._wake = None
        except Exception as exc:  # the client went away mid-send; the reader sees it
            self.broken = True
            log.debug("world_writer_stopped", error=type(exc).__name__)
