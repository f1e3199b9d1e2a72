"""Resume on another node: the avatar's ownership moves, its id and state stay.

A resume token names the node that issued it (`<node>.<secret>`). When a client
resumes on a different node (no sticky sessions at the proxy), that node asks the
owner on the owner's node channel; the owner checks the token and the session,
gives the avatar up (its other nodes' mirrors are re-owned through the room channel,
so nobody sees an exit or a second avatar) and answers with the avatar's state. When
no process listens on the owner's channel any more (its node died), the claim fails at
once and the client joins afresh; the dead node's avatars go when its heartbeat stops.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import TYPE_CHECKING, Any

import msgspec
import structlog

from vitrina.world import bridge
from vitrina.world.avatar import Avatar
from vitrina.world.protocol import CloseCode, EnterOut, ErrorCode, FrameError, Presence

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub
    from vitrina.world.session import Session

log = structlog.get_logger(__name__)

NODE_CHANNEL_PREFIX = "vitrina:world:node:"
CLAIM_TIMEOUT_S = 3.0


class _Msg(msgspec.Struct, tag_field="k", array_like=True):
    node: str
    req: str


class Claim(_Msg, tag="claim"):
    token: str
    session_id: str


class Granted(_Msg, tag="granted"):
    brand: str
    zone: str
    shard: int
    who: Presence
    session_id: str | None
    user_id: str | None


class Refused(_Msg, tag="refused"):
    pass


Message = Claim | Granted | Refused
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Message)


def node_channel(node: str) -> str:
    return NODE_CHANNEL_PREFIX + node


def token_node(token: str) -> str:
    return token.partition(".")[0]


def new_token(node: str) -> str:
    return f"{node}.{secrets.token_urlsafe(24)}"


class Handoff:
    def __init__(self, hub: WorldHub) -> None:
        self.hub = hub
        self._waiting: dict[str, asyncio.Future[Granted | None]] = {}

    async def start(self) -> Any:
        return await self.hub.broker.subscribe(node_channel(self.hub.node), self._on_message)

    async def claim(self, session: Session, token: str) -> tuple[Avatar, Any]:
        """Take over the avatar behind a foreign token; returns it with its room."""
        hub = self.hub
        owner = token_node(token)
        req = secrets.token_hex(8)
        future: asyncio.Future[Granted | None] = asyncio.get_running_loop().create_future()
        self._waiting[req] = future
        claim = Claim(node=hub.node, req=req, token=token, session_id=session.principal.session_id)
        try:
            reached = await hub.broker.publish(node_channel(owner), _encoder.encode(claim))
            # Nobody listens on the owner's channel: its node is gone (killed, restarted),
            # and the client joins afresh at once instead of after the claim's timeout.
            granted = await asyncio.wait_for(future, CLAIM_TIMEOUT_S) if reached else None
        except (TimeoutError, Exception) as exc:
            log.info("world_claim_failed", owner=owner, error=type(exc).__name__)
            granted = None
        finally:
            self._waiting.pop(req, None)
        if granted is None:
            raise FrameError(ErrorCode.RESUME_FAILED, "unknown or expired resume token", "resume")
        room = await hub.open_room(granted.brand, granted.zone, granted.shard)
        p = granted.who
        had_mirror = room.remove(p.id) is not None  # the mirror this node may hold of it
        avatar = Avatar(
            id=p.id, name=p.name, badge=p.badge, look=p.look, node=hub.node, x=0.0, y=0.0, z=0.0,
            session_id=granted.session_id, user_id=granted.user_id,
            last_move_at=time.monotonic(),
        )  # fmt: skip
        if p.s is not None:
            avatar.set_entry(tuple(p.s))
        room.add(avatar)
        hub.adopt(avatar, room)
        if not had_mirror:  # this node's clients never saw it (or saw it go): show it
            room.broadcast(EnterOut(who=[avatar.presence()]))
        return avatar, room

    async def _on_message(self, payload: bytes) -> None:
        try:
            msg = _decoder.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        if type(msg) is Claim:
            await self._grant(msg)
            return
        future = self._waiting.get(msg.req)
        if future is not None and not future.done():
            future.set_result(msg if type(msg) is Granted else None)

    async def _grant(self, claim: Claim) -> None:
        hub = self.hub
        avatar = hub.token_avatar(claim.token)
        room = hub.avatar_room(avatar.id) if avatar is not None else None
        reply: Message
        if avatar is None or room is None or avatar.session_id != claim.session_id:
            reply = Refused(node=hub.node, req=claim.req)
        else:
            reply = Granted(
                node=hub.node, req=claim.req, brand=room.brand, zone=room.zone_name,
                shard=room.shard, who=avatar.presence(), session_id=avatar.session_id,
                user_id=avatar.user_id,
            )  # fmt: skip
            old = avatar.session
            hub.release(avatar, room, new_owner=claim.node)
            if old is not None:
                old.leave_room()
                old.close(CloseCode.REPLACED, "resumed on another node")
            await hub.publish(room, bridge.Handoff(node=hub.node, id=avatar.id, to=claim.node))
        await hub.broker.publish(node_channel(claim.node), _encoder.encode(reply))
        if room is not None:
            await hub.close_room_if_idle(room)
