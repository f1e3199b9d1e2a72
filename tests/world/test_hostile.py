"""Hostile input: every bad frame ends in an error frame or a close code for the sender
only, and the server keeps serving everyone else."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.world.conftest import Client, Node, make_settings, open_client, run_node

ACCEPTABLE_CLOSES = {1000, 1009, 4008, 4012}
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.binary(max_size=40),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=8), st.dictionaries(st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=20,
)
frame_types = st.sampled_from(
    ["join", "resume", "move", "chat", "emote", "signal", "leave", "ping", "snap", "nope", ""]
)
field_names = st.sampled_from(
    [
        "v",
        "p",
        "r",
        "h",
        "lh",
        "rh",
        "ts",
        "text",
        "name",
        "to",
        "kind",
        "data",
        "brand",
        "zone",
        "shard",
        "look",
        "token",
        "t",
    ]
)
structured = st.builds(
    lambda t, v, fields: {"t": t, "v": v, **fields},
    frame_types,
    st.one_of(st.just(1), values),
    st.dictionaries(field_names, values, max_size=6),
)


async def _still_healthy(node: Node, witness: Client, mover: Client) -> None:
    """The bystanders still get served: a ping is answered and moves are relayed."""
    await witness.send("ping", ts=7)
    await witness.expect("pong")
    assert mover.id is not None
    await mover.send("ping", ts=1)
    await mover.expect("pong")


async def _hostile_round(node: Node, payloads: list[bytes | str], *, join: bool) -> None:
    async with open_client(node.url) as bad:
        if join:
            await bad.join()
        for data in payloads:
            try:
                await bad.send_raw(data)
            except Exception:
                break
        await bad.send("ping", ts=1)
        try:
            await bad.expect("pong", timeout=3)
        except AssertionError:
            code = await bad.closed()
            assert code in ACCEPTABLE_CLOSES, code


@pytest.fixture
async def bystanders(node: Node) -> Any:
    async with open_client(node.url, sid="w") as witness, open_client(node.url, sid="m") as mover:
        await witness.join()
        await mover.join()
        yield witness, mover


@FAST
@given(payloads=st.lists(st.binary(max_size=200), min_size=1, max_size=5), join=st.booleans())
async def test_random_bytes(node: Node, bystanders: Any, payloads: list[bytes], join: bool) -> None:
    await _hostile_round(node, list(payloads), join=join)
    await _still_healthy(node, *bystanders)


@FAST
@given(frames=st.lists(structured, min_size=1, max_size=5), join=st.booleans())
async def test_random_msgpack_frames(
    node: Node, bystanders: Any, frames: list[dict[str, Any]], join: bool
) -> None:
    payloads: list[bytes | str] = [msgspec.msgpack.encode(f) for f in frames]
    await _hostile_round(node, payloads, join=join)
    await _still_healthy(node, *bystanders)


async def test_each_bad_frame_gets_a_precise_error(node: Node) -> None:
    async with open_client(node.url) as c:
        cases: list[tuple[bytes | str, str]] = [
            (b"\xc1garbage", "bad_frame"),
            (msgspec.msgpack.encode([1, 2, 3]), "bad_frame"),
            (msgspec.msgpack.encode({"t": "teleport", "v": 1}), "unknown_type"),
            (msgspec.msgpack.encode({"t": "ping", "v": 2}), "bad_version"),
            (msgspec.msgpack.encode({"t": "join", "v": 1, "brand": 5}), "bad_frame"),
            (
                msgspec.msgpack.encode({"t": "join", "v": 1, "brand": "A B", "zone": "x"}),
                "bad_frame",
            ),
            ('{"t": "ping", "v": 1}', "bad_frame"),  # text frame on a MessagePack socket
            # NUL cannot be stored in PostgreSQL text; chat may be stored.
            (msgspec.msgpack.encode({"t": "chat", "v": 1, "text": "hi\x00there"}), "bad_frame"),
            (b"\x81\xa1t" + b"\x91" * 5000 + b"\xc0", "bad_frame"),  # nested 5,000 deep
            (b"\x82\xa1t\xa4chat\xa4text" + b"\x91" * 5000 + b"\xc0", "bad_frame"),
        ]
        for data, code in cases:
            await c.send_raw(data)
            err = await c.expect("error")
            assert err["code"] == code, (data, err)


async def test_oversized_frame_closes_1009(node: Node, bystanders: Any) -> None:
    async with open_client(node.url) as c:
        await c.join()
        await c.send("chat", text="x" * 20000)
        assert await c.closed() == 1009
    await _still_healthy(node, *bystanders)


async def test_flood_closes_4008_and_excess_moves_are_dropped(node: Node, bystanders: Any) -> None:
    async with open_client(node.url) as c:
        welcome = await c.join()
        me = next(e for e in welcome["u"] if e[0] == c.id)
        move = msgspec.msgpack.encode({"t": "move", "v": 1, "p": [me[1] / 100, 0.0, me[3] / 100]})
        for _ in range(60):  # a burst past the 20 Hz move budget but under the frame budget
            await c.send_raw(move)
        await c.send("ping", ts=1)
        await c.expect("pong")
        assert node.hub.stats.dropped_moves >= 15  # 60 sent, 20 allowed at once, 20/s refill
        for _ in range(400):
            try:
                await c.send_raw(move)
            except Exception:
                break
        assert await c.closed() == 4008
    await _still_healthy(node, *bystanders)


async def test_too_many_invalid_frames_close_4012(node: Node) -> None:
    async with open_client(node.url) as c:
        for _ in range(30):
            try:
                await c.send_raw(b"\x00")
            except Exception:
                break
        assert await c.closed() == 4012


async def test_no_join_in_time_closes_4013(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, world_join_timeout_s=0.2)
    async with run_node(settings) as n, open_client(n.url) as idle:
        assert await idle.closed(timeout=5) == 4013


async def test_slow_reader_is_closed_without_hurting_others(node: Node, bystanders: Any) -> None:
    """A client that stops reading is cut off (4011) once its backlog is full."""
    host, port = node.url.split("/")[2].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"GET /ws/world?sid=slow HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    await reader.readuntil(b"\r\n\r\n")
    join = msgspec.msgpack.encode({"t": "join", "v": 1, "brand": "acme", "zone": "showroom"})
    writer.write(bytes((0x82, 0x80 | len(join))) + b"\0\0\0\0" + join)  # zero mask key
    await writer.drain()
    for _ in range(100):
        session = next((s for s in node.hub.sessions if s.principal.session_id == "slow"), None)
        if session is not None and session.avatar is not None:
            break
        await asyncio.sleep(0.02)
    assert session is not None
    big = msgspec.msgpack.encode({"t": "snap", "v": 1, "k": 0, "u": ["x" * 65536]})
    for _ in range(1000):  # up to 64 MB that the client never reads
        session.push(big)
        if session.close_code is not None:
            break
        await asyncio.sleep(0)
    assert session.close_code == 4011
    writer.close()
    await _still_healthy(node, *bystanders)
