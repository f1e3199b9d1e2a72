"""What a client (or a server-driven avatar) does inside its room: move, talk, emote."""

from __future__ import annotations

import time
from math import isfinite
from typing import TYPE_CHECKING

from vitrina.world import bridge
from vitrina.world.avatar import Avatar, move_allowed, quantise_pose
from vitrina.world.events import ChatPosted
from vitrina.world.protocol import (
    EMOTES,
    POSE_QUAT_NORM2,
    POSE_REACH_M,
    ChatOut,
    CorrectOut,
    EmoteOut,
    ErrorCode,
    FrameError,
    MoveIn,
    Pose,
    all_finite,
)
from vitrina.world.room import Room

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub
    from vitrina.world.session import Session


def move(hub: WorldHub, session: Session, frame: MoveIn, now: float) -> None:
    avatar, room = session.where()
    x, y, z = frame.p
    if not (isfinite(x) and isfinite(y) and isfinite(z) and isfinite(frame.r)):
        raise FrameError(ErrorCode.BAD_VALUE, "position and rotation must be finite", "move")
    vr = None
    if frame.h is not None or frame.lh is not None or frame.rh is not None:
        for pose in (frame.h, frame.lh, frame.rh):
            if pose is not None:
                check_pose(pose, x, y, z)
        vr = (quantise_pose(frame.h), quantise_pose(frame.lh), quantise_pose(frame.rh))
    why = None
    if not room.zone.contains(x, y, z):
        why = "bounds"
    elif not move_allowed(avatar, x, y, z, now, hub.settings.world_max_speed_mps):
        why = "speed"
    if why is not None:
        hub.stats.rejected_moves += 1
        session.send(CorrectOut(p=avatar.position, r=avatar.yaw, why=why))
        return
    avatar.set_pose(x, y, z, frame.r, vr, frame.ts)
    avatar.last_move_at = now
    room.moved(avatar)


def check_pose(pose: Pose, x: float, y: float, z: float) -> None:
    """A head or hand pose must be finite, within reach of the body and carry a unit
    quaternion; anything else is refused whole (the move is ignored)."""
    if not all_finite(*pose):
        raise FrameError(ErrorCode.BAD_VALUE, "poses must be finite", "move")
    dx, dy, dz = pose[0] - x, pose[1] - y, pose[2] - z
    if dx * dx + dy * dy + dz * dz > POSE_REACH_M * POSE_REACH_M:
        raise FrameError(
            ErrorCode.BAD_VALUE, f"a pose lies more than {POSE_REACH_M} m from `p`", "move"
        )
    n2 = pose[3] * pose[3] + pose[4] * pose[4] + pose[5] * pose[5] + pose[6] * pose[6]
    if not POSE_QUAT_NORM2[0] <= n2 <= POSE_QUAT_NORM2[1]:
        raise FrameError(ErrorCode.BAD_VALUE, "pose rotations must be unit quaternions", "move")


def teleport(
    hub: WorldHub, avatar: Avatar, room: Room, p: tuple[float, float, float], r: float
) -> None:
    """Server-side placement (service API); the client is told to snap there."""
    avatar.set_pose(p[0], p[1], p[2], r, None, None)
    avatar.last_move_at = time.monotonic()
    room.moved(avatar)
    if avatar.session is not None:
        avatar.session.send(CorrectOut(p=p, r=r, why="teleport"))


async def chat(hub: WorldHub, session: Session, text: str) -> None:
    avatar, room = session.where()
    await say(hub, avatar, room, text)


async def say(hub: WorldHub, avatar: Avatar, room: Room, text: str) -> None:
    ts = int(time.time() * 1000)
    room.broadcast(ChatOut(id=avatar.id, name=avatar.name, text=text, ts=ts))
    await hub.publish(
        room, bridge.Chat(node=hub.node, id=avatar.id, name=avatar.name, text=text, ts=ts)
    )
    await hub.bus.publish(ChatPosted(**hub.event_fields(room, avatar), text=text))


def emote(hub: WorldHub, session: Session, name: str) -> None:
    avatar, room = session.where()
    if name not in EMOTES:
        raise FrameError(ErrorCode.BAD_VALUE, f"unknown emote {name[:32]!r}", "emote")
    do_emote(hub, avatar, room, name)


def do_emote(hub: WorldHub, avatar: Avatar, room: Room, name: str) -> None:
    room.broadcast(EmoteOut(id=avatar.id, name=name))
    hub.publish_soon(room, bridge.Emote(node=hub.node, id=avatar.id, name=name))
