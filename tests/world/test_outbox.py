"""The outbox sends from the caller's stack when it can and keeps order when it cannot."""

from __future__ import annotations

import asyncio
from typing import Any

from vitrina.world.outbox import Outbox


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_suspended_send_is_finished_by_the_writer_in_order() -> None:
    sent: list[Any] = []
    writable = asyncio.Event()
    writable.set()

    async def send(message: dict[str, Any]) -> None:
        await writable.wait()  # like uvicorn: waits only while the transport is paused
        sent.append(message.get("bytes", message.get("code")))

    overflows: list[int] = []
    box = Outbox(send, max_backlog=3, on_overflow=lambda: overflows.append(1))
    writer = asyncio.create_task(box.run())
    box.push(b"1")
    assert sent == [b"1"]  # sent at once, no task switch
    writable.clear()
    box.push(b"2")  # suspends: handed to the writer
    box.push(b"3")  # queued behind it
    assert sent == [b"1"]
    writable.set()
    await _settle()
    assert sent == [b"1", b"2", b"3"]
    box.push(b"4")
    assert sent[-1] == b"4"
    box.close(1000, "bye")
    await asyncio.wait_for(writer, 1)
    assert sent[-1] == 1000
    assert not overflows


async def test_backlog_overflow_is_reported_once_the_queue_is_full() -> None:
    blocked = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        await blocked.wait()

    overflows: list[int] = []
    box = Outbox(send, max_backlog=3, on_overflow=lambda: overflows.append(1))
    writer = asyncio.create_task(box.run())
    for i in range(5):
        box.push(bytes([i]))
    assert overflows == [1]
    writer.cancel()
    blocked.set()
    await asyncio.gather(writer, return_exceptions=True)


async def test_a_failing_transport_marks_the_outbox_broken() -> None:
    async def send(message: dict[str, Any]) -> None:
        raise OSError("gone")

    box = Outbox(send, max_backlog=3, on_overflow=lambda: None)
    box.push(b"x")
    assert box.broken
    box.push(b"y")  # ignored, no exception
