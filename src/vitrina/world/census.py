"""How many visitors are in each brand's store now, across every node of the cluster.

A room spanning nodes is mirrored on each of them, so no node can count the cluster by
looking at its own rooms: a node may have no room of a brand open at all while another
serves a hundred of its visitors. Each node therefore counts only the visitors whose
connection it holds and announces those counts on the broker: at once (debounced) when
one of them enters or leaves, and every `EVERY_S` as a heartbeat. A node that stops says
so; one that dies is forgotten after `STALE_S` without a heartbeat. The cluster figure is
this node's own count plus the latest heard from every other live node.

Visitors are customers' avatars: staff (advisors) and bots are not counted, and neither
is anyone in a private room (advisor training).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog

from vitrina.core.broker import Unsubscribe
from vitrina.core.events import DomainEvent
from vitrina.world.events import PresenceJoined, PresenceLeft
from vitrina.world.protocol import Badge

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

CHANNEL = "vitrina:world:census"
EVERY_S = 2.0
STALE_S = 3 * EVERY_S
# Entering and leaving in bursts (a crowd arriving) makes one announcement, not one each.
SOON_S = 0.1


class VisitorCensus:
    def __init__(self, hub: WorldHub, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._hub = hub
        self._clock = clock
        # Other node -> (when heard, brand -> visitors whose connection it holds).
        self._heard: dict[str, tuple[float, dict[str, int]]] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._broker_unsubscribe: Unsubscribe | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._soon: asyncio.Task[None] | None = None
        self._running = False

    # ------------------------------------------------------------ counting

    def local(self) -> Counter[str]:
        """Brand -> visitors whose connection this node holds."""
        counts: Counter[str] = Counter()
        hub = self._hub
        for room in list(hub.rooms.values()):
            if room.id in hub.private:
                continue
            for avatar in list(room.avatars.values()):
                if avatar.node == hub.node and avatar.badge == Badge.CUSTOMER:
                    counts[room.brand] += 1
        return counts

    def count(self, brand: str | None = None) -> int:
        """Visitors in the brand's store (every brand's with None), cluster-wide."""
        now = self._clock()
        total = Counter(self.local())
        for at, counts in list(self._heard.values()):
            if now - at <= STALE_S:
                total.update(counts)
        return total.total() if brand is None else total[brand]

    # ------------------------------------------------------------ announcing

    async def start(self) -> None:
        broker = self._hub.broker
        self._broker_unsubscribe = await broker.subscribe(CHANNEL, self._on_message)
        bus = self._hub.bus
        for kind in (PresenceJoined, PresenceLeft):
            self._unsubscribe.append(bus.subscribe(kind, self._on_presence))
        self._heartbeat = asyncio.create_task(self._beat(), name="world-census")
        self._running = True

    async def stop(self) -> None:
        self._running = False
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for task in (self._heartbeat, self._soon):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._heartbeat = self._soon = None
        # The others forget this node now rather than after STALE_S.
        with contextlib.suppress(Exception):
            await self._announce(gone=True)
        if self._broker_unsubscribe is not None:
            with contextlib.suppress(Exception):
                await self._broker_unsubscribe()
            self._broker_unsubscribe = None

    async def _on_presence(self, event: DomainEvent) -> None:
        if self._running and (self._soon is None or self._soon.done()):
            self._soon = asyncio.create_task(self._announce_soon())

    async def _announce_soon(self) -> None:
        await asyncio.sleep(SOON_S)
        await self._announce()

    async def _beat(self) -> None:
        while True:
            try:
                await self._announce()
            except Exception:  # the broker is down: the next beat tries again
                log.warning("census_announce_failed", exc_info=True)
            await asyncio.sleep(EVERY_S)

    async def _announce(self, *, gone: bool = False) -> None:
        counts = {} if gone else dict(self.local())
        payload = {"node": self._hub.node, "counts": counts, "gone": gone}
        await self._hub.broker.publish(CHANNEL, json.dumps(payload).encode())

    async def _on_message(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
            node = str(message["node"])
            counts = {str(b): int(n) for b, n in dict(message["counts"]).items() if int(n) > 0}
            gone = bool(message.get("gone", False))
        except (ValueError, TypeError, KeyError):
            log.warning("census_message_refused")
            return
        if node == self._hub.node:
            return
        if gone:
            self._heard.pop(node, None)
        else:
            self._heard[node] = (self._clock(), counts)
        # Forget the dead so the dictionary does not grow with every restart.
        now = self._clock()
        for other, (at, _) in list(self._heard.items()):
            if now - at > STALE_S:
                del self._heard[other]
