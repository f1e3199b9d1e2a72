"""The world hub of one node: owns its rooms, ticks them, bridges to other nodes."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec
import structlog

from vitrina.core.broker import Broker, Unsubscribe
from vitrina.core.config import Settings
from vitrina.core.events import EventBus
from vitrina.world import bridge, calls, handoff, loops, placement, remote
from vitrina.world.avatar import Avatar
from vitrina.world.census import VisitorCensus
from vitrina.world.events import PresenceJoined, PresenceLeft
from vitrina.world.layout import LayoutRegistry, LayoutSource, load_layout_file
from vitrina.world.protocol import (
    CloseCode,
    EnterOut,
    ErrorCode,
    ExitOut,
    FrameError,
    IceServer,
    JoinIn,
    Look,
    WelcomeOut,
)
from vitrina.world.room import Room, room_id
from vitrina.world.session import Session

log = structlog.get_logger(__name__)


@dataclass
class Stats:
    frames_in: int = 0
    dropped_moves: int = 0
    rejected_moves: int = 0
    rate_limited: int = 0
    errors: int = 0
    ticks: int = 0
    tick_seconds: float = 0.0
    closes: Counter[int] = field(default_factory=Counter)

    def count_close(self, code: int) -> None:
        self.closes[code] += 1


class WorldHub:
    def __init__(
        self, settings: Settings, broker: Broker, bus: EventBus, *,
        layout_source: LayoutSource | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.broker = broker
        self.bus = bus
        self.node = secrets.token_hex(6)
        self._id_base = (secrets.randbelow(4095) + 1) << 20
        self._next_id = 0
        layouts = LayoutRegistry(source=layout_source)
        if settings.world_layout_file is not None:
            layouts.default = load_layout_file(settings.world_layout_file)
        self.layouts = layouts
        self.rooms: dict[str, Room] = {}
        # Private rooms by room id: the staff user ids who may join (advisor training).
        self.private: dict[str, frozenset[str]] = {}
        # Asked for a zone this node does not know (a private room opened on another
        # node); True when it made the zone known (world.service.set_private_resolver).
        self.private_resolver: Callable[[str, str], Awaitable[bool]] | None = None
        self.sessions: set[Session] = set()
        self.stats = Stats()
        self._tokens: dict[str, Avatar] = {}
        self._avatar_rooms: dict[int, Room] = {}  # local avatars only
        self._unsubscribe: dict[str, Unsubscribe] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: set[asyncio.Task[None]] = set()
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._handoff = handoff.Handoff(self)
        self.calls = calls.Calls(self)  # voice calls between this node's clients
        self.census = VisitorCensus(self)
        # Checked now so that a malformed setting stops the start, not a call.
        self.ice_servers = msgspec.convert(settings.world_ice_servers, list[IceServer])
        self._opened = 0
        self._node_unsubscribe: Unsubscribe | None = None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._node_unsubscribe = await self._handoff.start()
        await self.census.start()
        self._tasks = [
            asyncio.create_task(loops.run_ticks(self), name="world-tick"),
            asyncio.create_task(loops.run_housekeeping(self), name="world-housekeeping"),
        ]

    async def stop(self) -> None:
        await self.census.stop()
        for session in list(self.sessions):
            session.close(CloseCode.GOING_AWAY, "server shutting down")
        await asyncio.sleep(0)  # let the sessions start their close
        tasks = [*self._tasks, *self._pending]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._node_unsubscribe is not None:
            await self._node_unsubscribe()
            self._node_unsubscribe = None
        for unsubscribe in list(self._unsubscribe.values()):
            with contextlib.suppress(Exception):
                await unsubscribe()
        self._unsubscribe.clear()

    def new_avatar_id(self) -> int:
        self._next_id = (self._next_id + 1) & 0xFFFFF or 1
        return self._id_base | self._next_id

    # ------------------------------------------------------------ rooms

    def capacity_of(self, brand: str, zone: str) -> int:
        z = self.layouts.zone(brand, zone)
        return z.capacity if z is not None and z.capacity else self.settings.world_room_capacity

    async def open_room(self, brand: str, zone_name: str, shard: int) -> Room:
        rid = room_id(brand, zone_name, shard)
        lock = self._room_locks.setdefault(rid, asyncio.Lock())
        async with lock:
            room = self.rooms.get(rid)
            if room is not None:
                return room
            zone = self.layouts.zone(brand, zone_name)
            if zone is None:
                raise FrameError(
                    ErrorCode.UNKNOWN_ZONE, f"brand {brand!r} has no zone {zone_name!r}"
                )
            room = Room(
                brand=brand,
                zone_name=zone_name,
                shard=shard,
                zone=zone,
                capacity=self.capacity_of(brand, zone_name),
                cell_size=self.settings.world_interest_radius_m,
            )
            room.slot = self._opened % loops.TICK_SLICES
            self._opened += 1
            self.rooms[rid] = room

            async def on_message(payload: bytes, room: Room = room) -> None:
                self._on_bridge(room, payload)

            self._unsubscribe[rid] = await self.broker.subscribe(bridge.channel(rid), on_message)
            await self.publish(room, bridge.Hello(node=self.node))
            return room

    async def close_room_if_idle(self, room: Room) -> None:
        if not room.is_empty_locally(self.node) or self.rooms.get(room.id) is not room:
            return
        del self.rooms[room.id]
        self._room_locks.pop(room.id, None)
        unsubscribe = self._unsubscribe.pop(room.id, None)
        if unsubscribe is not None:
            await unsubscribe()

    def suggest_shard(self, brand: str, zone: str, full_shard: int) -> str:
        cap = self.capacity_of(brand, zone)
        shard = full_shard + 1
        while (r := self.rooms.get(room_id(brand, zone, shard))) is not None:
            if len(r.avatars) < cap:
                break
            shard += 1
        return f"{zone}#{shard}"

    # ------------------------------------------------------------ joining and leaving

    async def join(self, session: Session, frame: JoinIn) -> None:
        p = session.principal
        if p.is_staff and not p.may_act_on(frame.brand):
            raise FrameError(ErrorCode.FORBIDDEN, "you do not serve this brand", "join")
        await self.layouts.refresh(frame.brand)
        if (
            self.layouts.zone(frame.brand, frame.zone) is None
            and self.private_resolver is not None
            and p.is_staff  # private rooms are for staff only
        ):
            try:
                await self.private_resolver(frame.brand, frame.zone)
            except Exception:
                log.warning("world_private_resolver_failed", zone=frame.zone, exc_info=True)
        if self.layouts.zone(frame.brand, frame.zone) is None:
            raise FrameError(
                ErrorCode.UNKNOWN_ZONE, f"brand {frame.brand!r} has no zone {frame.zone!r}", "join"
            )
        allowed = self.private.get(room_id(frame.brand, frame.zone, frame.shard))
        if allowed is not None and (not p.is_staff or p.user_id not in allowed):
            raise FrameError(ErrorCode.FORBIDDEN, "this room is private", "join")
        room = await self.open_room(frame.brand, frame.zone, frame.shard)
        if session.room is room and session.avatar is not None:
            self._attach(session, session.avatar, room, resumed=True)  # idempotent join
            return
        # A detached avatar of the same session in this room is resumed, never duplicated.
        for avatar in room.avatars.values():
            if (
                avatar.session_id == p.session_id
                and avatar.session is None
                and avatar.detached_at is not None
                and avatar.node == self.node
            ):
                await self._leave_current(session, why="moved")
                self._attach(session, avatar, room, resumed=True)
                return
        if len(room.avatars) >= room.capacity:
            await self._refuse_full(session, room, frame)
            return
        await self._leave_current(session, why="moved")
        if len(room.avatars) >= room.capacity:  # filled up while the old room was left
            await self._refuse_full(session, room, frame)
            return
        look = frame.look or Look()
        await self.add_avatar(
            room, name=p.display_name, badge=session.badge, look=look, session=session
        )

    async def _refuse_full(self, session: Session, room: Room, frame: JoinIn) -> None:
        await self.close_room_if_idle(room)
        suggestion = self.suggest_shard(frame.brand, frame.zone, frame.shard)
        session.error(
            ErrorCode.ROOM_FULL, f"{room.id} is full ({room.capacity})", "join", suggest=suggestion
        )

    async def add_avatar(
        self,
        room: Room,
        *,
        name: str,
        badge: str,
        look: Look,
        session: Session | None,
        session_id: str | None = None,
        user_id: str | None = None,
        position: tuple[float, float, float] | None = None,
        yaw: float = 0.0,
    ) -> Avatar:
        zone = room.zone
        if position is None:
            # Around the entrance of the zone, never on top of someone already there.
            others = [(a.x, a.z) for a in room.avatars.values()]
            position = placement.free_spot(zone, others, around=zone.spawn)
        if session is not None:
            session_id, user_id = session.principal.session_id, session.principal.user_id
        avatar = Avatar(
            id=self.new_avatar_id(),
            name=name,
            badge=badge,
            look=look,
            node=self.node,
            x=position[0],
            y=position[1],
            z=position[2],
            yaw=yaw,
            session_id=session_id,
            user_id=user_id,
            last_move_at=time.monotonic(),
        )
        room.add(avatar)
        self._avatar_rooms[avatar.id] = room
        if session is not None:
            self._attach(session, avatar, room, resumed=False)
        presence = avatar.presence()
        room.broadcast(EnterOut(who=[presence]), exclude=avatar.id)
        await self.publish(room, bridge.Enter(node=self.node, who=[presence]))
        await self.bus.publish(PresenceJoined(**self.event_fields(room, avatar)))
        return avatar

    def _attach(self, session: Session, avatar: Avatar, room: Room, *, resumed: bool) -> None:
        old = avatar.session
        if old is not None and old is not session:
            old.leave_room()
            old.close(CloseCode.REPLACED, "resumed on another connection")
        if avatar.resume_token is not None:
            self._tokens.pop(avatar.resume_token, None)
        avatar.resume_token = handoff.new_token(self.node)
        self._tokens[avatar.resume_token] = avatar
        avatar.session = session
        avatar.detached_at = None
        room.sessions[avatar.id] = session
        session.enter_room(avatar, room)
        zone = room.zone
        visible = room.visible_entries(avatar.cell)
        session.send(
            WelcomeOut(
                id=avatar.id,
                room=room.id,
                brand=room.brand,
                zone=room.zone_name,
                shard=room.shard,
                token=avatar.resume_token,
                tick_hz=self.settings.world_tick_hz,
                bounds=zone.bounds,
                radius=self.settings.world_interest_radius_m,
                spawn=zone.spawn,
                max_speed=self.settings.world_max_speed_mps,
                who=[a.presence() for a in room.avatars.values()],
                u=[a.entry for a in visible],
                resumed=resumed,
                ice=self.ice_servers,
            )
        )
        if resumed:
            # After the welcome, so that the client knows where it is before its call.
            self.calls.rebind(avatar.id, session, old=old if old is not session else None)

    async def relocate(
        self, session: Session, room: Room, position: tuple[float, float, float], yaw: float
    ) -> Avatar:
        """Move a connected client's avatar into another room (service API); the
        client gets a new `welcome`, the old room an `exit` with `why: moved`."""
        old = session.avatar
        look = old.look if old is not None else Look()
        await self._leave_current(session, why="moved")
        avatar = await self.add_avatar(
            room, name=session.principal.display_name, badge=session.badge, look=look,
            session=session, position=position, yaw=yaw,
        )  # fmt: skip
        return avatar

    async def resume(self, session: Session, token: str) -> None:
        if handoff.token_node(token) != self.node:
            avatar, room = await self._handoff.claim(session, token)
        else:
            found = self._tokens.get(token)
            if found is None or found.session_id != session.principal.session_id:
                raise FrameError(
                    ErrorCode.RESUME_FAILED, "unknown or expired resume token", "resume"
                )
            avatar = found
            maybe_room = self._avatar_rooms.get(avatar.id)
            if maybe_room is None:
                raise FrameError(ErrorCode.RESUME_FAILED, "the avatar has left", "resume")
            room = maybe_room
        if session.room is not None and session.room is not room:
            await self._leave_current(session, why="moved")
        self._attach(session, avatar, room, resumed=True)

    async def _leave_current(self, session: Session, *, why: str) -> None:
        avatar = session.avatar
        if avatar is not None:
            await self.remove_avatar(avatar.id, why=why)
        session.leave_room()

    async def leave(self, session: Session, *, why: str) -> None:
        await self._leave_current(session, why=why)

    async def leave_by_token(self, token: str) -> bool:
        """A client whose page is closing may not get its `leave` onto the socket; it
        says it over HTTP with its resume token instead, and the avatar goes now rather
        than after the resume grace. Whether an avatar of this node left."""
        if handoff.token_node(token) != self.node:
            return False
        avatar = self._tokens.get(token)
        if avatar is None:
            return False
        await self.remove_avatar(avatar.id, why="left")
        return True

    async def detach(self, session: Session, *, gone: bool = False) -> None:
        """The socket is gone: keep the avatar for the resume grace period, or remove it
        now when the client's page went away (`gone`: the browser closed with 1001)."""
        avatar, room = session.avatar, session.room
        session.leave_room()
        if avatar is None or room is None or avatar.session is not session:
            return
        avatar.session = None
        room.sessions.pop(avatar.id, None)
        if gone:
            await self.remove_avatar(avatar.id, why="left")
        elif self.settings.world_resume_grace_s <= 0:
            await self.remove_avatar(avatar.id, why="disconnected")
        else:
            avatar.detached_at = time.monotonic()

    async def remove_avatar(self, avatar_id: int, *, why: str) -> None:
        room = self._avatar_rooms.pop(avatar_id, None)
        if room is None:
            return
        avatar = room.remove(avatar_id)
        if avatar is None:
            return
        if avatar.resume_token is not None:
            self._tokens.pop(avatar.resume_token, None)
        if avatar.session is not None:
            avatar.session.leave_room()
            avatar.session = None
        room.broadcast(ExitOut(id=avatar_id, why=why))
        await self.publish(room, bridge.Exit(node=self.node, id=avatar_id, why=why))
        await self.bus.publish(PresenceLeft(**self.event_fields(room, avatar), reason=why))
        await self.close_room_if_idle(room)

    # ------------------------------------------------------------ ticking

    async def tick(self, slot: int | None = None) -> None:
        """Tick the rooms of one phase (all rooms when `slot` is None)."""
        for room in list(self.rooms.values()):
            if slot is not None and room.slot != slot:
                continue
            local = room.tick(self.node)
            if local:
                await self.publish(room, bridge.Sync(node=self.node, u=local))

    # ------------------------------------------------------------ bridge

    async def publish(self, room: Room, msg: bridge.Message) -> None:
        try:
            await self.broker.publish(bridge.channel(room.id), bridge.pack(msg))
        except Exception:
            log.warning("world_publish_failed", room=room.id, exc_info=True)

    def publish_soon(self, room: Room, msg: bridge.Message) -> None:
        self.track(asyncio.get_running_loop().create_task(self.publish(room, msg)))

    def track(self, task: asyncio.Task[None]) -> None:
        """Keep a fire-and-forget task referenced until it finishes."""
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _on_bridge(self, room: Room, payload: bytes) -> None:
        remote.apply(self, room, payload)

    def event_fields(self, room: Room, avatar: Avatar) -> dict[str, object]:
        return {
            "room": room.id,
            "brand": room.brand,
            "zone": room.zone_name,
            "avatar_id": avatar.id,
            "session_id": avatar.session_id,
            "user_id": avatar.user_id,
            "display_name": avatar.name,
            "badge": avatar.badge,
            "private": room.id in self.private,
        }

    def avatar_room(self, avatar_id: int) -> Room | None:
        return self._avatar_rooms.get(avatar_id)

    def token_avatar(self, token: str) -> Avatar | None:
        return self._tokens.get(token)

    def adopt(self, avatar: Avatar, room: Room) -> None:
        """Own an avatar handed over by another node."""
        self._avatar_rooms[avatar.id] = room

    def release(self, avatar: Avatar, room: Room, *, new_owner: str) -> None:
        """Give an avatar to another node; it stays here as a mirror."""
        self._avatar_rooms.pop(avatar.id, None)
        if avatar.resume_token is not None:
            self._tokens.pop(avatar.resume_token, None)
        avatar.resume_token = None
        avatar.node = new_owner
        avatar.session = None
        avatar.detached_at = None
        room.sessions.pop(avatar.id, None)
        room.remote_seen[new_owner] = time.monotonic()
