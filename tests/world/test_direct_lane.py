"""The server's direct lane (vitrina.world.direct) over a raw socket: however the client's
bytes are cut, batched or interleaved with control frames, fragments and invalid frames,
the world sees the same moves and the connection fails the same way as through the
`websockets` parser."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import struct
from urllib.parse import urlsplit

import msgspec

from tests.world.conftest import Client, Node, open_client

MASK = b"\x11\x22\x33\x44"


def frame(payload: bytes, opcode: int = 0x2, fin: bool = True, masked: bool = True) -> bytes:
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    mbit = 0x80 if masked else 0
    if n < 126:
        head = bytes((b0, mbit | n))
    elif n < 65536:
        head = bytes((b0, mbit | 126)) + struct.pack("!H", n)
    else:
        head = bytes((b0, mbit | 127)) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    body = bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return head + MASK + body


Z = 0.0  # the walker's z, set from its welcome (moves stay near where it stands)


def move(x: float) -> bytes:
    return msgspec.msgpack.encode({"t": "move", "v": 1, "p": [x, 0.0, Z], "r": 0.0})


class Raw:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def read_frame(self) -> tuple[int, bytes]:
        b0, b1 = await self.reader.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        return b0 & 0x0F, await self.reader.readexactly(n)

    async def expect(self, t: str) -> dict[str, object]:
        while True:
            opcode, payload = await asyncio.wait_for(self.read_frame(), 5)
            if opcode == 0x2:
                msg = msgspec.msgpack.decode(payload)
                if msg.get("t") == t:
                    return msg  # type: ignore[no-any-return]

    async def close_code(self) -> int:
        while True:
            opcode, payload = await asyncio.wait_for(self.read_frame(), 5)
            if opcode == 0x8:
                return int(struct.unpack("!H", payload[:2])[0])

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


async def connect(node: Node, sid: str) -> Raw:
    parts = urlsplit(node.url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET {parts.path}?sid={sid}&name={sid} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    raw = Raw(reader, writer)
    raw.send(
        frame(msgspec.msgpack.encode({"t": "join", "v": 1, "brand": "acme", "zone": "showroom"}))
    )
    global Z
    welcome = await raw.expect("welcome")
    me = next(e for e in welcome["u"] if e[0] == welcome["id"])  # type: ignore[attr-defined]
    Z = me[3] / 100.0
    return raw


async def seen_at(watcher: Client, avatar_x_cm: int) -> None:
    await watcher.expect("snap", lambda f: any(e[1] == avatar_x_cm for e in f["u"]))


async def test_moves_arrive_however_the_bytes_are_cut(node: Node) -> None:
    async with open_client(node.url, sid="watcher") as watcher:
        await watcher.join()
        raw = await connect(node, "walker")
        # Several frames in one write, then one frame a byte at a time, then a frame cut after
        # its first byte, then a ping between two moves.
        raw.send(frame(move(0.5)) + frame(move(0.7)) + frame(move(0.9)))
        await seen_at(watcher, 90)
        for b in frame(move(1.1)):
            raw.send(bytes([b]))
            await raw.writer.drain()
            await asyncio.sleep(0)
        await seen_at(watcher, 110)
        big = frame(move(1.3))
        raw.send(big[:1])
        await raw.writer.drain()
        raw.send(big[1:])
        await seen_at(watcher, 130)
        raw.send(frame(move(1.5)) + frame(b"hi", opcode=0x9) + frame(move(1.7)))
        opcode, payload = await asyncio.wait_for(raw.read_frame(), 5)
        while opcode != 0xA:
            opcode, payload = await asyncio.wait_for(raw.read_frame(), 5)
        assert payload == b"hi"
        await seen_at(watcher, 170)
        # A move in two fragments goes through the parser and still counts.
        data = move(1.9)
        raw.send(frame(data[:5], fin=False) + frame(data[5:], opcode=0x0))
        await seen_at(watcher, 190)
        await raw.close()


async def test_invalid_frames_fail_the_connection_as_before(node: Node) -> None:
    raw = await connect(node, "unmasked")
    raw.send(frame(move(0.5)) + frame(move(0.6), masked=False))
    assert await raw.close_code() == 1002  # protocol error: a client must mask
    await raw.close()

    raw = await connect(node, "reserved")
    data = bytearray(frame(move(0.5)))
    data[0] |= 0x40  # RSV1 without an extension
    raw.send(frame(move(0.4)) + bytes(data))
    assert await raw.close_code() == 1002
    await raw.close()

    raw = await connect(node, "oversized")
    raw.send(frame(b"\x00" * (node.hub.settings.world_max_frame_bytes + 1)))
    assert await raw.close_code() == 1009
    await raw.close()

    raw = await connect(node, "garbage")
    raw.send(frame(b"\xc1\xff\x00"))
    error = await raw.expect("error")
    assert error["code"] == "bad_frame"
    await raw.close()
