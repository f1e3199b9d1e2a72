"""Live rehearsals: the private room, the simulated customer's avatar, the patience timer.

The composition root starts one `TrainingRooms` per node. A started session gets a
private world room (a copy of the scenario's zone that only the trainee may join) and a
bot avatar for the customer, who walks to the product, speaks, reacts to the trainee's
replies (said in the room's chat or typed in the console) and escalates when kept
waiting. Every step is written to the session's events, so the replay and the score
come from the database, not from this node's memory. A session lives on the node that
started it; after a restart its replies still work through the console, without avatar.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.training import service as training
from vitrina.training.engine import Action
from vitrina.training.models import TrainingSession
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
    # One turn at a time in the database; the customer's acts played in the world in the
    # order the turns were taken (the opening walk does not hold up a reply's turn).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    stage: asyncio.Lock = field(default_factory=asyncio.Lock)
    due_at: float | None = None  # monotonic time of the next patience check
    trainee_at: tuple[float, float] | None = None
    last_line: str = ""  # what the customer said last, said again to a trainee walking in
    said_at: float = 0.0  # when (monotonic) it was said
    ended: bool = False
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


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
        self.reader = reader
        self.tick_s = tick_s
        self.linger_s = linger_s
        self.live: dict[str, Live] = {}
        self._by_room: dict[str, str] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._unsubscribe = [
            self.bus.subscribe(ChatPosted, self.on_chat),
            self.bus.subscribe(PresenceJoined, self.on_joined),
        ]
        self._loop = asyncio.create_task(self._run(), name="training-rooms")

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        for live in list(self.live.values()):
            await self._close_room(live)

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
        )
        self.live[session.id] = live
        self._by_room[room] = session.id
        # The customer walks to the product and speaks there, while the answer goes back.
        self._perform(live, actions)
        return session

    def _perform(self, live: Live, actions: list[Action]) -> None:
        """Play the customer's acts in the world, after those of the turns before."""

        async def perform() -> None:
            async with live.stage:
                await self._play(live, actions)

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
        """A reply typed in the console."""
        async with transaction(self.sessions) as db:
            session = await training.get_session(db, principal=principal, session_id=session_id)
            training.own_session(principal, session)
        return await self._reply(session_id, text, via="console")

    async def on_chat(self, event: ChatPosted) -> None:
        """A line said in a training room by its trainee."""
        if not event.private or event.badge == "bot":
            return
        session_id = self._by_room.get(event.room)
        live = self.live.get(session_id) if session_id else None
        if live is None or event.user_id != live.trainee_id or live.ended:
            return
        # In a task of its own: the trainee's socket reads on while the customer thinks;
        # the session's lock keeps the replies in the order they were said.
        self._later(live, self._reply_from_world(live, event.text))

    async def on_joined(self, event: PresenceJoined) -> None:
        """The trainee walks into the room (perhaps after the customer spoke, from the
        console): the customer says their last line again, to them."""
        if not event.private or event.badge == "bot":
            return
        session_id = self._by_room.get(event.room)
        live = self.live.get(session_id) if session_id else None
        if live is None or event.user_id != live.trainee_id or live.ended:
            return

        joined = time.monotonic()

        async def repeat() -> None:
            async with live.stage:
                # Not when the line was said after they came in: they heard it.
                if live.last_line and live.said_at < joined:
                    await live.customer.say(live.last_line[:CHAT_MAX_CHARS])

        self._later(live, repeat())

    async def _reply_from_world(self, live: Live, text: str) -> None:
        try:
            await self._reply(live.session_id, text, via="world")
        except Exception:
            log.warning("training_reply_failed", session_id=live.session_id, exc_info=True)

    async def _reply(self, session_id: str, text: str, *, via: str) -> TrainingSession:
        live = self.live.get(session_id)
        lock = live.lock if live is not None else asyncio.Lock()
        async with lock:
            async with transaction(self.sessions) as db:
                session = await db.get(TrainingSession, session_id)
                assert session is not None
                reading = await self.reader.read(session.brand_slug, text, session.language)
                _, actions = await training.reply(
                    db, session=session, text=text, reading=reading, via=via
                )
            if live is not None:
                self._perform(live, actions)
        return session

    async def stop(self, principal: Principal, session_id: str) -> TrainingSession:
        live = self.live.get(session_id)
        lock = live.lock if live is not None else asyncio.Lock()
        async with lock, transaction(self.sessions) as db:
            session = await training.get_session(db, principal=principal, session_id=session_id)
            await training.stop(db, principal=principal, session=session)
        if live is not None:
            live.ended = True
            await self._close_room(live)
        return session

    # ------------------------------------------------------------------ the customer

    async def _play(self, live: Live, actions: list[Action]) -> None:
        for action in actions:
            try:
                if action.kind == "walk" and live.spot is not None:
                    await self._walk(live, live.spot)
                elif action.kind == "say":
                    live.last_line = action.value
                    live.said_at = time.monotonic()
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
            session = await db.get(TrainingSession, live.session_id)
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

    async def _close_room(self, live: Live) -> None:
        if self.live.pop(live.session_id, None) is None:
            return
        self._by_room.pop(live.room, None)
        current = asyncio.current_task()
        for task in list(live.tasks):
            if task is not current:
                task.cancel()
        with contextlib.suppress(Exception):
            await world.close_private_room(self.hub, brand=live.brand, name=live.zone)

    # ------------------------------------------------------------------ the clock

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            for live in list(self.live.values()):
                try:
                    await self._tick(live)
                except Exception:
                    log.warning("training_tick_failed", session_id=live.session_id, exc_info=True)

    async def _tick(self, live: Live) -> None:
        if live.ended:
            return
        await self._sample_trainee(live)
        if live.due_at is None or time.monotonic() < live.due_at or live.lock.locked():
            return
        async with live.lock:
            async with transaction(self.sessions) as db:
                session = await db.get(TrainingSession, live.session_id)
                if session is None:
                    return
                actions = await training.idle(db, session=session)
            if actions:
                live.due_at = None
                self._perform(live, actions)
            else:
                live.due_at = time.monotonic() + self.tick_s

    async def _sample_trainee(self, live: Live) -> None:
        for occupant in world.room_occupants(self.hub, brand=live.brand, zone=live.zone):
            if occupant.user_id != live.trainee_id:
                continue
            x, _, z = occupant.position
            last = live.trainee_at
            if last is None or math.hypot(x - last[0], z - last[1]) >= MOVE_SAMPLE_M:
                live.trainee_at = (x, z)
                await self._record_move(live, who="trainee", at=(x, z))
