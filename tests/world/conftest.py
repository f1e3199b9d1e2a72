"""World fixtures: a real uvicorn server on a free loopback port and socket clients.

The world is tested without the HTTP app: `create_world_app` gives each socket a
guest principal from `?sid=` / `?name=` query parameters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from vitrina.core.broker import Broker, InProcessBroker
from vitrina.core.config import Settings
from vitrina.core.events import DomainEvent, EventBus
from vitrina.world.direct import DirectWebSocketProtocol
from vitrina.world.hub import WorldHub
from vitrina.world.standalone import create_world_app

TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "data_dir": tmp_path,
        "log_json": False,
        "log_level": "WARNING",
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Node:
    app: Starlette
    url: str
    hub: WorldHub
    events: list[DomainEvent] = field(default_factory=list)


@contextlib.asynccontextmanager
async def run_node(settings: Settings, broker: Broker | None = None) -> AsyncIterator[Node]:
    bus = EventBus()
    app = create_world_app(settings, broker=broker, bus=bus)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_max_size=1 << 20,
        lifespan="on",
        ws=DirectWebSocketProtocol,  # as `vitrina serve` runs it
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    node = Node(app=app, url=f"ws://127.0.0.1:{port}/ws/world", hub=app.hub)
    bus.subscribe(DomainEvent, node.events.append)
    try:
        yield node
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
def world_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def node(world_settings: Settings) -> AsyncIterator[Node]:
    broker = InProcessBroker()
    await broker.start()
    async with run_node(world_settings, broker) as n:
        yield n
    await broker.close()


class Client:
    """A test client speaking MessagePack (or JSON) that waits for frames, never sleeps."""

    def __init__(self, ws: ClientConnection, *, json_mode: bool = False) -> None:
        self.ws = ws
        self.json_mode = json_mode
        self.frames: list[dict[str, Any]] = []
        self.id: int | None = None
        self.token: str | None = None
        self._seen = 0

    async def send(self, t: str, **fields: Any) -> None:
        frame = {"t": t, "v": 1, **fields}
        if self.json_mode:
            await self.ws.send(json.dumps(frame))
        else:
            await self.ws.send(msgspec.msgpack.encode(frame))

    async def send_raw(self, data: bytes | str) -> None:
        await self.ws.send(data)

    async def _recv(self, timeout: float) -> dict[str, Any]:
        data = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: dict[str, Any] = (
            json.loads(data) if isinstance(data, str) else msgspec.msgpack.decode(data)
        )
        self.frames.append(frame)
        return frame

    async def expect(
        self,
        t: str,
        pred: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = TIMEOUT,
    ) -> dict[str, Any]:
        """The next frame (not yet consumed by an expect) of type `t` matching `pred`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            while self._seen < len(self.frames):
                frame = self.frames[self._seen]
                self._seen += 1
                if frame.get("t") == t and (pred is None or pred(frame)):
                    return frame
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {t!r} frame in time; got {self.frames[-5:]}")
            try:
                await self._recv(remaining)
            except TimeoutError:
                raise AssertionError(f"no {t!r} frame in time; got {self.frames[-5:]}") from None

    async def closed(self, timeout: float = TIMEOUT) -> int | None:
        """Wait for the server to close the socket; return the close code."""
        with contextlib.suppress(Exception):
            while True:
                await self._recv(timeout)
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code

    async def join(
        self, brand: str = "acme", zone: str = "showroom", **fields: Any
    ) -> dict[str, Any]:
        await self.send("join", brand=brand, zone=zone, **fields)
        welcome = await self.expect("welcome")
        self.id, self.token = welcome["id"], welcome["token"]
        return welcome

    def snapshot_positions(self) -> dict[int, tuple[int, int, int]]:
        """Latest known quantised position per avatar id from welcome and snaps."""
        out: dict[int, tuple[int, int, int]] = {}
        for f in self.frames[: self._seen] if False else self.frames:
            if f.get("t") in ("welcome", "snap"):
                for e in f.get("u", []):
                    out[e[0]] = (e[1], e[2], e[3])
                for gone in f.get("g", []):
                    out.pop(gone, None)
        return out


@contextlib.asynccontextmanager
async def open_client(
    url: str,
    *,
    sid: str | None = None,
    name: str | None = None,
    json_mode: bool = False,
    extra: str = "",
) -> AsyncIterator[Client]:
    params = []
    if sid:
        params.append(f"sid={sid}")
    if name:
        params.append(f"name={name}")
    if json_mode:
        params.append("format=json")
    if extra:
        params.append(extra)
    full = url + ("?" + "&".join(params) if params else "")
    async with connect(full, max_size=1 << 22, open_timeout=TIMEOUT) as ws:
        yield Client(ws, json_mode=json_mode)


__all__ = ["Client", "Node", "make_settings", "open_client", "run_node"]
