"""What other domains may do in the world (bot avatars, advisor teleports, occupancy).

Use it as a module: `from vitrina.world import service as world`, then
`await world.join_bot(hub, brand=..., zone=..., display_name=...)`. The hub is the one
the composition root started (`Services.world_hub`). Lookups see the avatars this node
knows: its own and those other nodes announced in rooms this node has open.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from vitrina.world import actions, bridge, placement
from vitrina.world.avatar import Avatar
from vitrina.world.calls import CallPolicy
from vitrina.world.hub import WorldHub
from vitrina.world.layout import Zone
from vitrina.world.protocol import CHAT_MAX_CHARS, EMOTES, Badge, Look, Vec3
from vitrina.world.room import Room, room_id


class WorldServiceError(ValueError):
    """A request the world cannot honour (unknown room, avatar, emote...)."""


@dataclass(frozen=True, slots=True)
class Occupant:
    id: int
    name: str
    badge: str
    position: Vec3
    yaw: float
    session_id: str | None
    user_id: str | None
    connected: bool  # False while a local client is away within its resume grace
    local: bool  # the avatar's client (or bot) lives on this node


class BotAvatar:
    """A server-driven avatar (greeter, advisor stand-in); it has no socket."""

    def __init__(self, hub: WorldHub, avatar: Avatar, room: Room) -> None:
        self._hub = hub
        self.avatar = avatar
        self.room = room

    @property
    def id(self) -> int:
        return self.avatar.id

    def move_to(self, position: Vec3, yaw: float = 0.0) -> None:
        if not self.room.zone.contains(*position):
            raise WorldServiceError("position outside the room")
        actions.teleport(self._hub, self.avatar, self.room, position, yaw)

    async def say(self, text: str) -> None:
        if not text.strip() or len(text) > CHAT_MAX_CHARS:
            raise WorldServiceError(f"chat text must be 1..{CHAT_MAX_CHARS} characters")
        await actions.say(self._hub, self.avatar, self.room, text)

    def emote(self, name: str) -> None:
        if name not in EMOTES:
            raise WorldServiceError(f"unknown emote {name!r}")
        actions.do_emote(self._hub, self.avatar, self.room, name)

    async def leave(self) -> None:
        await self._hub.remove_avatar(self.avatar.id, why="left")


async def join_bot(
    hub: WorldHub,
    *,
    brand: str,
    zone: str,
    display_name: str,
    shard: int = 1,
    look: Look | None = None,
    position: Vec3 | None = None,
) -> BotAvatar:
    """Put a bot avatar in a room (badge `bot`); capacity does not apply to bots."""
    await hub.layouts.refresh(brand)
    if hub.layouts.zone(brand, zone) is None:
        raise WorldServiceError(f"brand {brand!r} has no zone {zone!r}")
    room = await hub.open_room(brand, zone, shard)
    if position is not None and not room.zone.contains(*position):
        raise WorldServiceError("position outside the room")
    avatar = await hub.add_avatar(
        room,
        name=display_name,
        badge=Badge.BOT.value,
        look=look or Look(model="bot"),
        session=None,
        position=position,
    )
    return BotAvatar(hub, avatar, room)


async def open_private_room(
    hub: WorldHub,
    *,
    brand: str,
    name: str,
    like_zone: str,
    allowed_users: frozenset[str],
    capacity: int = 4,
) -> str:
    """Open a private room (advisor training): a copy of the brand's zone `like_zone`
    named `name`, which only the staff users in `allowed_users` may join (bots are put
    in by the server). What happens there is flagged `private` on every world event, so
    no conversation, queue, metric or interest profile takes it in. Returns the room id."""
    await hub.layouts.refresh(brand)
    if hub.layouts.zone(brand, name) is not None:
        raise WorldServiceError(f"brand {brand!r} already has a zone {name!r}")
    return await adopt_private_room(
        hub,
        brand=brand,
        name=name,
        like_zone=like_zone,
        allowed_users=allowed_users,
        capacity=capacity,
    )


async def adopt_private_room(
    hub: WorldHub,
    *,
    brand: str,
    name: str,
    like_zone: str,
    allowed_users: frozenset[str],
    capacity: int = 4,
) -> str:
    """Make a private room opened on another node known here too (its members may come
    through this node; the room spans the nodes as every room does). Idempotent."""
    await hub.layouts.refresh(brand)
    template = hub.layouts.zone(brand, like_zone)
    if template is None:
        raise WorldServiceError(f"brand {brand!r} has no zone {like_zone!r}")
    rid = room_id(brand, name, 1)
    if hub.layouts.zone(brand, name) is None:
        zone = Zone(min=template.min, max=template.max, spawn=template.spawn, capacity=capacity)
        hub.layouts.add_private(brand, name, zone)
    hub.private[rid] = allowed_users
    await hub.open_room(brand, name, 1)
    return rid


def set_private_resolver(
    hub: WorldHub, resolver: Callable[[str, str], Awaitable[bool]] | None
) -> None:
    """`resolver(brand, zone)` is asked when someone joins a zone this node does not
    know: it may make a private room opened on another node known here
    (`adopt_private_room`) and say so."""
    hub.private_resolver = resolver


async def close_private_room(hub: WorldHub, *, brand: str, name: str) -> None:
    """Everybody leaves the private room and its name is forgotten."""
    rid = room_id(brand, name, 1)
    room = hub.rooms.get(rid)
    if room is not None:
        for avatar_id in list(room.avatars):
            if room.avatars[avatar_id].node == hub.node:
                await hub.remove_avatar(avatar_id, why="closed")
        await hub.close_room_if_idle(room)
    hub.private.pop(rid, None)
    hub.layouts.remove_private(brand, name)


def zone_of(hub: WorldHub, *, brand: str, zone: str) -> Zone | None:
    return hub.layouts.zone(brand, zone)


def room_occupants(hub: WorldHub, *, brand: str, zone: str, shard: int = 1) -> list[Occupant]:
    room = hub.rooms.get(room_id(brand, zone, shard))
    if room is None:
        return []
    return [_occupant(hub, a) for a in room.avatars.values()]


def get_by_session(hub: WorldHub, *, session_id: str) -> tuple[str, Occupant] | None:
    """The room id and avatar of a local client's session, if it is in a room."""
    for room in hub.rooms.values():
        for avatar in room.avatars.values():
            if avatar.session_id == session_id and avatar.node == hub.node:
                return room.id, _occupant(hub, avatar)
    return None


