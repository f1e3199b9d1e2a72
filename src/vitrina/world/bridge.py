"""Messages between world nodes, carried by the broker on one channel per room.

Each node owns the avatars of its own clients and mirrors the avatars other nodes
announce. A node publishes its changed avatars once per tick per room (`Sync`),
presence and chat as they happen, a roster request (`Hello`) when it opens a room,
and `Alive` every second so the others can drop the avatars of a node that died.
"""

from __future__ import annotations

from typing import Any

import msgspec

from vitrina.world.protocol import Presence

CHANNEL_PREFIX = "vitrina:world:"


class _Msg(msgspec.Struct, tag_field="k", array_like=True):
    node: str


class Sync(_Msg, tag="s"):
    u: list[Any]


class Enter(_Msg, tag="e"):
    who: list[Presence]


class Exit(_Msg, tag="x"):
    id: int
    why: str


class Chat(_Msg, tag="c"):
    id: int
    name: str
    text: str
    ts: int


class Emote(_Msg, tag="m"):
    id: int
    name: str


class Hello(_Msg, tag="h"):
    pass


class Alive(_Msg, tag="a"):
    """Once a second: the node is up and owns exactly these avatars of the room."""

    ids: list[int] = []


class Teleport(_Msg, tag="t"):
    """Ask the owning node to place avatar `id` at `p` (used by world.service)."""

    id: int
    p: tuple[float, float, float]
    r: float


class Handoff(_Msg, tag="o"):
    """Avatar `id` is now owned by node `to` (its client resumed there)."""

    id: int
    to: str


Message = Sync | Enter | Exit | Chat | Emote | Hello | Alive | Teleport | Handoff

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Message)


def channel(room_id: str) -> str:
    return CHANNEL_PREFIX + room_id


def pack(msg: Message) -> bytes:
    return _encoder.encode(msg)


def unpack(payload: bytes) -> Message:
    result: Message = _decoder.decode(payload)
    return result
