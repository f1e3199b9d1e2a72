"""The world as a channel: chat said in the store lands in the customer's conversation,
and replies reach the customer in the room they stand in.

A customer's chat line (badge `customer`) is stored in their open conversation (one is
started if needed); an advisor's line is stored when they own a conversation with a
customer in the same room. Replies typed in the console, and service notices (queue
place, rating request), are said in the room by a stand-in avatar carrying the
advisor's name, placed next to the customer. Bot answers are the bot's to say.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import service, survey
from vitrina.conversations.events import MessagePosted, StateChanged
from vitrina.conversations.states import WITH_ADVISOR, Channel
from vitrina.core.db import transaction
from vitrina.core.errors import AppError
from vitrina.core.events import EventBus
from vitrina.core.security import SYSTEM_PRINCIPAL, Principal, Role
from vitrina.identity import service as identity
from vitrina.world import service as world
from vitrina.world.events import ChatPosted, PresenceJoined
from vitrina.world.hub import WorldHub
from vitrina.world.protocol import CHAT_MAX_CHARS

log = structlog.get_logger(__name__)

ORIGIN = "world"
SAID_BY_STAND_IN = frozenset({"agent", "supervisor", "system"})
STAND_IN_LINGER_S = 30.0


class WorldChannel:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, hub: WorldHub
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.hub = hub
        self.stand_ins: dict[str, world.BotAvatar] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        self._unsubscribe += [
            self.bus.subscribe(ChatPosted, self.on_chat),
            self.bus.subscribe(PresenceJoined, self.on_joined),
            self.bus.subscribe(MessagePosted, self.on_message),
            self.bus.subscribe(StateChanged, self.on_state_changed),
        ]

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        for stand_in in list(self.stand_ins.values()):
            with contextlib.suppress(Exception):
                await stand_in.leave()
        self.stand_ins.clear()

    async def on_chat(self, event: ChatPosted) -> None:
        if event.badge == "bot" or event.private:
            return
        async with transaction(self.sessions) as db:
            if event.user_id is None and event.session_id is not None:
                await self._customer_said(db, event)
            elif event.user_id is not None:
                await self._advisor_said(db, event)

    async def _customer_said(self, db: AsyncSession, event: ChatPosted) -> None:
        assert event.session_id is not None
        conversation = await service.find_open(
            db, brand_slug=event.brand, guest_session_id=event.session_id
        )
        if conversation is None:
            rated = await survey.answer_if_rating(
                db,
                bus=self.bus,
                brand_slug=event.brand,
                text=event.text,
                guest_session_id=event.session_id,
            )
            if rated is not None:
                return
            # In the storefront's language: the notices (queue place, rating request) and
            # the advisor's skills follow it.
            locale = await identity.guest_locale(db, session_id=event.session_id)
            conversation = await service.create(
                db,
                bus=self.bus,
                brand_slug=event.brand,
                channel=Channel.WORLD,
                customer_name=event.display_name,
                locale=locale or "en",
                guest_session_id=event.session_id,
            )
        service.place_in_world(conversation, room=event.room, avatar_id=event.avatar_id)
        await service.post_customer_message(
            db,
            bus=self.bus,
            conversation=conversation,
            body=event.text,
            channel=Channel.WORLD,
            data={"origin": ORIGIN, "room": event.room},
        )

    async def _advisor_said(self, db: AsyncSession, event: ChatPosted) -> None:
        assert event.user_id is not None
        advisor = Principal(
            kind="staff",
            session_id=event.session_id or "",
            display_name=event.display_name,
            user_id=event.user_id,
            roles=frozenset({Role.AGENT}),
        )
        held = await service.list_conversations(
            db, principal=_everything(), states=sorted(WITH_ADVISOR), assigned_to=event.user_id
        )
        for conversation in held:
            if conversation.world_room == event.room:
                await service.post_agent_message(
                    db,
                    bus=self.bus,
                    conversation=conversation,
                    principal=advisor,
                    body=event.text,
                    data={"origin": ORIGIN},
                )
                return

    async def on_joined(self, event: PresenceJoined) -> None:
        if event.private:
            return  # a training room: nobody's conversation
        if event.user_id is not None:
            await self._advisor_joined(event)
            return
        if event.session_id is None:
            return
        async with transaction(self.sessions) as db:
            conversation = await service.find_open(
                db, brand_slug=event.brand, guest_session_id=event.session_id
            )
            if conversation is not None:
                service.place_in_world(conversation, room=event.room, avatar_id=event.avatar_id)

    async def _advisor_joined(self, event: PresenceJoined) -> None:
        """ "Join in world": an advisor entering the room of a customer they serve is placed
        next to them, and the stand-in that spoke for them leaves."""
        async with transaction(self.sessions) as db:
            held = await service.list_conversations(
                db,
                principal=_everything(),
                states=sorted(WITH_ADVISOR),
                assigned_to=event.user_id,
            )
        for conversation in held:
            if conversation.world_room == event.room and conversation.world_avatar_id:
                try:
                    await world.teleport_next_to(
                        self.hub,
                        avatar_id=event.avatar_id,
                        target_id=conversation.world_avatar_id,
                    )
                except world.WorldServiceError as exc:
                    log.info("advisor_placement_skipped", why=str(exc))
                    return
                await self._dismiss(conversation.id, after_s=0)
                return

    async def on_message(self, event: MessagePosted) -> None:
        message: dict[str, Any] = event.message
        if (
            message["internal"]
            or message["author_kind"] not in SAID_BY_STAND_IN
            or message["data"].get("origin") == ORIGIN
            or message["kind"] == "note"
            or event.channel != Channel.WORLD
        ):
            return
        async with transaction(self.sessions) as db:
            conversation = await service.get(db, conversation_id=event.conversation_id)
        if conversation is None or conversation.channel != Channel.WORLD:
            return
        if conversation.world_room is None or conversation.world_avatar_id is None:
            return
        try:
            stand_in = await self._stand_in(
                event.conversation_id,
                conversation.world_room,
                conversation.world_avatar_id,
                conversation.assigned_agent_name or "Customer service",
            )
            await stand_in.say(message["body"][:CHAT_MAX_CHARS])
        except (world.WorldServiceError, AppError) as exc:
            log.info("world_delivery_skipped", conversation_id=event.conversation_id, why=str(exc))

    async def _stand_in(
        self, conversation_id: str, room: str, customer_avatar: int, name: str
    ) -> world.BotAvatar:
        current = self.stand_ins.get(conversation_id)
        if current is not None and current.room.id == room and current.avatar.name == name:
            return current
        if current is not None:
            await current.leave()
        brand, _, rest = room.partition("/")
        zone, _, shard = rest.partition("#")
        stand_in = await world.join_bot(
            self.hub, brand=brand, zone=zone, shard=int(shard or 1), display_name=name
        )
        with contextlib.suppress(world.WorldServiceError):
            await world.teleport_next_to(self.hub, avatar_id=stand_in.id, target_id=customer_avatar)
        self.stand_ins[conversation_id] = stand_in
        return stand_in

    async def on_state_changed(self, event: StateChanged) -> None:
        """The stand-in leaves when the bot takes over, and a while after resolution (once
        the rating request has been said)."""
        if event.to_state == "bot":
            await self._dismiss(event.conversation_id, after_s=0)
        elif event.to_state == "resolved":
            # Later, in a task of its own: a handler that waits holds up the bus's other handlers.
            task = asyncio.create_task(
                self._dismiss(event.conversation_id, after_s=STAND_IN_LINGER_S)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _dismiss(self, conversation_id: str, *, after_s: float) -> None:
        await asyncio.sleep(after_s)
        stand_in = self.stand_ins.pop(conversation_id, None)
        if stand_in is not None:
            with contextlib.suppress(Exception):
                await stand_in.leave()


def _everything() -> Principal:
    return SYSTEM_PRINCIPAL