def grant_teleport(hub: WorldHub, *, avatar_id: int, ttl_s: float = 5.0) -> None:
    """Let the avatar's client jump anywhere inside the room for the next `ttl_s` seconds."""
    room = hub.avatar_room(avatar_id)
    avatar = room.avatars.get(avatar_id) if room is not None else None
    if avatar is None:
        raise WorldServiceError("no such local avatar")
    avatar.teleport_until = time.monotonic() + ttl_s


async def teleport_next_to(
    hub: WorldHub, *, avatar_id: int, target_id: int, distance: float = 1.5
) -> Vec3:
    """Place `avatar_id` `distance` metres in front of `target_id`, facing it.

    When the avatar is a connected client of this node in another room (an advisor
    joining a customer), it is moved into the target's room: its client gets a new
    `welcome` (with a new avatar id) and the old room sees it leave. In the same room
    the avatar may live on another node, which is asked through the broker to place it.
    """
    room = _room_with(hub, target_id)
    target = room.avatars[target_id]
    # In front of the target first (client convention, three.js: yaw turns about +y and
    # forward is -z, so "in front" is the bearing yaw + pi), else beside them: never on
    # top of the greeter or another advisor already standing there.
    others = [(a.x, a.z) for a in room.avatars.values() if a.id not in (avatar_id, target_id)]
    p = placement.free_spot(
        room.zone,
        others,
        around=(target.x, target.y, target.z),
        distance=distance,
        bearing=target.yaw + math.pi,
    )
    facing = placement.facing(p, (target.x, target.y, target.z))
    avatar = room.avatars.get(avatar_id)
    if avatar is None:
        other = hub.avatar_room(avatar_id)
        moving = other.avatars.get(avatar_id) if other is not None else None
        if moving is None or moving.session is None:
            raise WorldServiceError("the avatar is neither in the target's room nor a client here")
        await hub.relocate(moving.session, room, p, facing)
    elif avatar.node == hub.node:
        actions.teleport(hub, avatar, room, p, facing)
    else:
        await hub.broker.publish(
            bridge.channel(room.id),
            bridge.pack(bridge.Teleport(node=hub.node, id=avatar_id, p=p, r=facing)),
        )
    return p


def set_call_policy(hub: WorldHub, policy: CallPolicy | None) -> None:
    """Decide who may call whom (see world.calls); without a policy every call is refused."""
    hub.calls.policy = policy


def has_calls(hub: WorldHub, *, context: str) -> bool:
    """Whether any of this node's calls is tied to `context`."""
    return hub.calls.has_context(context)


async def end_calls(hub: WorldHub, *, context: str, why: str, keep_user: str | None = None) -> int:
    """End this node's calls tied to `context` (e.g. a conversation that left its advisor),
    except calls with `keep_user` in them."""
    return await hub.calls.end_for_context(context, why=why, keep_user=keep_user)


def set_brand_layout(hub: WorldHub, *, brand: str, zones: dict[str, Zone]) -> None:
    """Replace a brand's zones (rooms already open keep their bounds until they empty)."""
    hub.layouts.set_brand(brand, zones)


def _room_with(hub: WorldHub, avatar_id: int) -> Room:
    for room in hub.rooms.values():
        if avatar_id in room.avatars:
            return room
    raise WorldServiceError("no such avatar in the rooms of this node")


def _occupant(hub: WorldHub, a: Avatar) -> Occupant:
    return Occupant(
        id=a.id,
        name=a.name,
        badge=a.badge,
        position=a.position,
        yaw=a.yaw,
        session_id=a.session_id,
        user_id=a.user_id,
        connected=a.session is not None or a.node != hub.node or a.badge == Badge.BOT.value,
        local=a.node == hub.node,
    )
