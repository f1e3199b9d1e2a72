"""The hub's two background loops: the tick and the once-a-second housekeeping."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import structlog

from vitrina.world import bridge
from vitrina.world.protocol import CloseCode, ExitOut
from vitrina.world.session import State

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

NODE_TIMEOUT_S = 5.0  # a node silent this long has its avatars removed
TICK_SLICES = 10  # phases per tick period over which rooms are spread


async def run_ticks(hub: WorldHub) -> None:
    """Tick every room once per period, rooms spread over TICK_SLICES phases.

    Spreading keeps each wake-up short, so frames that arrive meanwhile wait for
    one room's fan-out rather than for every room's.
    """
    loop = asyncio.get_running_loop()
    step = 1.0 / hub.settings.world_tick_hz / TICK_SLICES
    deadline = loop.time()
    slot = 0
    while True:
        deadline += step
        delay = deadline - loop.time()
        if delay < -step * TICK_SLICES:  # over a period behind: skip, do not burst
            deadline = loop.time()
            delay = 0.0
        await asyncio.sleep(max(delay, 0.0))
        started = time.perf_counter()
        try:
            await hub.tick(slot)
        except Exception:
            log.exception("world_tick_failed")
        slot = (slot + 1) % TICK_SLICES
        if slot == 0:
            hub.stats.ticks += 1
        hub.stats.tick_seconds += time.perf_counter() - started


async def run_housekeeping(hub: WorldHub) -> None:
    while True:
        await asyncio.sleep(1.0)
        try:
            await sweep(hub)
        except Exception:
            log.exception("world_housekeeping_failed")


async def sweep(hub: WorldHub) -> None:
    """Close sockets that never joined, drop avatars whose grace ran out and those of
    silent nodes, and tell the other nodes this one is alive."""
    now = time.monotonic()
    grace = hub.settings.world_resume_grace_s
    join_deadline = now - hub.settings.world_join_timeout_s
    for session in list(hub.sessions):
        if session.state is State.CONNECTED and session.opened_at < join_deadline:
            session.close(CloseCode.JOIN_TIMEOUT, "no join or resume in time")
    for room in list(hub.rooms.values()):
        for avatar in list(room.avatars.values()):
            if avatar.detached_at is not None and now - avatar.detached_at > grace:
                await hub.remove_avatar(avatar.id, why="timeout")
        for node, seen in list(room.remote_seen.items()):
            if now - seen > NODE_TIMEOUT_S:
                del room.remote_seen[node]
                for avatar in [a for a in room.avatars.values() if a.node == node]:
                    room.remove(avatar.id)
                    room.broadcast(ExitOut(id=avatar.id, why="node_lost"))
        if room.id in hub.rooms:
            mine = [a.id for a in room.avatars.values() if a.node == hub.node]
            await hub.publish(room, bridge.Alive(node=hub.node, ids=mine))
