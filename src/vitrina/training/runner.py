"""Live rehearsals: the private room, the simulated customer's avatar, the patience timer.

The composition root starts one `TrainingRooms` per node. A started session gets a
private world room (a copy of the scenario's zone that only the trainee may join) and a
bot avatar for the customer, who walks to the product, speaks, reacts to the trainee's
replies (said in the room's chat or typed in the console) and escalates when kept
waiting. Every step is written to the session's events, so the replay and the score
come from the database, not from this node's memory.

In a cluster (no sticky routing) the node that started a session owns it: the
customer's avatar and the patience timer live there, and it listens on the session's
broker channel. A reply that reaches another node (the console's HTTP request, or the
trainee's chat when their socket is there) is taken as a turn in the database by that
node, one turn at a time per session (`training.lock_session`), and the customer's acts
are sent to the owner to play, numbered so they are played in the order of the turns.
A node learns of a private room opened elsewhere when the trainee joins it there
(`world.set_private_resolver`). When nobody listens on the session's channel (the owner
stopped or died), the node holding the turn takes the session over under the same lock:
it subscribes, puts the customer's avatar back at the product and carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.broker import Unsubscribe
from vitrina.core.db import transaction
from vitrina.core.errors import NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.training import service as training
from vitrina.training.engine import Action
from vitrina.training.errors import TrainingErrorCode
from vitrina.training.models import TrainingEvent, TrainingSession
from vitrina.training.nlu import BotReader
from vitrina.training.scenario import Scenario
from vitrina.world import service as world
from vitrina.world.events import ChatPosted, PresenceJoined
from vitrina.world.hub import WorldHub
from vitrina.world.protocol import CHAT_MAX_CHARS

log = structlog.get_logger(__name__)

ZONE_PREFIX = "training-"
WALK_STEP_M = 0.4
WALK_STEP_S = 0.2
MOVE_SAMPLE_M = 0.3
ROOMS_CHANNEL = "training:rooms"
# How long the owner waits for the acts of an earlier turn before playing a later one
# (a message the broker lost never holds the customer up for longer).
TURN_WAIT_S = 2.0


def session_channel(session_id: str) -> str:
    return f"training:session:{session_id}"


@dataclass
class Live:
    session_id: str
    brand: str
    zone: str
    room: str
    trainee_id: str
    scenario: Scenario
    customer: world.BotAvatar
    spot: tuple[float, float] | None
    # One turn at a time in the database (this node's share; `lock_session` across
    # nodes); the customer's acts played in the world in the order the turns were taken
    # (the opening walk does not hold up a reply's turn).
    lock: asyncio.Lock
    stage: asyncio.Lock = field(default_factory=asyncio.Lock)
    played: int = 0  # the last trainee turn whose acts were played
    turned: asyncio.Condition = field(default_factory=asyncio.Condition)
    due_at: float | None = None  # monotonic time of the next patience check
    trainee_at: tuple[float, float] | None = None
    last_line: str = ""  # what the customer said last, said again to a trainee walking in
    said_at: float = 0.0  # when (wall clock, comparable across nodes) it was said
    ended: bool = False
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    unsubscribe: Unsubscribe | None = None


def _actions_json(actions: list[Action]) -> list[dict[str, Any]]:
    return [{"kind": a.kind, "value": a.value, "escalation": a.escalation} for a in actions]


def _actions_of(data: list[dict[str, Any]]) -> list[Action]:
    return [
        Action(kind=a["kind"], value=str(a.get("value", "")), escalation=bool(a.get("escalation")))
        for a in data
    ]


class TrainingRooms:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        hub: WorldHub,
        reader: BotReader,
        *,
        tick_s: float = 0.5,
        linger_s: float = 8.0,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.hub = hub
        self.broker = hub.broker
        self.reader = reader
        self.tick_s = tick_s
        self.linger_s = linger_s
        self.live: dict[str, Live] = {}  # the sessions this node owns
        # Training rooms this node knows, owned or not: room id -> (session, trainee).
        self._by_room: dict[str, tuple[str, str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        # Where the trainee of a session held elsewhere was last recorded (by session id).
        self._trainee_at: dict[str, tuple[float, float]] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._unsubscribe_rooms: Unsubscribe | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._unsubscribe = [
            self.bus.subscribe(ChatPosted, self.on_chat),
            self.bus.subscribe(PresenceJoined, self.on_joined),
        ]
        self._unsubscribe_rooms = await self.broker.subscribe(ROOMS_CHANNEL, self._on_rooms)
        world.set_private_resolver(self.hub, self._resolve)
        self._loop = asyncio.create_task(self._run(), name="training-rooms")

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        world.set_private_resolver(self.hub, None)
        if self._unsubscribe_rooms is not None:
            with contextlib.suppress(Exception):
                await self._unsubscribe_rooms()
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        for task in list(self._tasks):
            task.cancel()
        # The sessions go on: another node (or this one, restarted) takes them over.
        for live in list(self.live.values()):
            await self._close_room(live, announce=False)

    def _lock_of(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ starting

    async def begin(self, principal: Principal, session_id: str) -> TrainingSession:
        zone = f"{ZONE_PREFIX}{secrets.token_hex(8)}"
        async with transaction(self.sessions) as db:
            found = await training.get_session(db, principal=principal, session_id=session_id)
            brand = found.brand_slug
        await self.reader.warm(brand)
        async with transaction(self.sessions) as db:
            session = await training.get_session(db, principal=principal, session_id=session_id)
            training.own_session(principal, session)
            scenario = training.scenario_of(session)
            if session.state == "assigned":
                spot = await self._product_spot(db, session.brand_slug, scenario)
            else:
                spot = None
            room = None
            if session.state == "assigned":
                room = await world.open_private_room(
                    self.hub,
                    brand=session.brand_slug,
                    name=zone,
                    like_zone=scenario.room.zone,
                    allowed_users=frozenset({session.trainee_id}),
                )
            try:
                actions = await training.begin(db, principal=principal, session=session, zone=zone)
                assert room is not None
                customer = await world.join_bot(
                    self.hub,
                    brand=session.brand_slug,
                    zone=zone,
                    display_name=scenario.persona.name,
                )
            except BaseException:
                if room is not None:
                    await world.close_private_room(self.hub, brand=session.brand_slug, name=zone)
                raise
        live = Live(
            session_id=session.id,
            brand=session.brand_slug,
            zone=zone,
            room=room,
            trainee_id=session.trainee_id,
            scenario=scenario,
            customer=customer,
            spot=spot,
            lock=self._lock_of(session.id),
        )
        await self._own(live)
        # The customer walks to the product and speaks there, while the answer goes back.
        self._perform(live, actions, turn=None)
        return session

    async def _own(self, live: Live) -> None:
        """This node holds the session: it hears what other nodes send it."""
        self.live[live.session_id] = live
        self._by_room[live.room] = (live.session_id, live.trainee_id)

        async def on_message(payload: bytes) -> None:
            self._on_session_message(live, payload)

        live.unsubscribe = await self.broker.subscribe(session_channel(live.session_id), on_message)

    def _perform(self, live: Live, actions: list[Action], *, turn: int | None) -> None:
        """Play the customer's acts in the world, after those of the turns before."""

        async def perform() -> None:
            if turn is not None:
                # The acts of turn n - 1 may still be on their way from another node.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(TURN_WAIT_S), live.turned:
                        await live.turned.wait_for(lambda: live.played >= turn - 1)
            async with live.stage:
                await self._play(live, actions)
            if turn is not None:
                async with live.turned:
                    live.played = max(live.played, turn)
                    live.turned.notify_all()

        self._later(live, perform())

    async def _product_spot(
        self, db: AsyncSession, brand: str, scenario: Scenario
    ) -> tuple[float, float] | None:
        if scenario.room.product_spot is not None:
            spot: tuple[float, float] = scenario.room.product_spot
            return spot
        if not scenario.room.products:
            return None
        found = await brands.get_by_slug(db, slug=brand)
        if found is None:
            return None
        for zone in brands.layout_of(found).zones:
            if zone.name != scenario.room.zone:
                continue
            for stand in zone.stands:
                if stand.product_slug == scenario.room.products[0]:
                    # In front of the stand, on the side of the zone's entrance.
                    sx, sz = zone.spawn or (stand.x, stand.z + 3)
                    d = math.hypot(sx - stand.x, sz - stand.z) or 1.0
                    return (stand.x + 2.5 * (sx - stand.x) / d, stand.z + 2.5 * (sz - stand.z) / d)
        return None

    # ------------------------------------------------------------------ replies

    async def say(self, principal: Principal, session_id: str, text: str) -> TrainingSession:
        """A reply typed in the console (this node may or may not own the session)."""
        async with transaction(self.sessions) as db:
            session = await training.get_session(db, principal=principal, session_id=session_id)
            training.own_session(principal, session)
        return await self._reply(session_id, text, via="console")

    async def on_chat(self, event: ChatPosted) -> None:
        """A line said in a training room by its trainee, whose socket is on this node
        (a chat line is published on the bus of the speaker's node only)."""
        if not event.private or event.badge == "bot":
            return
        known = self._by_room.get(event.room)
        if known is None or event.user_id != known[1]:
            return
        session_id = known[0]
        live = self.live.get(session_id)
        if live is not None and live.ended:
            return
        # In a task of its own: the trainee's socket reads on while the customer thinks;
        # the session's lock (taken first, in the order the lines came) keeps the replies
        # in the order they were said.
        self._spawn(self._reply_from_world(session_id, event.text))

    async def on_joined(self, event: PresenceJoined) -> None:
        """The trainee walks into the room (perhaps after the customer spoke, from the
        console): the customer says their last line again, to them."""
        if not event.private or event.badge == "bot":
            return
        known = self._by_room.get(event.room)
        if known is None or event.user_id != known[1]:
            return
        session_id = known[0]
        joined = time.time()
        live = self.live.get(session_id)
        if live is not None:
            if not live.ended:
                self._repeat(live, joined)
            return
        self._spawn(self._joined_elsewhere(session_id, joined))

    def _repeat(self, live: Live, joined: float) -> None:
        async def repeat() -> None:
            async with live.stage:
                # Not when the line was said after they came in: they heard it.
                if live.last_line and live.said_at < joined and not live.ended:
                    await live.customer.say(live.last_line[:CHAT_MAX_CHARS])

        self._later(live, repeat())

    async def _joined_elsewhere(self, session_id: str, joined: float) -> None:
        """Tell the owner; when there is none any more, take the session over."""
        try:
            async with self._lock_of(session_id), transaction(self.sessions) as db:
                session = await training.lock_session(db, session_id)
                if session is None or session.state != "running":
                    return
                message = {"k": "joined", "at": joined}
                _, live = await self._forward_or_adopt(db, session, message, played=None)
            if live is not None:
                self._repeat(live, joined)
        except Exception:
            log.warning("training_join_failed", session_id=session_id, exc_info=True)

    async def _reply_from_world(self, session_id: str, text: str) -> None:
        try:
            await self._reply(session_id, text, via="world")
        except Exception:
            log.warning("training_reply_failed", session_id=session_id, exc_info=True)

    async def _reply(self, session_id: str, text: str, *, via: str) -> TrainingSession:
        async with self._lock_of(session_id):
            delivered = True
            async with transaction(self.sessions) as db:
                session = await training.lock_session(db, session_id)
                if session is None:
                    raise NotFound(
                        "No such training session.", code=TrainingErrorCode.SESSION_NOT_FOUND
                    )
                reading = await self.reader.read(session.brand_slug, text, session.language)
                _, actions = await training.reply(
                    db, session=session, text=text, reading=reading, via=via
                )
                turn = training.state_of(session).trainee_turns
                live = self.live.get(session_id)
                if live is None:
                    message = {"k": "play", "turn": turn, "actions": _actions_json(actions)}
                    delivered, live = await self._forward_or_adopt(
                        db, session, message, played=turn - 1
                    )
            if live is not None:
                self._perform(live, actions, turn=turn)
            elif not delivered and session.state == "ended":
                # Nobody holds the room any more: every node forgets it.
                await self._announce_closed(session.brand_slug, session.zone)
        return session

    async def _forward_or_adopt(
        self, db: AsyncSession, session: TrainingSession, message: dict[str, Any], *,
        played: int | None,
    ) -> tuple[bool, Live | None]:  # fmt: skip
        """Send `message` to the session's owner, under the session's lock. Nobody
        listening: the owner is gone, and this node takes the running session over (the
        lock makes it the only one; it listens before the lock is let go). Returns
        whether the owner got it, and the session's `Live` when this node now owns it."""
        payload = json.dumps({**message, "from": self.hub.node}).encode()
        try:
            if await self.broker.publish(session_channel(session.id), payload) > 0:
                return True, None
        except Exception:
            log.warning("training_forward_failed", session_id=session.id, exc_info=True)
            return True, None  # the broker is down: the turn is taken, the world waits
        if session.state != "running" or session.zone is None:
            return False, None
        return False, await self._adopt(db, session, played=played)

    async def _adopt(
        self, db: AsyncSession, session: TrainingSession, *, played: int | None
    ) -> Live:
        assert session.zone is not None
        scenario = training.scenario_of(session)
        room = await world.adopt_private_room(
            self.hub,
            brand=session.brand_slug,
            name=session.zone,
            like_zone=scenario.room.zone,
            allowed_users=frozenset({session.trainee_id}),
        )
        spot = await self._product_spot(db, session.brand_slug, scenario)
        position = None
        zone = world.zone_of(self.hub, brand=session.brand_slug, zone=session.zone)
        if spot is not None and zone is not None and zone.contains(spot[0], 0.0, spot[1]):
            position = (spot[0], 0.0, spot[1])  # they had walked there already
        customer = await world.join_bot(
            self.hub,
            brand=session.brand_slug,
            zone=session.zone,
            display_name=scenario.persona.name,
            position=position,
        )
        last = await db.scalar(
            select(TrainingEvent.line)
            .where(
                TrainingEvent.session_id == session.id,
                TrainingEvent.who == "customer",
                TrainingEvent.kind == "say",
            )
            .order_by(TrainingEvent.seq.desc())
            .limit(1)
        )
        turns = training.state_of(session).trainee_turns
        live = Live(
            session_id=session.id,
            brand=session.brand_slug,
            zone=session.zone,
            room=room,
            trainee_id=session.trainee_id,
            scenario=scenario,
            customer=customer,
            spot=spot,
            lock=self._lock_of(session.id),
            played=turns if played is None else played,
            last_line=last or "",
            due_at=time.monotonic() + scenario.persona.patience_s,
        )
        await self._own(live)
        log.info("training_session_taken_over", session_id=session.id, node=self.hub.node)
        return live

    def _on_session_message(self, live: Live, payload: bytes) -> None:
        """What another node sends the owner: a turn's acts to play, the trainee came in."""
        try:
            message = json.loads(payload)
            if message.get("from") == self.hub.node or live.ended:
                return
            if message["k"] == "play":
                self._perform(live, _actions_of(message["actions"]), turn=int(message["turn"]))
            elif message["k"] == "joined":
                self._repeat(live, float(message["at"]))
        except (ValueError, KeyError, TypeError):
            log.warning("training_bad_message", session_id=live.session_id)

    async def _on_rooms(self, payload: bytes) -> None:
        """A training room closed (its session ended): every node forgets it."""
        try:
            message = json.loads(payload)
            brand, zone, sender = str(message["brand"]), str(message["zone"]), message["from"]
        except (ValueError, KeyError, TypeError):
            return
        if sender == self.hub.node:
            return
        for live in list(self.live.values()):
            if live.brand == brand and live.zone == zone:
                live.ended = True
                self._spawn(self._close_room(live, announce=False))
                return
        self._spawn(self._forget(brand, zone))

    async def _forget(self, brand: str, zone: str) -> None:
        for rid, (sid, _) in list(self._by_room.items()):
            if sid not in self.live and rid.startswith(f"{brand}/{zone}#"):
                self._by_room.pop(rid, None)
                self._locks.pop(sid, None)
                self._trainee_at.pop(sid, None)
        if world.zone_of(self.hub, brand=brand, zone=zone) is not None:
            with contextlib.suppress(Exception):
                await world.close_private_room(self.hub, brand=brand, name=zone)

    async def _announce_closed(self, brand: str, zone: str | None) -> None:
        if zone is None:
            return
        payload = json.dumps({"brand": brand, "zone": zone, "from": self.hub.node}).encode()
        try:
            await self.broker.publish(ROOMS_CHANNEL, payload)
        except Exception:
            log.warning("training_announce_failed", zone=zone, exc_info=True)
        await self._forget(brand, zone)

    async def _resolve(self, brand: str, zone: str) -> bool:
        """The trainee joins, through this node, a training room opened on another."""
        if not zone.startswith(ZONE_PREFIX):
            return False
        async with transaction(self.sessions) as db:
            session = await training.running_in_zone(db, brand=brand, zone=zone)
            if session is None:
                return False
            scenario = training.scenario_of(session)
            room = await world.adopt_private_room(
                self.hub,
                brand=brand,
                name=zone,
                like_zone=scenario.room.zone,
                allowed_users=frozenset({session.trainee_id}),
            )
            self._by_room[room] = (session.id, session.trainee_id)
        return True

    async def stop(self, principal: Principal, session_id: str) -> TrainingSession:
        async with self._lock_of(session_id), transaction(self.sessions) as db:
            session = await training.get_session(db, principal=principal, session_id=session_id)
            session = await training.lock_session(db, session_id) or session
            await training.stop(db, principal=principal, session=session)
        live = self.live.get(session_id)
        if live is not None:
            live.ended = True
            await self._close_room(live)
        else:
            # The owner (wherever it is) closes the room; every node forgets it.
            await self._announce_closed(session.brand_slug, session.zone)
        return session

    async def erase_trainee(
        self, principal: Principal, brand: str, user_id: str
    ) -> training.Erased:
        """Erase a member of staff's training records; the rooms of their running
        sessions close, wherever they are held."""
        async with transaction(self.sessions) as db:
            erased = await training.erase_trainee(
                db, principal=principal, brand=brand, user_id=user_id
            )
        for session_brand, zone, session_id in erased.running:
            live = self.live.get(session_id)
            if live is not None:
                live.ended = True
                await self._close_room(live)
            else:
                await self._announce_closed(session_brand, zone)
        return erased

    # ------------------------------------------------------------------ the customer

    async def _play(self, live: Live, actions: list[Action]) -> None:
        for action in actions:
            try:
                if action.kind == "walk" and live.spot is not None:
                    await self._walk(live, live.spot)
                elif action.kind == "say":
                    live.last_line = action.value
                    live.said_at = time.time()
                    await live.customer.say(action.value[:CHAT_MAX_CHARS])
                elif action.kind == "emote":
                    live.customer.emote(action.value)
                elif action.kind == "end":
                    live.ended = True
                    self._later(live, self._linger_then_close(live))
            except world.WorldServiceError as exc:
                log.info("training_action_skipped", session_id=live.session_id, why=str(exc))
        live.due_at = None if live.ended else time.monotonic() + live.scenario.persona.patience_s

    async def _walk(self, live: Live, spot: tuple[float, float]) -> None:
        """Walk to the product at a visitor's pace (the customer speaks once there)."""
        avatar = live.customer
        x, y, z = avatar.avatar.position
        tx, tz = spot
        distance = math.hypot(tx - x, tz - z)
        steps = max(1, math.ceil(distance / WALK_STEP_M))
        yaw = math.atan2(-(tx - x), -(tz - z))
        # Where the walk starts and where it ends: the replay draws the walk between them.
        await self._record_move(live, who="customer", at=(x, z))
        for i in range(1, steps + 1):
            avatar.move_to((x + (tx - x) * i / steps, y, z + (tz - z) * i / steps), yaw)
            await asyncio.sleep(WALK_STEP_S)
        await self._record_move(live, who="customer", at=(tx, tz))

    async def _record_move(self, live: Live, *, who: str, at: tuple[float, float]) -> None:
        # Under the session's lock, like every write of its events (their numbers are a
        # sequence per session).
        async with live.lock, transaction(self.sessions) as db:
            session = await training.lock_session(db, live.session_id)
            if session is None:
                return
            await training.record(
                db,
                session,
                who=who,
                kind="move",
                detail={"x": round(at[0], 2), "z": round(at[1], 2)},
            )

    def _later(self, live: Live, coro: Coroutine[object, object, None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        live.tasks.add(task)
        task.add_done_callback(live.tasks.discard)

    async def _linger_then_close(self, live: Live) -> None:
        await asyncio.sleep(self.linger_s)
        await self._close_room(live)

    async def _close_room(self, live: Live, *, announce: bool = True) -> None:
        """Close the room this node holds; `announce`: the session is over, every node
        forgets the room (not when this node only stops: another takes the session)."""
        if self.live.pop(live.session_id, None) is None:
            return
        self._by_room.pop(live.room, None)
        self._locks.pop(live.session_id, None)
        if live.unsubscribe is not None:
            with contextlib.suppress(Exception):
                await live.unsubscribe()
        current = asyncio.current_task()
        for task in list(live.tasks):
            if task is not current:
                task.cancel()
        with contextlib.suppress(Exception):
            await world.close_private_room(self.hub, brand=live.brand, name=live.zone)
        if announce:
            await self._announce_closed(live.brand, live.zone)

    # ------------------------------------------------------------------ the clock

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            for live in list(self.live.values()):
                try:
                    await self._tick(live)
                except Exception:
                    log.warning("training_tick_failed", session_id=live.session_id, exc_info=True)
            # The trainee's socket may be here while the session is held elsewhere.
            for room, (session_id, trainee_id) in list(self._by_room.items()):
                if session_id in self.live:
                    continue
                try:
                    await self._sample_away(room, session_id, trainee_id)
                except Exception:
                    log.warning("training_sample_failed", session_id=session_id, exc_info=True)

    async def _tick(self, live: Live) -> None:
        if live.ended:
            return
        await self._sample_trainee(live)
        if live.due_at is None or time.monotonic() < live.due_at or live.lock.locked():
            return
        async with live.lock:
            async with transaction(self.sessions) as db:
                session = await training.lock_session(db, live.session_id)
                if session is None:
                    return
                actions = await training.idle(db, session=session)
            if actions:
                live.due_at = None
                self._perform(live, actions, turn=None)
            else:
                live.due_at = time.monotonic() + self.tick_s

    async def _sample_away(self, room: str, session_id: str, trainee_id: str) -> None:
        """Where the trainee stands, when their socket is on this node and the session's
        owner is another: the owner sees their avatar without knowing whose it is."""
        brand, _, rest = room.partition("/")
        zone = rest.rpartition("#")[0]
        for occupant in world.room_occupants(self.hub, brand=brand, zone=zone):
            if occupant.user_id != trainee_id or not occupant.local:
                continue
            x, _, z = occupant.position
            last = self._trainee_at.get(session_id)
            if last is not None and math.hypot(x - last[0], z - last[1]) < MOVE_SAMPLE_M:
                return
            self._trainee_at[session_id] = (x, z)
            async with self._lock_of(session_id), transaction(self.sessions) as db:
                session = await training.lock_session(db, session_id)
                if session is None or session.state != "running":
                    return
                detail = {"x": round(x, 2), "z": round(z, 2)}
                await training.record(db, session, who="trainee", kind="move", detail=detail)
            return

    async def _sample_trainee(self, live: Live) -> None:
        for occupant in world.room_occupants(self.hub, brand=live.brand, zone=live.zone):
            if occupant.user_id != live.trainee_id or not occupant.local:
                continue
            x, _, z = occupant.position
            last = live.trainee_at
            if last is None or math.hypot(x - last[0], z - last[1]) >= MOVE_SAMPLE_M:
                live.trainee_at = (x, z)
                await self._record_move(live, who="trainee", at=(x, z))
