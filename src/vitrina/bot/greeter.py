"""The bot in the 3D store: a greeter avatar per room that welcomes newcomers and says
the bot's answers to world conversations in the room (chat and speech bubbles).

It listens to world presence and to the conversations domain's posted messages; the
answers themselves come from `service.reply`, like on every other channel.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.bot.service import Runtime, greeting
from vitrina.conversations import service as conversations
from vitrina.conversations.events import MessagePosted
from vitrina.core.db import transaction
from vitrina.core.events import EventBus
from vitrina.identity import service as identity
from vitrina.world import service as world
from vitrina.world.events import PresenceJoined
from vitrina.world.hub import WorldHub
from vitrina.world.protocol import CHAT_MAX_CHARS

log = structlog.get_logger(__name__)

GREETED_MEMORY = 10_000


class Greeter:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        hub: WorldHub,
        runtime: Runtime,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.hub = hub
        self.runtime = runtime
        self.avatars: dict[str, world.BotAvatar] = {}
        # Sessions already welcomed in the brand's store, oldest first, so neither a reconnect
        # nor a change of zone is greeted again.
        self._greeted: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        self._unsubscribe += [
            self.bus.subscribe(PresenceJoined, self.on_joined),
            self.bus.subscribe(MessagePosted, self.on_message),
        ]

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for avatar in list(self.avatars.values()):
            with contextlib.suppress(Exception):
                await avatar.leave()
        self.avatars.clear()

    async def _avatar(self, room: str, name: str) -> world.BotAvatar:
        current = self.avatars.get(room)
        if current is not None:
            return current
        brand, _, rest = room.partition("/")
        zone, _, shard = rest.partition("#")
        avatar = await world.join_bot(
            self.hub, brand=brand, zone=zone, shard=int(shard or 1), display_name=name
        )
        self.avatars[room] = avatar
        return avatar

    async def on_joined(self, event: PresenceJoined) -> None:
        """Welcome a customer who walks in, in their conversation's language if known."""
        if event.badge == "bot" or event.user_id is not None or event.session_id is None:
            return
        if event.private:  # a training room has its own scripted customer
            return
        # Once per visit to the store: walking into the next zone is not a new arrival.
        key = (event.brand, event.session_id)
        if key in self._greeted:
            return
        content = self.runtime.content(event.brand)
        if content is None:
            return
        self._greeted[key] = None
        while len(self._greeted) > GREETED_MEMORY:
            self._greeted.popitem(last=False)
        offered = content.settings.languages
        # The conversation's language when one is open, else the one the visitor's page
        # opened in (the guest session's), else the brand's first.
        async with transaction(self.sessions) as db:
            open_conversation = await conversations.find_open(
                db, brand_slug=event.brand, guest_session_id=event.session_id
            )
            wanted = (
                open_conversation.locale
                if open_conversation is not None
                else await identity.guest_locale(db, session_id=event.session_id)
            )
        lang: str = wanted if wanted in offered else offered[0]
        try:
            # The greeter keeps its own spot by the entrance (see world.placement) rather
            # than stepping onto the newcomer, whose neighbours may stand there already.
            avatar = await self._avatar(event.room, content.settings.bot_name)
            await avatar.say(greeting(content, lang)[:CHAT_MAX_CHARS])
            avatar.emote("wave")
        except world.WorldServiceError as exc:
            log.info("greeter_skipped", room=event.room, why=str(exc))

    async def on_message(self, event: MessagePosted) -> None:
        """Say the bot's answers to world conversations in the customer's room."""
        message: dict[str, Any] = event.message
        if event.channel != "world" or message.get("author_kind") != "bot":
            return
        if message.get("internal"):
            return
        async with transaction(self.sessions) as db:
            conversation = await conversations.get(db, conversation_id=event.conversation_id)
        if conversation is None or conversation.channel != "world" or not conversation.world_room:
            return
        content = self.runtime.content(conversation.brand_slug)
        name = content.settings.bot_name if content is not None else "Assistant"
        try:
            avatar = await self._avatar(conversation.world_room, name)
            await avatar.say(str(message["body"])[:CHAT_MAX_CHARS])
        except world.WorldServiceError as exc:
            log.info("greeter_skipped", room=conversation.world_room, why=str(exc))
