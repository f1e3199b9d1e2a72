"""Apply what other nodes announce about a room to this node's mirror of it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import msgspec
import structlog

from vitrina.world import actions, bridge
from vitrina.world.avatar import Avatar
from vitrina.world.protocol import (
    ChatOut,
    EmoteOut,
    EnterOut,
    ExitOut,
    Presence,
)
from vitrina.world.room import Room

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)


def apply(hub: WorldHub, room: Room, payload: bytes) -> None:
    try:
        msg = bridge.unpack(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        log.warning("world_bridge_bad_message", room=room.id)
        return
    if msg.node == hub.node:
        return
    room.remote_seen[msg.node] = time.monotonic()
    if type(msg) is bridge.Sync:
        avatars = room.avatars
        unknown = False
        for entry in msg.u:
            avatar = avatars.get(entry[0])
            if avatar is not None and avatar.node == msg.node:
                avatar.set_entry(tuple(entry))
                room.moved(avatar)
            elif avatar is None:
                unknown = True
        if unknown:  # an Enter was lost (pub/sub is at most once): ask for the rosters
            _ask_roster(hub, room)
    elif type(msg) is bridge.Enter:
        _enter(room, msg.node, msg.who)
    elif type(msg) is bridge.Exit:
        gone = room.avatars.get(msg.id)
        if gone is not None and gone.node == msg.node:
            room.remove(msg.id)
            room.broadcast(ExitOut(id=msg.id, why=msg.why))
    elif type(msg) is bridge.Chat:
        room.broadcast(ChatOut(id=msg.id, name=msg.name, text=msg.text, ts=msg.ts))
    elif type(msg) is bridge.Emote:
        room.broadcast(EmoteOut(id=msg.id, name=msg.name))
    elif type(msg) is bridge.Alive:
        _reconcile(hub, room, msg.node, set(msg.ids))
    elif type(msg) is bridge.Hello:
        mine = [a.presence() for a in room.avatars.values() if a.node == hub.node]
        if mine:
            hub.publish_soon(room, bridge.Enter(node=hub.node, who=mine))
    elif type(msg) is bridge.Handoff:
        moved = room.avatars.get(msg.id)
        if moved is not None and moved.node == msg.node and msg.to != hub.node:
            moved.node = msg.to
            moved.announced_at = time.monotonic()
    elif type(msg) is bridge.Teleport:
        avatar = room.avatars.get(msg.id)
        if avatar is not None and avatar.node == hub.node:
            actions.teleport(hub, avatar, room, msg.p, msg.r)


ROSTER_RETRY_S = 2.0


def _ask_roster(hub: WorldHub, room: Room) -> None:
    now = time.monotonic()
    if now - room.roster_asked_at >= ROSTER_RETRY_S:
        room.roster_asked_at = now
        hub.publish_soon(room, bridge.Hello(node=hub.node))


def _reconcile(hub: WorldHub, room: Room, node: str, ids: set[int]) -> None:
    """Make the mirror match the owner's list: drop what it no longer owns (a lost
    Exit), ask again for what this node never heard of (a lost Enter)."""
    settled = time.monotonic() - ROSTER_RETRY_S  # leave fresh handovers alone
    for avatar in [a for a in room.avatars.values() if a.node == node and a.id not in ids]:
        if avatar.announced_at > settled:
            continue
        room.remove(avatar.id)
        room.broadcast(ExitOut(id=avatar.id, why="left"))
    if any(i not in room.avatars for i in ids):
        _ask_roster(hub, room)


def _enter(room: Room, node: str, who: list[Presence]) -> None:
    new: list[Presence] = []
    for p in who:
        known = room.avatars.get(p.id)
        if known is not None:
            if known.node != node:
                log.warning("world_avatar_id_clash", room=room.id, avatar_id=p.id)
            continue
        avatar = Avatar(
            id=p.id, name=p.name, badge=p.badge, look=p.look, node=node, x=0.0, y=0.0, z=0.0,
            announced_at=time.monotonic(),
        )  # fmt: skip
        if p.s is not None:
            avatar.set_entry(tuple(p.s))
        room.add(avatar)
        new.append(p)
    if new:
        room.broadcast(EnterOut(who=new))
