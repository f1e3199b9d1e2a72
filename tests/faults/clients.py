"""What the fault tests do as customers: guests over HTTP and world sockets, through the proxy."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection, connect

BRAND = "aurora-motors"


async def guest(base: str, name: str, timeout: float = 10.0) -> httpx.AsyncClient:
    """An HTTP client holding a fresh guest session of the demo brand (cookie + CSRF)."""
    client = httpx.AsyncClient(base_url=base, timeout=timeout)
    for _ in range(50):
        try:
            r = await client.post(
                "/api/auth/guest", json={"display_name": name, "brand_slug": BRAND}
            )
        except httpx.TransportError:
            await asyncio.sleep(0.1)
            continue
        if r.status_code in (200, 201):
            body = r.json()
            client.headers["x-csrf-token"] = body["csrf_token"]
            client.token = body["token"]  # type: ignore[attr-defined]
            return client
        await asyncio.sleep(0.1)
    await client.aclose()
    raise AssertionError(f"no guest session from {base}")


def is_problem(r: httpx.Response, status: int) -> bool:
    if r.status_code != status or not r.headers.get("content-type", "").startswith(
        "application/problem+json"
    ):
        return False
    body = r.json()
    return bool(body.get("status") == status and body.get("code") and body.get("title"))


@dataclass
class World:
    """A world socket that keeps its resume token and reconnects as the web client does:
    resume with the token, and join afresh when the server no longer knows it."""

    ws_url: str
    token: str
    origin: str
    name: str
    socket: ClientConnection | None = None
    avatar: int | None = None
    resume: str | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)
    node: str = ""

    async def _open(self) -> ClientConnection:
        return await connect(
            f"{self.ws_url}?token={quote(self.token, safe='')}",
            origin=self.origin,  # type: ignore[arg-type]
            open_timeout=5,
        )

    async def send(self, t: str, **fields: Any) -> None:
        assert self.socket is not None
        await self.socket.send(msgspec.msgpack.encode({"t": t, "v": 1, **fields}))

    async def recv(self, timeout: float) -> dict[str, Any]:
        assert self.socket is not None
        data = await asyncio.wait_for(self.socket.recv(), timeout)
        frame: dict[str, Any] = (
            json.loads(data) if isinstance(data, str) else msgspec.msgpack.decode(data)
        )
        self.frames.append(frame)
        return frame

    async def until(self, t: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name}: no {t!r} in {timeout} s: {self.frames[-3:]}")
            frame = await self.recv(left)
            if frame.get("t") == t and all(frame.get(k) == v for k, v in match.items()):
                return frame
            if frame.get("t") == "error" and t != "error":
                raise AssertionError(f"{self.name}: {frame}")

    async def chats(self, texts: set[str], timeout: float) -> dict[str, dict[str, Any]]:
        """Every chat line among `texts` this socket received, waiting for the missing ones."""
        deadline = time.monotonic() + timeout
        seen = {f["text"]: f for f in self.frames if f.get("t") == "chat" and f["text"] in texts}
        while set(seen) != texts:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"{self.name}: no chat {sorted(texts - set(seen))} in {timeout} s"
                )
            try:
                frame = await self.recv(left)
            except TimeoutError:
                continue
            if frame.get("t") == "chat" and frame["text"] in texts:
                seen[frame["text"]] = frame
        return seen

    async def join(self, zone: str = "entrance", shard: int = 1) -> dict[str, Any]:
        self.socket = await self._open()
        await self.send("join", brand=BRAND, zone=zone, shard=shard)
        return self._welcomed(await self.until("welcome"))

    def _welcomed(self, welcome: dict[str, Any]) -> dict[str, Any]:
        self.avatar, self.resume = welcome["id"], welcome["token"]
        self.node = str(welcome["token"]).partition(".")[0]
        return welcome

    async def reconnect(self, zone: str = "entrance", shard: int = 1) -> dict[str, Any]:
        """Open a new socket through the proxy; resume, or join afresh when refused."""
        deadline = time.monotonic() + 15
        delay = 0.25
        while True:
            try:
                self.socket = await self._open()
                break
            except (OSError, TimeoutError, Exception):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        await self.send("resume", token=self.resume)
        while True:
            frame = await self.recv(10)
            if frame["t"] == "welcome":
                return self._welcomed(frame)
            if frame["t"] == "error" and frame.get("code") == "resume_failed":
                await self.send("join", brand=BRAND, zone=zone, shard=shard)
                return self._welcomed(await self.until("welcome", timeout=10))

    async def closed(self, timeout: float) -> bool:
        """Read until the socket ends; True when it did within `timeout`."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                await self.recv(deadline - time.monotonic())
        except TimeoutError:
            return False
        except Exception:
            return True
        return False

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
